import { IsOptional, IsUUID } from 'class-validator';
import type { Role } from '../../access/roles';
import { NewAccountDto } from './new-account.dto';
import { RoleList } from './role-list.decorator';

/** A user created by an administrator, with an initial password. */
export class CreateUserDto extends NewAccountDto {
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
