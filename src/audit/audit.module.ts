import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DenialRecorder } from '../access/denial-recorder';
import { Environment } from '../platform/config/environment';
import { AuditChainLink } from './audit-chain-link.entity';
import { AuditChainService } from './audit-chain.service';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditDenialRecorder } from './audit-denial-recorder';
import { AuditEvent } from './audit-event.entity';
import { AuditEventsController } from './audit-events.controller';
import { AuditEventsService } from './audit-events.service';
import { AuditRecorder } from './audit-recorder';
import { AuditSealer } from './audit-sealer';
import { AuditSigningKey } from './audit-signing-key';
import { AuditTrailController } from './audit-trail.controller';

function signingKey(environment: Environment): AuditSigningKey {
  if (!environment.AUDIT_SIGNING_KEY) return AuditSigningKey.persistedIn(environment.DATA_DIR);
  try {
    return AuditSigningKey.parse(environment.AUDIT_SIGNING_KEY);
  } catch {
    // The parser's message could quote the key: say only what is wrong.
    throw new Error('AUDIT_SIGNING_KEY is not an Ed25519 private key (PKCS#8 PEM or its base64)');
  }
}

/**
 * The audit trail. Global: every module records into it through `AuditRecorder`,
 * and access records its denials through the `DenialRecorder` bound here.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent, AuditChainLink, AuditCheckpoint])],
  controllers: [AuditEventsController, AuditTrailController],
  providers: [
    AuditRecorder,
    AuditSealer,
    AuditChainService,
    AuditEventsService,
    { provide: AuditSigningKey, inject: [Environment], useFactory: signingKey },
    { provide: DenialRecorder, useClass: AuditDenialRecorder },
  ],
  exports: [AuditRecorder, DenialRecorder],
})
export class AuditModule {}
