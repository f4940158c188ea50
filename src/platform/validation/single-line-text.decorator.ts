import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { AbsentOrValid } from './absent-or-valid.decorator';

/**
 * Printable, single-line text that is not blank: a name, a label. Refuses
 * control characters (NUL, which PostgreSQL text cannot store, line breaks
 * that would forge log lines) and lone surrogates (not valid Unicode).
 */
const SINGLE_LINE_TEXT = /^(?=.*\S)[^\p{Cc}\p{Cs}\u2028\u2029]+$/u;

/** `optional` accepts the field absent, not null (and documents it so). */
export function SingleLineText(maxLength: number, { optional = false } = {}) {
  return applyDecorators(
    ApiProperty({ minLength: 1, required: !optional }),
    ...(optional ? [AbsentOrValid()] : []),
    IsString(),
    MaxLength(maxLength),
    Matches(SINGLE_LINE_TEXT, { message: '$property must be one line of printable text, not blank' }),
  );
}
