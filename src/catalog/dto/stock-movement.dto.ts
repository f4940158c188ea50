import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { STOCK_MOVEMENT_REASONS, type StockMovementReason } from '../entities/stock-movement.entity';
import { IsInt, IsUUID } from 'class-validator';

export class StockMovementDto {
  @IsUUID()
  id!: string;
  @IsUUID()
  productId!: string;
  @IsInt()
  delta!: number;
  /** Stock on hand right after this movement. */
  @IsInt()
  stockAfter!: number;

  @ApiProperty({ enum: STOCK_MOVEMENT_REASONS })
  reason!: StockMovementReason;

  note!: string | null;
  /** Who moved the stock; null when the service did. */
  @IsUUID()
  actorId!: string | null;
  /** The order that moved it, if any. */
  @IsUUID()
  orderId!: string | null;
  createdAt!: Date;
}

export class StockMovementPageDto extends PageOf(StockMovementDto) {}
