import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditChainLink } from './audit-chain-link.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { AuditRecorder } from './audit-recorder';
import { AuditScopeInterceptor } from './audit-scope.interceptor';

/** The audit trail. Global: every module records into it through `AuditRecorder`. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent, AuditChainLink, AuditCheckpoint])],
  providers: [AuditRecorder, { provide: APP_INTERCEPTOR, useClass: AuditScopeInterceptor }],
  exports: [AuditRecorder],
})
export class AuditModule {}
