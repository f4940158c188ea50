import { PartialType, PickType } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { AbsentOrValid } from '../../platform/validation/absent-or-valid.decorator';
import { CreateUserDto } from './create-user.dto';

/** Only the fields sent change; `null` is refused. Users are disabled, never deleted. */
export class UpdateUserDto extends PartialType(PickType(CreateUserDto, ['displayName', 'roles'] as const), {
  skipNullProperties: false,
}) {
  /** true: the user can no longer sign in, and every token and API key of theirs stops working; false: enabled again. */
  @AbsentOrValid()
  @IsBoolean()
  disabled?: boolean;
}
