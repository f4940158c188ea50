import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The whole life of an order: every transition it may take, and no other. */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['fulfilled', 'refunded'],
  fulfilled: ['refunded'],
  cancelled: [],
  refunded: [],
};

export class OrderTransitionError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'ORDER_STATE_CONFLICT',
    kind: 'conflict',
    extensions: {
      currentStatus: { type: 'string', enum: [...ORDER_STATUSES] },
      allowedNext: { type: 'array', items: { type: 'string', enum: [...ORDER_STATUSES] } },
    },
  };

  constructor(from: OrderStatus, to: OrderStatus) {
    super(`An order that is ${from} cannot become ${to}.`, {
      currentStatus: from,
      allowedNext: TRANSITIONS[from],
    });
  }
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws OrderTransitionError (409, with the current status) unless `from → to` is a transition of the order life. */
export function ensureTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new OrderTransitionError(from, to);
}
