import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { STOCK_MOVEMENT_REASONS, type StockMovementReason } from '../entities/stock-movement.entity';

export class StockMovementDto {
  id!: string;
  productId!: string;
  delta!: number;
  /** Stock on hand right after this movement. */
  stockAfter!: number;

  @ApiProperty({ enum: STOCK_MOVEMENT_REASONS })
  reason!: StockMovementReason;

  note!: string | null;
  /** Who moved the stock; null when the service did. */
  actorId!: string | null;
  /** The order that moved it, if any. */
  orderId!: string | null;
  createdAt!: Date;
}

export class StockMovementPageDto extends PageOf(StockMovementDto) {}
