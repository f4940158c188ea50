import { IsIn, IsInt, Max, Min, NotEquals } from 'class-validator';
import { MultiLineText } from '../../platform/validation/multi-line-text.decorator';
import { MAX_STOCK } from './create-product.dto';

/** The reasons staff give for moving stock by hand; orders move it with reasons of their own. */
export const ADJUSTMENT_REASONS = ['received', 'counted', 'damaged', 'returned', 'correction'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export class StockAdjustmentDto {
  /** Units to add (positive) or remove (negative); stock never goes below zero (409). */
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  delta!: number;

  @IsIn(ADJUSTMENT_REASONS)
  reason!: AdjustmentReason;

  /** Free text for the record: a delivery note number, what was found. */
  @MultiLineText(500, { optional: true })
  note?: string;
}
