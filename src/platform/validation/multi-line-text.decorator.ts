import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Printable text with line breaks and tabs; no other control characters (NUL), no lone surrogates. */
const MULTI_LINE_TEXT = /^(?:[^\p{Cc}\p{Cs}]|[\n\r\t])*$/u;

/** A description, a note: any length up to `maxLength`, line breaks allowed; `optional` accepts it absent (not null). */
export function MultiLineText(maxLength: number, { optional = false } = {}) {
  return applyDecorators(
    ApiProperty({ maxLength, required: !optional }),
    ...(optional ? [ValidateIf((_dto: object, value: unknown) => value !== undefined)] : []),
    IsString(),
    MaxLength(maxLength),
    Matches(MULTI_LINE_TEXT, { message: '$property must be printable text (line breaks and tabs allowed)' }),
  );
}
