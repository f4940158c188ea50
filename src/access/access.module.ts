import { Global, Module } from '@nestjs/common';
import { AccessDenials } from './access-denials';
import { Authorization } from './authorization.service';
import { PoliciesGuard } from './policies.guard';

/** The one policy of the app and the services that apply it; every business module uses it. */
@Global()
@Module({
  providers: [AccessDenials, Authorization, PoliciesGuard],
  exports: [AccessDenials, Authorization, PoliciesGuard],
})
export class AccessModule {}
