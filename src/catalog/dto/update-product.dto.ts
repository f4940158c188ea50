import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateProductDto } from './create-product.dto';

/**
 * The fields to change. Stock is not edited here: it moves through stock
 * adjustments (and orders), each leaving a movement. `active: false` archives,
 * `active: true` restores. `null` is refused: no field can be cleared.
 */
export class UpdateProductDto extends PartialType(OmitType(CreateProductDto, ['stock'] as const), {
  skipNullProperties: false,
}) {}
