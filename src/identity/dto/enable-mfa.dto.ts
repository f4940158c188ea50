import { Matches } from 'class-validator';

export class EnableMfaDto {
  /** The current six-digit code of the secret from POST /v1/me/mfa/setup. */
  @Matches(/^\d{6}$/, { message: 'otp must be the six-digit code of your authenticator app' })
  otp!: string;
}
