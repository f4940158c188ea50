import type { AuditActor } from '../audit/audit-recorder';

/**
 * What billing tells the orders module when money moves, in billing's
 * transaction. Declared here and implemented by orders (which depends on
 * billing, not the other way round); resolved at run time.
 */
export abstract class OrderSettlement {
  /** The order's invoice was paid in full: pending_payment → paid. */
  abstract paid(actor: AuditActor, orderId: string): Promise<void>;
  /** Everything captured for the order was refunded: paid or fulfilled → refunded. */
  abstract refunded(actor: AuditActor, orderId: string): Promise<void>;
}
