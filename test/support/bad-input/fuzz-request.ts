import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import type TestAgent from 'supertest/lib/agent';

export const FUZZ_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type FuzzMethod = (typeof FUZZ_METHODS)[number];

export interface FuzzBody {
  /** Omitted: the request carries no Content-Type header at all. */
  contentType?: string;
  bytes: Buffer;
  /** What is wrong with it, for failure messages. */
  label: string;
}

export interface ObservedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const REQUEST_TIMEOUT_MS = 15_000;
const SHOWN_CHARS = 240;

/**
 * One malformed HTTP request. `path` and `query` are already percent-encoded
 * (sometimes deliberately wrongly) and are sent byte for byte.
 */
export class FuzzRequest {
  constructor(
    readonly method: FuzzMethod,
    readonly path: string,
    readonly query: string,
    readonly headers: Record<string, string | string[]>,
    readonly body?: FuzzBody,
  ) {}

  get url(): string {
    return this.query ? `${this.path}?${this.query}` : this.path;
  }

  /** How fast-check prints a counterexample: readable, with long parts cut. */
  [fc.toStringMethod](): string {
    const lines = [`${this.method} ${shorten(this.url)}`];
    for (const [name, value] of Object.entries(this.headers)) lines.push(`${name}: ${shorten(JSON.stringify(value))}`);
    if (this.body) {
      lines.push(
        `content-type: ${this.body.contentType === undefined ? '(none)' : JSON.stringify(this.body.contentType)}`,
      );
      lines.push(
        `body (${this.body.label}, ${this.body.bytes.length} bytes): ${shorten(JSON.stringify(this.body.bytes.toString('utf8')))}`,
      );
    }
    return `\n  ${lines.join('\n  ')}\n`;
  }
}

function shorten(text: string): string {
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}…(${text.length} chars)`;
}

/** Sends the request as is and reads the raw response, whatever its status or media type. */
export async function send(http: TestAgent, request: FuzzRequest): Promise<ObservedResponse> {
  const method = request.method.toLowerCase() as Lowercase<FuzzMethod>;
  const test = http[method](request.url)
    .redirects(0)
    .ok(() => true)
    .timeout(REQUEST_TIMEOUT_MS)
    .responseType('arraybuffer')
    .set(request.headers);
  if (request.body) {
    if (request.body.contentType !== undefined) test.set('content-type', request.body.contentType);
    // Without a serializer of our own, superagent JSON-encodes a Buffer sent as application/json.
    test.serialize((bytes: Buffer) => bytes as unknown as string).send(request.body.bytes);
  }
  const response = await test;
  const body: unknown = response.body;
  return {
    status: response.status,
    headers: response.headers,
    text: Buffer.isBuffer(body) ? body.toString('utf8') : '',
  };
}

export function describeResponse(response: ObservedResponse): string {
  return `${response.status} ${response.headers['content-type'] ?? '(no content-type)'} ${shorten(response.text)}`;
}
