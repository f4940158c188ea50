import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authenticated } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { ReturnsCredentials } from '../platform/http/returns-credentials.decorator';
import { AuthRateLimit } from './auth-rate-limit';
import { ChangePasswordDto } from './dto/change-password.dto';
import { DisableMfaDto } from './dto/disable-mfa.dto';
import { EnableMfaDto } from './dto/enable-mfa.dto';
import { MfaSetupDto } from './dto/mfa-setup.dto';
import { RecoveryCodesDto } from './dto/recovery-codes.dto';
import { MeService } from './me.service';
import { MfaService } from './mfa.service';
import { WeakPasswordError } from './auth.errors';
import { ResourceNotFoundError } from '../access/access.errors';
import {
  InvalidConfirmationOtpError,
  MfaAlreadyEnabledError,
  MfaNotEnabledError,
  MfaSetupRequiredError,
} from './mfa.errors';
import { ConcurrentPasswordChangeError, CurrentPasswordIncorrectError, UserSessionRequiredError } from './me.errors';

/**
 * Changes to your own credentials. Under the stricter auth rate limit, as
 * they take a password or a one-time code; refused to API keys (403).
 */
@ApiTags('me')
@AuthRateLimit()
@Controller('me')
export class MeCredentialsController {
  constructor(
    private readonly me: MeService,
    private readonly mfa: MfaService,
  ) {}

  @Post('password')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Change your password; every session of yours ends',
    description:
      'Wrong current password: 400 `current-password-incorrect` (it counts towards the account lockout). ' +
      'A new password that is too short, common or built from your email or organization: 400 `weak-password` ' +
      'with the reason. Every refresh token is revoked and access tokens issued before stop working: sign in again.',
  })
  @Throws(
    UserSessionRequiredError,
    ResourceNotFoundError,
    CurrentPasswordIncorrectError,
    WeakPasswordError,
    ConcurrentPasswordChangeError,
  )
  async changePassword(@CurrentActor() actor: Actor, @Body() change: ChangePasswordDto): Promise<void> {
    await this.me.changePassword(actor, change);
  }

  @Post('mfa/setup')
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ReturnsCredentials(MfaSetupDto)
  @ApiOperation({
    summary: 'Start MFA setup: a new TOTP secret for your authenticator app',
    description:
      'MFA stays off until POST /v1/me/mfa/enable confirms a code; a second setup replaces the pending secret. ' +
      'MFA already on: 409.',
  })
  @Throws(UserSessionRequiredError, ResourceNotFoundError, MfaAlreadyEnabledError)
  setupMfa(@CurrentActor() actor: Actor): Promise<MfaSetupDto> {
    return this.mfa.setup(actor);
  }

  @Post('mfa/enable')
  @Authenticated()
  @HttpCode(HttpStatus.OK)
  @ReturnsCredentials(RecoveryCodesDto)
  @ApiOperation({
    summary: 'Turn MFA on with a code of the pending secret; returns ten single-use recovery codes, once',
    description:
      'Wrong or reused code: 400 `invalid-otp`. No pending setup, or MFA already on: 409. ' +
      'Every other session of yours ends: their refresh tokens are revoked and their access tokens stop working; ' +
      'the session that made the change goes on.',
  })
  @Throws(
    UserSessionRequiredError,
    ResourceNotFoundError,
    MfaAlreadyEnabledError,
    MfaSetupRequiredError,
    InvalidConfirmationOtpError,
  )
  enableMfa(@CurrentActor() actor: Actor, @Body() confirmation: EnableMfaDto): Promise<RecoveryCodesDto> {
    return this.mfa.enable(actor, confirmation.otp);
  }

  @Post('mfa/disable')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Turn MFA off, with your current password and a current code or a recovery code',
    description:
      'Wrong password: 400 `current-password-incorrect`; wrong, reused or spent code: 400 `invalid-otp`. ' +
      'MFA not on: 409. The secret and the recovery codes are deleted, and every other session of yours ends ' +
      '(as on enabling).',
  })
  @Throws(
    UserSessionRequiredError,
    ResourceNotFoundError,
    MfaNotEnabledError,
    CurrentPasswordIncorrectError,
    InvalidConfirmationOtpError,
  )
  async disableMfa(@CurrentActor() actor: Actor, @Body() confirmation: DisableMfaDto): Promise<void> {
    await this.mfa.disable(actor, confirmation);
  }
}
