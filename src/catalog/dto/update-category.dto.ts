import { PartialType } from '@nestjs/swagger';
import { CreateCategoryDto } from './create-category.dto';

/**
 * The fields to change; a category cannot become its own ancestor.
 * `parentId: null` moves it to the top; a null name is refused.
 */
export class UpdateCategoryDto extends PartialType(CreateCategoryDto, { skipNullProperties: false }) {}
