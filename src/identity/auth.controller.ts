import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/authorize.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { ReturnsCredentials } from '../platform/http/returns-credentials.decorator';
import { Creates } from '../platform/http/location.decorator';
import { AuthRateLimit } from './auth-rate-limit';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { RegisteredAccountDto } from './dto/registered-account.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { InvalidOtpError, MfaRequiredError } from './mfa.errors';
import {
  EmailTakenError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  SignupDisabledError,
  WeakPasswordError,
} from './auth.errors';

@ApiTags('auth')
@AuthRateLimit()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  // Registration creates an organization, with its first user inside it.
  @Creates(RegisteredAccountDto, (account) => `/v1/organizations/${account.organization.id}`)
  @ApiOperation({
    summary: 'Register a new customer organization and its first user (org_admin)',
    description: 'Answers 404 `signup-disabled` when SIGNUP_ENABLED is false, 409 when the email is taken.',
  })
  @Throws(SignupDisabledError, EmailTakenError, WeakPasswordError)
  register(@Body() registration: RegisterDto): Promise<RegisteredAccountDto> {
    return this.auth.register(registration);
  }

  @Post('login')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ReturnsCredentials(TokenPairDto)
  @ApiOperation({
    summary: 'Sign in with email and password (and a TOTP code when MFA is on)',
    description:
      'Unknown email, wrong password, locked or disabled account all answer the same 401 `invalid-credentials`. ' +
      'With MFA on: 401 `mfa-required` without `otp`, 401 `invalid-otp` with a wrong one.',
  })
  @Throws(InvalidCredentialsError, MfaRequiredError, InvalidOtpError)
  login(@Body() credentials: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(credentials);
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ReturnsCredentials(TokenPairDto)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (the old one is spent)',
    description:
      'Presenting a spent refresh token revokes every token of that login and answers 401. A login lasts at most ' +
      'SESSION_ABSOLUTE_LIFETIME_SECONDS however often it refreshes; past its end, or once ended (password or MFA ' +
      'change, disabled user), its refresh token answers 401: sign in again.',
  })
  @Throws(InvalidRefreshTokenError)
  refresh(@Body() body: RefreshTokenDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End the login a refresh token belongs to',
    description: 'Revokes every refresh token of that login. 204 also for an unknown token.',
  })
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }
}
