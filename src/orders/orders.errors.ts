import { DomainError } from '../platform/errors/domain-error';

export class DuplicateOrderLinesError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(fields: string[]) {
    super('DUPLICATE_ORDER_LINE', 'Each product may appear on one line only: merge the quantities.', {
      errors: fields.map((field) => ({ field, message: 'names a product already on an earlier line' })),
    });
  }
}

export class QuantityTooLargeError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(fields: string[], max: number) {
    super('QUANTITY_TOO_LARGE', `A line may order at most ${max} units.`, {
      errors: fields.map((field) => ({ field, message: `must not be greater than ${max}` })),
    });
  }
}

export class MixedCurrenciesError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(currencies: string[]) {
    super(
      'MIXED_CURRENCIES',
      `An order is in one currency; these products are priced in ${currencies.join(' and ')}: place separate orders.`,
      { currencies },
    );
  }
}

export class NotACustomerError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('NOT_A_CUSTOMER', 'Only users of a customer organization place orders.');
  }
}

export class OrderAmountTooLargeError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    super(
      'ORDER_AMOUNT_TOO_LARGE',
      `The order's amounts would exceed ${Number.MAX_SAFE_INTEGER} minor units, beyond exact arithmetic: place smaller orders.`,
    );
  }
}
