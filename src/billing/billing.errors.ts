import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';
import { INVOICE_STATUSES } from './entities/invoice.entity';
import { PAYMENT_STATUSES } from './entities/payment.entity';

export class InvoiceNotPayableError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INVOICE_NOT_PAYABLE',
    kind: 'conflict',
    extensions: { currentStatus: { type: 'string', enum: [...INVOICE_STATUSES] } },
  };

  constructor(status: string) {
    super(`Only an open invoice can be paid; this one is ${status}.`, { currentStatus: status });
  }
}

export class PaymentPendingError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'PAYMENT_PENDING',
    kind: 'conflict',
    extensions: { paymentId: { type: 'string', format: 'uuid' } },
  };

  constructor(paymentId: string) {
    super(
      'A payment of this invoice is pending with the provider; it settles by itself. Pay again, or cancel the order, only if it fails.',
      { paymentId },
    );
  }
}

export class PaymentDeclinedError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'PAYMENT_DECLINED',
    kind: 'payment_required',
    extensions: { declineCode: { type: 'string' } },
  };

  constructor(declineCode: string) {
    super('The card was declined; the invoice is still open. Try another payment method.', {
      declineCode,
    });
  }
}

export class InvalidPaymentTokenError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INVALID_PAYMENT_TOKEN',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'is not a card token of the payment provider';
    super(`The payment method ${message}.`, {
      errors: [{ field: 'paymentMethod.token', message }],
    });
  }
}

export class PaymentNotRefundableError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'PAYMENT_NOT_REFUNDABLE',
    kind: 'conflict',
    extensions: { currentStatus: { type: 'string', enum: [...PAYMENT_STATUSES] } },
  };

  constructor(status: string) {
    super(`Only a captured payment can be refunded; this one is ${status}.`, {
      currentStatus: status,
    });
  }
}

export class RefundExceedsCapturedError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'REFUND_EXCEEDS_CAPTURED',
    kind: 'conflict',
    extensions: { refundableCents: { type: 'integer', minimum: 0 } },
  };

  constructor(refundableCents: number) {
    super(`Refunds never exceed what was captured: at most ${refundableCents} cents can still be refunded.`, {
      refundableCents,
    });
  }
}

export class InvalidWebhookError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'INVALID_WEBHOOK', kind: 'invalid_input' };

  constructor(reason: string) {
    super(`The webhook was refused: ${reason}.`);
  }
}

export class UnknownPaymentProviderError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'NOT_FOUND', kind: 'not_found' };

  constructor() {
    super('No payment provider of that name is configured.');
  }
}
