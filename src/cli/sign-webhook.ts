/**
 * `npm run webhook:sign -- <providerPaymentId> [succeeded|failed]`: prints a
 * signed test event of the simulated provider and the curl command that
 * delivers it, signed with PAYMENT_WEBHOOK_SECRET (the development secret
 * when unset), so a pending payment (`tok_pending`) can be settled by hand.
 */
import { randomBytes } from 'node:crypto';
import { loadEnvironmentOrExit } from '../platform/config/load-environment';
import { signWebhook } from '../billing/webhook-signature';

const [providerPaymentId, outcome = 'succeeded'] = process.argv.slice(2);
if (!providerPaymentId || !['succeeded', 'failed'].includes(outcome)) {
  process.stderr.write('usage: npm run webhook:sign -- <providerPaymentId> [succeeded|failed]\n');
  process.exit(2);
}
const environment = loadEnvironmentOrExit();
const event = {
  id: `evt_${randomBytes(12).toString('hex')}`,
  type: `payment.${outcome}`,
  providerPaymentId,
  ...(outcome === 'failed' ? { failureCode: 'card_declined' } : {}),
};
const body = JSON.stringify(event);
const signature = signWebhook(environment.PAYMENT_WEBHOOK_SECRET, body);
const url = `http://localhost:${environment.PORT}/v1/billing/webhooks/simulated`;
process.stdout.write(
  `curl -X POST ${url} -H 'content-type: application/json' -H 'Payment-Signature: ${signature}' --data '${body}'\n`,
);
