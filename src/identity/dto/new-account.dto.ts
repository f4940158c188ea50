import { IsEmail, MaxLength } from 'class-validator';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';
import { NewPassword } from './new-password.decorator';

/** What every new account is made of, by self-registration or by an administrator. */
export class NewAccountDto {
  /** Unique, compared case-insensitively. */
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @SingleLineText(200)
  displayName!: string;

  /**
   * 15 to 256 characters, no composition rules; refused when common, easy to
   * guess or built from the email, the organization name or the service name.
   */
  @NewPassword()
  password!: string;
}
