import { PickType } from '@nestjs/swagger';
import { UserDto } from './user.dto';

/** The signed-in user's own account, as GET /v1/me shows it. */
export class ProfileDto extends PickType(UserDto, [
  'id',
  'email',
  'displayName',
  'roles',
  'organizationId',
  'mfaEnabled',
  'createdAt',
] as const) {}
