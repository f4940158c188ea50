import type { ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';

/** Helmet's options: the Content-Security-Policy the API and its docs page need, and helmet's defaults. */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
});

/**
 * The headers helmet sets, computed once: with these options none depends on
 * the request (no CSP nonce), so helmet runs against a recording response at
 * start-up and every reply gets the same set.
 */
function recordSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  securityHeaders({} as never, recorder, (error?: unknown) => {
    if (error instanceof Error) throw error;
  });
  return headers;
}

/**
 * Helmet's headers on every response, errors included, set on Fastify's reply
 * like its own. Computing them once matters: @fastify/helmet called
 * `helmet(options)` for each request, re-parsing the Content-Security-Policy
 * (6% of the CPU of a bare request), and headers set on the raw response make
 * Node re-validate every other header of the reply when it is written.
 */
export function useSecurityHeaders(app: NestFastifyApplication): void {
  const headers = recordSecurityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
}
