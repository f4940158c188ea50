import { PartialType } from '@nestjs/swagger';
import { CreateCategoryDto } from './create-category.dto';

/** The fields to change; a category cannot become its own ancestor. */
export class UpdateCategoryDto extends PartialType(CreateCategoryDto) {}
