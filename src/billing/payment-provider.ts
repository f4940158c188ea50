/**
 * The port every payment processor is reached through. Amounts are integer
 * minor units. A provider answers a charge at once (captured or declined) or
 * later (pending, settled by a signed webhook).
 */
export interface ChargeRequest {
  amountCents: number;
  currency: string;
  /** A tokenized card from the provider's client library; never a card number. */
  token: string;
  /** Passed on so the provider never captures twice for one of our payments. */
  reference: string;
}

export type ChargeResult =
  | { outcome: 'captured'; providerPaymentId: string }
  | { outcome: 'pending'; providerPaymentId: string }
  | { outcome: 'declined'; declineCode: string };

export interface RefundRequest {
  providerPaymentId: string;
  amountCents: number;
  reference: string;
}

/** What a verified webhook says happened to a payment. */
export interface PaymentEvent {
  id: string;
  type: 'payment.succeeded' | 'payment.failed';
  providerPaymentId: string;
  failureCode?: string;
}

export abstract class PaymentProvider {
  /** The name in `POST /v1/billing/webhooks/:provider` and in payment records. */
  abstract readonly name: string;
  abstract charge(request: ChargeRequest): Promise<ChargeResult>;
  abstract refund(request: RefundRequest): Promise<{ providerRefundId: string }>;
  /**
   * The event of a webhook whose signature over the raw body is valid and
   * recent; throws InvalidWebhookError otherwise.
   */
  abstract verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): PaymentEvent;
}
