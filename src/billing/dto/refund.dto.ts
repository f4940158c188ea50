import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';

export class CreateRefundDto {
  /** Part of what is still refundable; absent: all of it. */
  @IsOptional()
  @IsInt()
  @Min(1)
  amountCents?: number;

  @SingleLineText(500)
  reason!: string;
}

export class RefundDto {
  @IsUUID()
  id!: string;
  @IsUUID()
  paymentId!: string;
  @IsInt()
  amountCents!: number;
  reason!: string;
  @IsUUID()
  createdById!: string;
  createdAt!: Date;
}
