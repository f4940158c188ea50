import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { INVOICE_STATUSES, type InvoiceStatus } from '../entities/invoice.entity';

export class InvoiceDto {
  id!: string;
  /** `INV-000123`. */
  number!: string;
  orderId!: string;
  organizationId!: string;

  @ApiProperty({ enum: INVOICE_STATUSES })
  status!: InvoiceStatus;

  amountCents!: number;
  currency!: string;
  createdAt!: Date;
  updatedAt!: Date;
  version!: number;
}

export class InvoicePageDto extends PageOf(InvoiceDto) {}
