import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppLifecycle } from './app-lifecycle';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [AppLifecycle],
  exports: [AppLifecycle],
})
export class HealthModule {}
