import { SingleLineText } from '../../platform/validation/single-line-text.decorator';

export class CreateOrganizationDto {
  /** The customer company's name. */
  @SingleLineText(200)
  name!: string;
}
