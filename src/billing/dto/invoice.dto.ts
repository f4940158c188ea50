import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { INVOICE_STATUSES, type InvoiceStatus } from '../entities/invoice.entity';
import { IsISO4217CurrencyCode, IsInt, IsUUID } from 'class-validator';

export class InvoiceDto {
  @IsUUID()
  id!: string;
  /** `INV-000123`. */
  number!: string;
  @IsUUID()
  orderId!: string;
  @IsUUID()
  organizationId!: string;

  @ApiProperty({ enum: INVOICE_STATUSES })
  status!: InvoiceStatus;

  @IsInt()
  amountCents!: number;
  @IsISO4217CurrencyCode()
  currency!: string;
  createdAt!: Date;
  updatedAt!: Date;
  @IsInt()
  version!: number;
}

export class InvoicePageDto extends PageOf(InvoiceDto) {}
