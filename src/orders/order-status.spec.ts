import {
  canTransition,
  ensureTransition,
  ORDER_STATUSES,
  OrderTransitionError,
  type OrderStatus,
} from './order-status';

const ALLOWED: [OrderStatus, OrderStatus][] = [
  ['pending_payment', 'paid'],
  ['pending_payment', 'cancelled'],
  ['paid', 'fulfilled'],
  ['paid', 'refunded'],
  ['fulfilled', 'refunded'],
];

const allPairs = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as [OrderStatus, OrderStatus]));
const isAllowed = ([from, to]: [OrderStatus, OrderStatus]) =>
  ALLOWED.some(([allowedFrom, allowedTo]) => allowedFrom === from && allowedTo === to);

describe('order life', () => {
  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => ensureTransition(from, to)).not.toThrow();
  });

  it.each(allPairs.filter((pair) => !isAllowed(pair)))('forbids %s → %s with the current status', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => ensureTransition(from, to)).toThrow(OrderTransitionError);
    try {
      ensureTransition(from, to);
    } catch (error) {
      expect((error as OrderTransitionError).extensions).toMatchObject({ currentStatus: from });
    }
  });

  it('ends in cancelled and refunded', () => {
    for (const to of ORDER_STATUSES) {
      expect(canTransition('cancelled', to)).toBe(false);
      expect(canTransition('refunded', to)).toBe(false);
    }
  });
});
