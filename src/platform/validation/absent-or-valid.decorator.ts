import { ValidateIf } from 'class-validator';

/**
 * The property may be left out, but when sent it is validated — null
 * included, unlike `@IsOptional()`, so a null never reaches a NOT NULL column.
 */
export function AbsentOrValid(): PropertyDecorator {
  return ValidateIf((_dto: object, value: unknown) => value !== undefined);
}
