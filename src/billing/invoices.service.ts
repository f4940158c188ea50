import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import { type AuditActor, AuditRecorder } from '../audit/audit-recorder';
import { whereAnyOf } from '../platform/database/where-any-of';
import { findPage, mapPage, type Page } from '../platform/http/keyset-pagination';
import { PaymentPendingError } from './billing.errors';
import type { InvoiceDto } from './dto/invoice.dto';
import type { ListInvoicesQueryDto } from './dto/list-invoices-query.dto';
import { Invoice } from './entities/invoice.entity';
import { Payment } from './entities/payment.entity';

export interface InvoicedOrder {
  id: string;
  organizationId: string;
  placedById: string;
  totalCents: number;
  currency: string;
}

function toDto(invoice: Invoice): InvoiceDto {
  return {
    id: invoice.id,
    number: invoice.number,
    orderId: invoice.orderId,
    organizationId: invoice.organizationId,
    status: invoice.status,
    amountCents: invoice.amountCents,
    currency: invoice.currency,
    createdAt: invoice.createdAt,
    updatedAt: invoice.updatedAt,
    version: invoice.version,
  };
}

/** Invoices: one per order, opened with it and voided when it is cancelled; read per the policy. */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly audit: AuditRecorder,
  ) {}

  private get invoices() {
    return this.txHost.tx.getRepository(Invoice);
  }

  async list(actor: Actor, query: ListInvoicesQueryDto): Promise<Page<InvoiceDto>> {
    const builder = this.invoices.createQueryBuilder('invoice');
    whereAnyOf(builder, this.authorization.visibleWhere<Invoice>(actor, 'read', 'Invoice') ?? []);
    if (query.status) builder.andWhere('invoice.status = :status', { status: query.status });
    return mapPage(await findPage(builder, query), toDto);
  }

  async get(actor: Actor, id: string): Promise<InvoiceDto> {
    const invoice = await this.invoices.findOneBy({ id });
    if (!invoice) throw new ResourceNotFoundError('Invoice');
    this.authorization.ensure(actor, 'read', 'Invoice', invoice);
    return toDto(invoice);
  }

  /** In the caller's transaction: the invoice `id` for the whole of `order`, open. */
  async open(actor: Actor, id: string, order: InvoicedOrder): Promise<InvoiceDto> {
    await this.invoices.insert({
      id,
      orderId: order.id,
      organizationId: order.organizationId,
      placedById: order.placedById,
      status: 'open',
      amountCents: order.totalCents,
      currency: order.currency,
    });
    const invoice = await this.invoices.findOneByOrFail({ id });
    await this.audit.record({
      actor,
      action: 'invoice.opened',
      resource: { type: 'Invoice', id },
      changes: { before: {}, after: { status: 'open', amountCents: invoice.amountCents, currency: invoice.currency } },
      details: { number: invoice.number, orderId: order.id },
    });
    return toDto(invoice);
  }

  /** In the caller's transaction (which holds the invoice's row lock): open → paid. */
  async markPaid(actor: AuditActor, id: string): Promise<void> {
    const invoice = await this.invoices.findOneByOrFail({ id });
    await this.invoices.update({ id }, { status: 'paid' });
    await this.audit.record({
      actor,
      action: 'invoice.paid',
      resource: { type: 'Invoice', id },
      changes: { before: { status: invoice.status }, after: { status: 'paid' } },
      details: { number: invoice.number, orderId: invoice.orderId },
    });
  }

  /**
   * In the caller's transaction, before it locks the order: locks the order's
   * invoice. Paying and settling lock an invoice before its order (inserting
   * a payment takes a key-share lock on the order), so whoever needs both
   * takes them in that order too, or a payment and a cancellation of one
   * order at once deadlock.
   */
  async lockForOrder(orderId: string): Promise<void> {
    await this.invoices.findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * In the caller's transaction: the order's open invoice becomes void (its
   * order was cancelled). Not while a payment of it is pending: the provider
   * may still take the money, and its webhook could then settle nothing.
   */
  async voidForOrder(actor: Actor, orderId: string): Promise<void> {
    const invoice = await this.invoices.findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
    if (!invoice || invoice.status !== 'open') return;
    // Payments of an invoice start under its row lock, which we hold: none can start meanwhile.
    const pending = await this.txHost.tx.getRepository(Payment).findOneBy({ invoiceId: invoice.id, status: 'pending' });
    if (pending) throw new PaymentPendingError(pending.id);
    await this.invoices.update({ id: invoice.id }, { status: 'void' });
    await this.audit.record({
      actor,
      action: 'invoice.voided',
      resource: { type: 'Invoice', id: invoice.id },
      changes: { before: { status: 'open' }, after: { status: 'void' } },
      details: { number: invoice.number, orderId },
    });
  }
}
