import { DomainError } from '../platform/errors/domain-error';

export class InvoiceNotPayableError extends DomainError {
  readonly kind = 'conflict';
  constructor(status: string) {
    super('INVOICE_NOT_PAYABLE', `Only an open invoice can be paid; this one is ${status}.`, { currentStatus: status });
  }
}

export class PaymentPendingError extends DomainError {
  readonly kind = 'conflict';
  constructor(paymentId: string) {
    super(
      'PAYMENT_PENDING',
      'A payment of this invoice is pending with the provider; it settles by itself. Pay again, or cancel the order, only if it fails.',
      { paymentId },
    );
  }
}

export class PaymentDeclinedError extends DomainError {
  readonly kind = 'payment_required';
  constructor(declineCode: string) {
    super('PAYMENT_DECLINED', 'The card was declined; the invoice is still open. Try another payment method.', {
      declineCode,
    });
  }
}

export class InvalidPaymentTokenError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'is not a card token of the payment provider';
    super('INVALID_PAYMENT_TOKEN', `The payment method ${message}.`, {
      errors: [{ field: 'paymentMethod.token', message }],
    });
  }
}

export class PaymentNotRefundableError extends DomainError {
  readonly kind = 'conflict';
  constructor(status: string) {
    super('PAYMENT_NOT_REFUNDABLE', `Only a captured payment can be refunded; this one is ${status}.`, {
      currentStatus: status,
    });
  }
}

export class RefundExceedsCapturedError extends DomainError {
  readonly kind = 'conflict';
  constructor(refundableCents: number) {
    super(
      'REFUND_EXCEEDS_CAPTURED',
      `Refunds never exceed what was captured: at most ${refundableCents} cents can still be refunded.`,
      { refundableCents },
    );
  }
}

export class InvalidWebhookError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(reason: string) {
    super('INVALID_WEBHOOK', `The webhook was refused: ${reason}.`);
  }
}

export class UnknownPaymentProviderError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('NOT_FOUND', 'No payment provider of that name is configured.');
  }
}
