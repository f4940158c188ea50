import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn } from 'class-validator';
import { ROLES } from '../../access/roles';

/** A non-empty list of distinct roles, as granted to a user or an API key. */
export function RoleList() {
  return applyDecorators(
    IsArray(),
    ArrayNotEmpty(),
    ArrayMaxSize(ROLES.length),
    ArrayUnique(),
    IsIn(ROLES, { each: true }),
  );
}
