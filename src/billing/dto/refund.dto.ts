import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';

export class CreateRefundDto {
  /** Part of what is still refundable; absent: all of it. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  amountCents?: number;

  @SingleLineText(500)
  reason!: string;
}

export class RefundDto {
  id!: string;
  paymentId!: string;
  amountCents!: number;
  reason!: string;
  createdById!: string;
  createdAt!: Date;
}
