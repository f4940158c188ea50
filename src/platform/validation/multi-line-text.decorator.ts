import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { AbsentOrValid } from './absent-or-valid.decorator';

/** Printable text with line breaks and tabs; no other control characters (NUL), no lone surrogates. */
const MULTI_LINE_TEXT = /^(?:[^\p{Cc}\p{Cs}]|[\n\r\t])*$/u;

/** A description, a note: any length up to `maxLength`, line breaks allowed; `optional` accepts it absent (not null). */
export function MultiLineText(maxLength: number, { optional = false } = {}) {
  return applyDecorators(
    ApiProperty({ required: !optional }),
    ...(optional ? [AbsentOrValid()] : []),
    IsString(),
    MaxLength(maxLength),
    Matches(MULTI_LINE_TEXT, { message: '$property must be printable text (line breaks and tabs allowed)' }),
  );
}
