import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../password-policy';
import { NewPassword } from './new-password.decorator';

export class ChangePasswordDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  /**
   * 15 to 256 characters, no composition rules; refused, with the reason,
   * when common, easy to guess or built from your email, your organization's
   * name or the service's name.
   */
  @NewPassword()
  newPassword!: string;
}
