import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authorize } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { ReadsWithETag } from '../platform/http/etag.decorator';
import { Creates } from '../platform/http/location.decorator';
import { PageQueryDto } from '../platform/http/page-query.dto';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { PayInvoiceDto } from './dto/pay-invoice.dto';
import { PaymentDto, PaymentPageDto } from './dto/payment.dto';
import { CreateRefundDto, RefundDto } from './dto/refund.dto';
import { PaymentsService } from './payments.service';
import { ResourceNotFoundError } from '../access/access.errors';
import {
  InvalidPaymentTokenError,
  InvoiceNotPayableError,
  PaymentDeclinedError,
  PaymentNotRefundableError,
  PaymentPendingError,
  RefundExceedsCapturedError,
} from './billing.errors';
import { InvalidCursorError } from '../platform/http/cursor';

@ApiTags('billing')
@Controller()
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post('invoices/:id/payments')
  @Authorize('pay', 'Invoice')
  @Creates(PaymentDto, (payment) => `/v1/payments/${payment.id}`)
  @Idempotent()
  @ApiOperation({
    summary: 'Pay an invoice by card',
    description:
      'Captured at once (201, the invoice and its order become paid), or pending until the provider settles it ' +
      'by webhook (201, status pending). Declined: 402, the invoice stays open. A paid or void invoice, or one with ' +
      'a pending payment: 409. Two payments of one invoice at once: exactly one capture.',
  })
  @Throws(
    ResourceNotFoundError,
    InvoiceNotPayableError,
    PaymentPendingError,
    PaymentDeclinedError,
    InvalidPaymentTokenError,
  )
  pay(
    @CurrentActor() actor: Actor,
    @UuidParam('id') invoiceId: string,
    @Body() input: PayInvoiceDto,
  ): Promise<PaymentDto> {
    return this.payments.pay(actor, invoiceId, input);
  }

  @Get('payments')
  @Authorize('read', 'Payment')
  @ApiOperation({ summary: 'List payments, newest first, as far as you may read them' })
  @Throws(InvalidCursorError)
  list(@CurrentActor() actor: Actor, @Query() page: PageQueryDto): Promise<PaymentPageDto> {
    return this.payments.list(actor, page);
  }

  @Get('payments/:id')
  @Authorize('read', 'Payment')
  @ReadsWithETag(PaymentDto)
  @ApiOperation({ summary: 'Get a payment; one you may not see is 404' })
  @Throws(ResourceNotFoundError)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<PaymentDto> {
    return this.payments.get(actor, id);
  }

  @Post('payments/:id/refunds')
  @Authorize('refund', 'Payment')
  // A refund has no URL of its own: the payment it belongs to shows it (refundedCents, status).
  @Creates(RefundDto, (refund) => `/v1/payments/${refund.paymentId}`)
  @Idempotent()
  @ApiOperation({
    summary: 'Refund a captured payment, in part or in full',
    description:
      'Without amountCents, all that is still refundable. More than that, or a payment not captured: 409. A full ' +
      'refund moves the order to refunded.',
  })
  @Throws(ResourceNotFoundError, PaymentNotRefundableError, RefundExceedsCapturedError)
  refund(
    @CurrentActor() actor: Actor,
    @UuidParam('id') paymentId: string,
    @Body() input: CreateRefundDto,
  ): Promise<RefundDto> {
    return this.payments.refund(actor, paymentId, input);
  }
}
