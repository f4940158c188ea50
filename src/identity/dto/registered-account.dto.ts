import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../access/roles';
import { IsUUID } from 'class-validator';

export class RegisteredOrganizationDto {
  @IsUUID()
  id!: string;
  name!: string;
}

export class RegisteredUserDto {
  @IsUUID()
  id!: string;
  email!: string;
  displayName!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  @IsUUID()
  organizationId!: string;
}

/** What registration created; sign in with POST /v1/auth/login next. */
export class RegisteredAccountDto {
  organization!: RegisteredOrganizationDto;
  user!: RegisteredUserDto;
}
