import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Environment } from '../platform/config/environment';
import { InvalidPaymentTokenError, InvalidWebhookError } from './billing.errors';
import {
  type ChargeRequest,
  type ChargeResult,
  type PaymentEvent,
  PaymentProvider,
  type RefundRequest,
} from './payment-provider';
import { webhookSignatureProblem } from './webhook-signature';

/** The test-mode card tokens the simulated provider knows, as a card processor's test mode documents them. */
export const SIMULATED_TOKENS = {
  succeeds: 'tok_visa',
  declines: 'tok_chargeDeclined',
  staysPending: 'tok_pending',
} as const;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/**
 * A card processor in test mode, in-process: `tok_visa` is captured,
 * `tok_chargeDeclined` declined, `tok_pending` stays pending until a signed
 * webhook (`npm run webhook:sign`) settles it. Refunds always succeed.
 */
@Injectable()
export class SimulatedPaymentProvider extends PaymentProvider {
  readonly name = 'simulated';

  constructor(private readonly environment: Environment) {
    super();
  }

  charge({ token }: ChargeRequest): Promise<ChargeResult> {
    switch (token) {
      case SIMULATED_TOKENS.succeeds:
        return Promise.resolve({ outcome: 'captured', providerPaymentId: newId('sim_pay') });
      case SIMULATED_TOKENS.staysPending:
        return Promise.resolve({ outcome: 'pending', providerPaymentId: newId('sim_pay') });
      case SIMULATED_TOKENS.declines:
        return Promise.resolve({ outcome: 'declined', declineCode: 'card_declined' });
      default:
        throw new InvalidPaymentTokenError();
    }
  }

  refund(_request: RefundRequest): Promise<{ providerRefundId: string }> {
    return Promise.resolve({ providerRefundId: newId('sim_re') });
  }

  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): PaymentEvent {
    const problem = webhookSignatureProblem(this.environment.PAYMENT_WEBHOOK_SECRET, rawBody, signatureHeader);
    if (problem) throw new InvalidWebhookError(problem);
    let event: unknown;
    try {
      event = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new InvalidWebhookError('the body is not JSON');
    }
    if (!isPaymentEvent(event)) throw new InvalidWebhookError('the body is not a payment event');
    return event;
  }
}

/**
 * Event ids, payment ids and failure codes are provider identifiers: printable
 * ASCII without spaces. Anything else (a NUL, which PostgreSQL text cannot
 * hold, answered 500) is no event of ours, signed or not.
 */
const PROVIDER_IDENTIFIER = /^[\x21-\x7e]{1,100}$/;

function isPaymentEvent(value: unknown): value is PaymentEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { id, type, providerPaymentId, failureCode } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    /^[A-Za-z0-9_-]{1,100}$/.test(id) &&
    (type === 'payment.succeeded' || type === 'payment.failed') &&
    typeof providerPaymentId === 'string' &&
    PROVIDER_IDENTIFIER.test(providerPaymentId) &&
    (failureCode === undefined || (typeof failureCode === 'string' && PROVIDER_IDENTIFIER.test(failureCode)))
  );
}
