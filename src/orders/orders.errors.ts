import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';

export class DuplicateOrderLinesError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'DUPLICATE_ORDER_LINE',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(fields: string[]) {
    super('Each product may appear on one line only: merge the quantities.', {
      errors: fields.map((field) => ({ field, message: 'names a product already on an earlier line' })),
    });
  }
}

export class QuantityTooLargeError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'QUANTITY_TOO_LARGE',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(fields: string[], max: number) {
    super(`A line may order at most ${max} units.`, {
      errors: fields.map((field) => ({ field, message: `must not be greater than ${max}` })),
    });
  }
}

export class MixedCurrenciesError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'MIXED_CURRENCIES',
    kind: 'invalid_input',
    extensions: { currencies: { type: 'array', minItems: 2, items: { type: 'string', pattern: '^[A-Z]{3}$' } } },
  };

  constructor(currencies: string[]) {
    super(
      `An order is in one currency; these products are priced in ${currencies.join(' and ')}: place separate orders.`,
      { currencies },
    );
  }
}

export class NotACustomerError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'NOT_A_CUSTOMER', kind: 'forbidden' };

  constructor() {
    super('Only users of a customer organization place orders.');
  }
}

export class OrderAmountTooLargeError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'ORDER_AMOUNT_TOO_LARGE', kind: 'invalid_input' };

  constructor() {
    super(
      `The order's amounts would exceed ${Number.MAX_SAFE_INTEGER} minor units, beyond exact arithmetic: place smaller orders.`,
    );
  }
}
