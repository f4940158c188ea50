import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password-policy';

/**
 * A password being chosen. Validation bounds its length from above; the lower
 * bound is checked with the rest of the password policy, which answers a
 * `weak-password` problem naming the reason, so it is documented here.
 */
export function NewPassword() {
  return applyDecorators(ApiProperty({ minLength: PASSWORD_MIN_LENGTH }), IsString(), MaxLength(PASSWORD_MAX_LENGTH));
}
