import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { PAYMENT_STATUSES, type PaymentStatus } from '../entities/payment.entity';
import { IsISO4217CurrencyCode, IsInt, IsUUID } from 'class-validator';

export class PaymentDto {
  @IsUUID()
  id!: string;
  @IsUUID()
  invoiceId!: string;
  @IsUUID()
  orderId!: string;
  @IsUUID()
  organizationId!: string;
  provider!: string;
  /** The payment's id at the provider, which its webhooks name. */
  providerPaymentId!: string;

  @ApiProperty({ enum: PAYMENT_STATUSES })
  status!: PaymentStatus;

  @IsInt()
  amountCents!: number;
  @IsISO4217CurrencyCode()
  currency!: string;
  /** Refunded so far. */
  @IsInt()
  refundedCents!: number;
  /** Why the provider failed a pending payment. */
  failureCode!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
  @IsInt()
  version!: number;
}

export class PaymentPageDto extends PageOf(PaymentDto) {}
