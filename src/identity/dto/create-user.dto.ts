import { IsEmail, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { Role } from '../../access/roles';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';
import { PASSWORD_MAX_LENGTH } from '../password-policy';
import { RoleList } from './role-list.decorator';

export class CreateUserDto {
  /** Unique, compared case-insensitively. */
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @SingleLineText(200)
  displayName!: string;

  /**
   * The initial password: 15 to 256 characters, no composition rules; refused
   * when common, easy to guess or built from the email or organization name.
   */
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  /**
   * Either staff roles (admin, catalog_manager, fulfillment, finance, auditor)
   * or customer roles (org_admin, buyer), never both. An org_admin may grant
   * customer roles only.
   */
  @RoleList()
  roles!: Role[];

  /**
   * Required for customer roles, absent for staff. An org_admin's users join
   * its own organization: it may omit this.
   */
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}
