import { FuzzRequest } from './fuzz-request';

export type GapId =
  'malformed-url-encoding' | 'over-long-path-parameter' | 'rejected-by-http-parser' | 'deeply-nested-json';

export interface KnownGap {
  id: GapId;
  /** What the service does wrong today, and where the fix belongs. */
  finding: string;
  /** The smallest request that shows it. */
  reproduction: FuzzRequest;
}

const nested = (depth: number): Buffer => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);

/**
 * Bad input the service does not yet answer as the API promises. While a gap
 * is listed, the fuzzer does not generate that class of input (so the other
 * classes keep being checked) and the suite runs its reproduction as an
 * expected failure. Once the gap is fixed that expected failure starts
 * passing, Jest reports it, and the entry is deleted: the fuzzer then covers
 * the class again.
 */
export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    id: 'malformed-url-encoding',
    finding:
      'A path that is not valid percent-encoded UTF-8 is answered by the Fastify router (FST_ERR_BAD_URL) before Nest runs: ' +
      '400 application/json, no X-Request-Id. Fix in src/app.setup.ts: FastifyAdapter option `frameworkErrors`.',
    reproduction: new FuzzRequest('GET', '/v1/test-probes/%E0%A4%A', '', {}),
  },
  {
    id: 'over-long-path-parameter',
    finding:
      'A path parameter longer than maxParamLength (100) is answered by the Fastify router (FST_ERR_MAX_PARAM_LENGTH): ' +
      '414 application/json, no X-Request-Id. Same fix as malformed-url-encoding.',
    reproduction: new FuzzRequest('GET', `/v1/test-probes/${'a'.repeat(101)}`, '', {}),
  },
  {
    id: 'rejected-by-http-parser',
    finding:
      "A request Node's HTTP parser refuses (request line plus headers over 16 KiB: 431; a Content-Length that does not " +
      "match the body, or unframed bytes after a request: 400) is answered by Fastify's default clientErrorHandler as " +
      'application/json without X-Request-Id. Fix in src/app.setup.ts: FastifyAdapter option `clientErrorHandler` ' +
      'writing a problem+json response.',
    reproduction: new FuzzRequest('GET', '/health/live', `q=${'a'.repeat(20_000)}`, {}),
  },
  {
    id: 'deeply-nested-json',
    finding:
      'A JSON body nested a few thousand levels deep (fewer while the code is not yet optimized) overflows the stack in ' +
      'class-transformer (ValidationPipe transform): ' +
      '500 and an error log per request. Fix: cap nesting depth when parsing JSON (a custom application/json parser ' +
      'in src/app.setup.ts answering 400), before any pipe runs.',
    reproduction: new FuzzRequest(
      'POST',
      '/v1/test-probes',
      '',
      {},
      {
        contentType: 'application/json',
        bytes: nested(100_000),
        label: 'arrays nested 100,000 deep',
      },
    ),
  },
];

export function isGapOpen(id: GapId): boolean {
  return KNOWN_GAPS.some((gap) => gap.id === id);
}
