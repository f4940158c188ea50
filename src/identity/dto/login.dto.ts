import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../password-policy';

export class LoginDto {
  /** Compared case-insensitively. */
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  /** The current TOTP code (or a recovery code), required when the account has MFA on. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  otp?: string;
}
