import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class CreateCategoryDto {
  @SingleLineText(100)
  name!: string;

  /** Lower-case letters and digits in hyphen-joined words, unique; derived from the name when absent. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters and digits joined by single hyphens' })
  slug?: string;

  /** The parent category; absent or null for a top-level one. */
  @IsOptional()
  @IsUUID()
  parentId?: string | null;
}
