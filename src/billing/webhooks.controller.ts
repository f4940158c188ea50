import { Controller, Headers, HttpCode, HttpStatus, Param, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../access/authorize.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { InvalidWebhookError } from './billing.errors';
import { PaymentsService } from './payments.service';
import { UnknownPaymentProviderError } from './billing.errors';
import { ResourceNotFoundError } from '../access/access.errors';

class WebhookReceiptDto {
  /**
   * True the first time this event id arrives (applied, or moot when the payment had already settled);
   * false for a redelivery, which changes nothing.
   */
  applied!: boolean;
}

@ApiTags('billing')
@Controller('billing/webhooks')
export class WebhooksController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(':provider')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "The payment provider's event callback, authenticated by its signature",
    description:
      'Signed with `Payment-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.rawBody">` under PAYMENT_WEBHOOK_SECRET; ' +
      'unsigned, wrongly signed or older than 5 minutes: 400, and audited. Each event id is applied once. ' +
      '`npm run webhook:sign` makes a signed test event.',
  })
  @ApiHeader({ name: 'Payment-Signature', required: true })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['id', 'type', 'providerPaymentId'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
        type: { type: 'string', enum: ['payment.succeeded', 'payment.failed'] },
        providerPaymentId: { type: 'string', pattern: '^[!-~]{1,100}$' },
        failureCode: { type: 'string', pattern: '^[!-~]{1,100}$' },
      },
    },
  })
  @ApiOkResponse({ type: WebhookReceiptDto })
  @Throws(InvalidWebhookError, UnknownPaymentProviderError, ResourceNotFoundError)
  async receive(
    @Param('provider') provider: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers('payment-signature') signature: string | undefined,
  ): Promise<WebhookReceiptDto> {
    if (!request.rawBody) throw new InvalidWebhookError('the body must be application/json');
    return { applied: await this.payments.receiveWebhook(provider, request.rawBody, signature) };
  }
}
