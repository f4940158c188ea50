import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MALFORMED_URL, PATH_PARAMETER_TOO_LONG } from '../errors/platform-problems';
import { PROBLEM_CONTENT_TYPE, problemOf, statusTitle } from '../errors/problem';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';
import { problemInstanceOf } from './request-path';

interface Refusal {
  status: number;
  code: string;
  detail: string;
}

/** What Fastify's router refuses before any hook, filter or Nest code runs, by error code. */
const ROUTER_REFUSALS: Record<string, Refusal> = {
  FST_ERR_BAD_URL: {
    ...MALFORMED_URL,
    detail: 'The request path is not valid percent-encoded UTF-8.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    ...PATH_PARAMETER_TOO_LONG,
    detail: 'A path parameter is longer than 100 characters.',
  },
};

const UNROUTABLE: Refusal = { status: 400, code: 'BAD_REQUEST', detail: 'The request cannot be routed.' };

/**
 * Fastify's `frameworkErrors`: the router's own refusals answered as
 * problem+json with the request id, like every other error of the service.
 */
export function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal = ROUTER_REFUSALS[error.code] ?? UNROUTABLE;
  const problem = problemOf({ ...refusal, instance: problemInstanceOf(request.url), requestId: request.id });
  void reply
    .status(refusal.status)
    .header(REQUEST_ID_HEADER, request.id)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

interface HttpParserError extends Error {
  code?: string;
  /** The bytes the parser was reading when it gave up (a Buffer at run time). */
  rawPacket?: unknown;
}

function parserRefusal(code: string | undefined): Refusal {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'The request line and headers exceed 16 KiB.' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request was not received in time.' };
  }
  return { status: 400, code: 'MALFORMED_REQUEST', detail: 'The request is not well-formed HTTP/1.1.' };
}

/**
 * The path and a complete X-Request-Id header, when the bytes the parser was
 * reading hold them: a header sent after the head limit was never read.
 */
function readableParts(rawPacket: unknown): { path?: string; requestId?: string } {
  const head = Buffer.isBuffer(rawPacket) ? rawPacket.toString('latin1') : '';
  const path = /^[A-Z]+ (\/[^\s?]*)/.exec(head)?.[1];
  const requestId = /\r\nx-request-id:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(head)?.[1];
  return { path, requestId };
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (oversized
 * head, a broken Content-Length, unframed bytes) never becomes a request, so
 * the answer is written to the socket here, as problem+json, before it closes.
 */
export function answerClientError(error: HttpParserError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { path, requestId: sentRequestId } = readableParts(error.rawPacket);
    const requestId = requestIdFor(sentRequestId);
    const refusal = parserRefusal(error.code);
    const body = JSON.stringify(problemOf({ ...refusal, instance: problemInstanceOf(path ?? '/'), requestId }));
    socket.write(
      `HTTP/1.1 ${refusal.status} ${statusTitle(refusal.status)}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
