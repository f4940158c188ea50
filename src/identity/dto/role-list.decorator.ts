import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn } from 'class-validator';
import { ROLES } from '../../access/roles';

/** A non-empty list of distinct roles, as granted to a user or an API key. */
export function RoleList() {
  return applyDecorators(
    ApiProperty({ enum: ROLES, isArray: true, minItems: 1, uniqueItems: true }),
    IsArray(),
    ArrayNotEmpty(),
    ArrayMaxSize(ROLES.length),
    ArrayUnique(),
    IsIn(ROLES, { each: true }),
  );
}
