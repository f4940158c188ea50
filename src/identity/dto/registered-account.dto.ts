import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../access/roles';

export class RegisteredOrganizationDto {
  id!: string;
  name!: string;
}

export class RegisteredUserDto {
  id!: string;
  email!: string;
  displayName!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  organizationId!: string;
}

/** What registration created; sign in with POST /v1/auth/login next. */
export class RegisteredAccountDto {
  organization!: RegisteredOrganizationDto;
  user!: RegisteredUserDto;
}
