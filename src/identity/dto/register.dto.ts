import { SingleLineText } from '../../platform/validation/single-line-text.decorator';
import { NewAccountDto } from './new-account.dto';

/** A new customer organization and its first user, who becomes its org_admin. */
export class RegisterDto extends NewAccountDto {
  @SingleLineText(200)
  organizationName!: string;
}
