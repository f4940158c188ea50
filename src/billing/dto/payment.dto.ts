import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { PAYMENT_STATUSES, type PaymentStatus } from '../entities/payment.entity';

export class PaymentDto {
  id!: string;
  invoiceId!: string;
  orderId!: string;
  organizationId!: string;
  provider!: string;
  /** The payment's id at the provider, which its webhooks name. */
  providerPaymentId!: string;

  @ApiProperty({ enum: PAYMENT_STATUSES })
  status!: PaymentStatus;

  amountCents!: number;
  currency!: string;
  /** Refunded so far. */
  refundedCents!: number;
  /** Why the provider failed a pending payment. */
  failureCode!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
  version!: number;
}

export class PaymentPageDto extends PageOf(PaymentDto) {}
