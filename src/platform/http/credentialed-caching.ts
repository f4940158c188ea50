import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { PRIVATE_CACHE_CONTROL, VARY_BY_CREDENTIALS } from './response-headers';

export const carriesCredentials = (request: FastifyRequest): boolean =>
  request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;

const NAMES_CREDENTIALS = /\bauthorization\b/i;

/**
 * Every answer to a request that carried credentials (`Authorization`,
 * `X-API-Key`), errors included, is for that caller only: without a
 * Cache-Control of its own (a read's, `no-store` on credentials) it gets
 * `private, no-cache`, and `Vary` names the credential headers, so that no
 * shared cache hands one customer's answer to another. Anonymous answers
 * are left as they are.
 */
export function useCredentialedCaching(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      if (carriesCredentials(request)) {
        if (!reply.hasHeader('cache-control')) void reply.header('cache-control', PRIVATE_CACHE_CONTROL);
        const vary = reply.getHeader('vary');
        if (vary === undefined) void reply.header('vary', VARY_BY_CREDENTIALS);
        else if (!NAMES_CREDENTIALS.test(String(vary)))
          void reply.header('vary', `${String(vary)}, ${VARY_BY_CREDENTIALS}`);
      }
      done(null, payload);
    });
}
