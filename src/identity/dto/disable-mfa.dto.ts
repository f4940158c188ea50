import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../password-policy';

/** Both factors: the current password and a current code (or an unused recovery code, which is spent). */
export class DisableMfaDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  /** The current six-digit code of your authenticator app, or one of your recovery codes. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  otp!: string;
}
