import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Counter } from 'prom-client';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import { type AuditActor, AuditRecorder, SYSTEM_ACTOR } from '../audit/audit-recorder';
import { whereAnyOf } from '../platform/database/where-any-of';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import { MetricsService } from '../platform/metrics/metrics.service';
import { Outbox } from '../platform/outbox/outbox';
import {
  InvalidWebhookError,
  InvoiceNotPayableError,
  PaymentDeclinedError,
  PaymentNotRefundableError,
  PaymentPendingError,
  RefundExceedsCapturedError,
  UnknownPaymentProviderError,
} from './billing.errors';
import type { PayInvoiceDto } from './dto/pay-invoice.dto';
import type { PaymentDto } from './dto/payment.dto';
import type { CreateRefundDto, RefundDto } from './dto/refund.dto';
import { Invoice } from './entities/invoice.entity';
import { Payment } from './entities/payment.entity';
import { Refund } from './entities/refund.entity';
import { InvoicesService } from './invoices.service';
import { OrderSettlement } from './order-settlement';
import { type PaymentEvent, PaymentProvider } from './payment-provider';

/** What `payments_total` counts, each from the start. */
const PAYMENT_OUTCOMES = ['captured', 'pending', 'declined', 'failed'] as const;

function toDto(payment: Payment): PaymentDto {
  return {
    id: payment.id,
    invoiceId: payment.invoiceId,
    orderId: payment.orderId,
    organizationId: payment.organizationId,
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    status: payment.status,
    amountCents: payment.amountCents,
    currency: payment.currency,
    refundedCents: payment.refundedCents,
    failureCode: payment.failureCode,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
    version: payment.version,
  };
}

function toRefundDto(refund: Refund): RefundDto {
  const { id, paymentId, amountCents, reason, createdById, createdAt } = refund;
  return { id, paymentId, amountCents, reason, createdById, createdAt };
}

/**
 * Money in and out through the PaymentProvider port: paying an invoice
 * (once: its row is locked while the provider is asked, so two payments of
 * one invoice take turns and the second finds it paid), settling pending
 * payments from signed webhooks (each event applied once), and refunds that
 * never add up to more than was captured.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);
  private readonly paymentOutcomes: Counter<'outcome'>;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly audit: AuditRecorder,
    private readonly outbox: Outbox,
    private readonly provider: PaymentProvider,
    private readonly invoices: InvoicesService,
    private readonly moduleRef: ModuleRef,
    metrics: MetricsService,
  ) {
    this.paymentOutcomes = metrics.counter(
      'payments_total',
      'Payment outcomes: captured, pending, declined (at once), failed (pending ones the provider failed).',
      { outcome: PAYMENT_OUTCOMES },
    );
  }

  private get payments() {
    return this.txHost.tx.getRepository(Payment);
  }

  private get settlement(): OrderSettlement {
    return this.moduleRef.get(OrderSettlement, { strict: false });
  }

  @Transactional()
  async pay(actor: Actor, invoiceId: string, input: PayInvoiceDto): Promise<PaymentDto> {
    const invoices = this.txHost.tx.getRepository(Invoice);
    const invoice = await this.authorization.lockedFor(invoices, invoiceId, actor, 'Invoice', 'read', 'pay');
    if (invoice.status !== 'open') throw new InvoiceNotPayableError(invoice.status);
    const pending = await this.payments.findOneBy({ invoiceId, status: 'pending' });
    if (pending) throw new PaymentPendingError(pending.id);

    const charge = await this.provider.charge({
      amountCents: invoice.amountCents,
      currency: invoice.currency,
      token: input.paymentMethod.token,
      reference: invoice.id,
    });
    if (charge.outcome === 'declined') {
      // Stays on record although this transaction (which changes nothing) rolls back.
      await this.audit.recordStandalone({
        actor,
        action: 'payment.declined',
        outcome: 'failure',
        resource: { type: 'Invoice', id: invoiceId },
        details: { provider: this.provider.name, declineCode: charge.declineCode, amountCents: invoice.amountCents },
      });
      this.paymentOutcomes.inc({ outcome: 'declined' });
      throw new PaymentDeclinedError(charge.declineCode);
    }
    const payment = await this.payments.save(
      this.payments.create({
        invoiceId,
        orderId: invoice.orderId,
        organizationId: invoice.organizationId,
        placedById: invoice.placedById,
        provider: this.provider.name,
        providerPaymentId: charge.providerPaymentId,
        status: charge.outcome === 'captured' ? 'succeeded' : 'pending',
        amountCents: invoice.amountCents,
        currency: invoice.currency,
        failureCode: null,
      }),
    );
    await this.recordPaymentChange(actor, payment, charge.outcome === 'captured' ? 'captured' : 'pending');
    if (payment.status === 'succeeded') await this.settle(actor, payment);
    return toDto(payment);
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<PaymentDto>> {
    const builder = this.payments.createQueryBuilder('payment');
    whereAnyOf(builder, this.authorization.visibleWhere<Payment>(actor, 'read', 'Payment') ?? []);
    return mapPage(await findPage(builder, page), toDto);
  }

  async get(actor: Actor, id: string): Promise<PaymentDto> {
    const payment = await this.payments.findOneBy({ id });
    if (!payment) throw new ResourceNotFoundError('Payment');
    this.authorization.ensure(actor, 'read', 'Payment', payment);
    return toDto(payment);
  }

  /**
   * Gives back part or all of what is still refundable. The payment row is
   * locked first, so parallel refunds take turns and their sum never exceeds
   * the capture; a full refund moves the order to `refunded`.
   */
  @Transactional()
  async refund(actor: Actor, paymentId: string, input: CreateRefundDto): Promise<RefundDto> {
    const payment = await this.authorization.lockedFor(this.payments, paymentId, actor, 'Payment', 'read', 'refund');
    if (payment.status !== 'succeeded') throw new PaymentNotRefundableError(payment.status);
    const refundable = payment.amountCents - payment.refundedCents;
    const amountCents = input.amountCents ?? refundable;
    if (refundable === 0 || amountCents > refundable) throw new RefundExceedsCapturedError(refundable);

    const { providerRefundId } = await this.provider.refund({
      providerPaymentId: payment.providerPaymentId,
      amountCents,
      reference: `${payment.id}:${payment.refundedCents}`,
    });
    const refunds = this.txHost.tx.getRepository(Refund);
    const refund = await refunds.save(
      refunds.create({ paymentId, amountCents, reason: input.reason, providerRefundId, createdById: actor.userId }),
    );
    const refundedCents = payment.refundedCents + amountCents;
    await this.payments.update({ id: paymentId }, { refundedCents });
    await this.audit.record({
      actor,
      action: 'payment.refunded',
      resource: { type: 'Payment', id: paymentId },
      changes: { before: { refundedCents: payment.refundedCents }, after: { refundedCents } },
      details: { refundId: refund.id, amountCents, reason: input.reason },
    });
    await this.outbox.add({
      type: 'payment.refunded',
      aggregate: { type: 'Payment', id: paymentId },
      payload: { paymentId, refundId: refund.id, orderId: payment.orderId, amountCents, refundedCents },
    });
    if (refundedCents === payment.amountCents) await this.settlement.refunded(actor, payment.orderId);
    this.logger.log({ event: 'payment.refunded', paymentId, amountCents }, 'payment refunded');
    return toRefundDto(refund);
  }

  /**
   * A webhook of `providerName`: verified on its raw body (refused and
   * audited otherwise), then applied once — a redelivered event id changes
   * nothing, and an event for a payment already settled is recorded but moot.
   */
  async receiveWebhook(providerName: string, rawBody: Buffer, signature: string | undefined): Promise<boolean> {
    if (providerName !== this.provider.name) throw new UnknownPaymentProviderError();
    let event: PaymentEvent;
    try {
      event = this.provider.verifyWebhook(rawBody, signature);
    } catch (error) {
      if (error instanceof InvalidWebhookError) {
        await this.audit.recordStandalone({
          actor: SYSTEM_ACTOR,
          action: 'billing.webhook_rejected',
          outcome: 'denied',
          resource: { type: 'WebhookEvent', id: null },
          details: { provider: providerName, reason: error.message },
        });
      }
      throw error;
    }
    return this.applyEvent(event);
  }

  @Transactional()
  private async applyEvent(event: PaymentEvent): Promise<boolean> {
    const [inserted] = await this.txHost.tx.query<{ event_id: string }[]>(
      `INSERT INTO webhook_events (provider, event_id, type) VALUES ($1, $2, $3)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [this.provider.name, event.id, event.type],
    );
    if (!inserted) return false;
    const payment = await this.payments.findOne({
      where: { provider: this.provider.name, providerPaymentId: event.providerPaymentId },
      lock: { mode: 'pessimistic_write' },
    });
    // Unknown to us (yet): not recorded as applied, so the provider's retry can apply it.
    if (!payment) throw new ResourceNotFoundError('Payment');
    if (payment.status !== 'pending') return true;

    const succeeded = event.type === 'payment.succeeded';
    payment.status = succeeded ? 'succeeded' : 'failed';
    payment.failureCode = succeeded ? null : (event.failureCode ?? 'failed');
    await this.payments.update({ id: payment.id }, { status: payment.status, failureCode: payment.failureCode });
    await this.recordPaymentChange(SYSTEM_ACTOR, payment, succeeded ? 'captured' : 'failed', event.id);
    if (succeeded) await this.settle(SYSTEM_ACTOR, payment);
    return true;
  }

  private async settle(actor: AuditActor, payment: Payment): Promise<void> {
    await this.invoices.markPaid(actor, payment.invoiceId);
    await this.settlement.paid(actor, payment.orderId);
  }

  private async recordPaymentChange(
    actor: AuditActor,
    payment: Payment,
    what: 'captured' | 'pending' | 'failed',
    eventId?: string,
  ): Promise<void> {
    await this.audit.record({
      actor,
      action: `payment.${what}`,
      outcome: what === 'failed' ? 'failure' : 'success',
      resource: { type: 'Payment', id: payment.id },
      changes: { before: {}, after: { status: payment.status, amountCents: payment.amountCents } },
      details: { invoiceId: payment.invoiceId, provider: payment.provider, webhookEventId: eventId ?? null },
    });
    await this.outbox.add({
      type: `payment.${what}`,
      aggregate: { type: 'Payment', id: payment.id },
      payload: {
        paymentId: payment.id,
        invoiceId: payment.invoiceId,
        orderId: payment.orderId,
        amountCents: payment.amountCents,
        currency: payment.currency,
      },
    });
    this.logger.log({ event: `payment.${what}`, paymentId: payment.id }, `payment ${what}`);
    this.paymentOutcomes.inc({ outcome: what });
  }
}
