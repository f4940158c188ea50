import type { FuzzRequest, ObservedResponse } from './fuzz-request';

/** What docs/api-guide.md ("Conventions") calls a sane caller request id (kept and echoed); anything else is replaced. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBLEM_CONTENT_TYPE = /^application\/problem\+json(;|$)/;
const STRING_MEMBERS = ['type', 'title', 'detail', 'instance', 'requestId'] as const;
/** Node reads at most this much of a request head, then answers 431 without reading the rest. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Room for what the client adds before the caller's headers (Host and the like). */
const CLIENT_HEADER_BYTES = 256;
/** A stack frame, a module path or a driver error in a body means internals leaked. */
const INTERNALS = /\n\s+at \S|node_modules|QueryFailedError|EntityNotFound|\bpg_\w+/;

/**
 * Every way a response to bad input can break the API's promises: a 5xx, a
 * missing or insane X-Request-Id, or an error that is not a complete
 * problem+json body. A 2xx may carry any body.
 */
export function responseViolations(request: FuzzRequest, response: ObservedResponse): string[] {
  const violations: string[] = [];
  if (response.status >= 500) violations.push(`answered ${response.status}: bad input must never cause a server error`);
  violations.push(...requestIdViolations(request, response));
  const isSuccess = response.status >= 200 && response.status < 300;
  if (!isSuccess) violations.push(...problemViolations(request, response));
  return violations;
}

function requestIdViolations(request: FuzzRequest, response: ObservedResponse): string[] {
  const answered = response.headers['x-request-id'];
  if (typeof answered !== 'string') return ['no X-Request-Id header in the response'];
  if (!SANE_REQUEST_ID.test(answered)) return [`X-Request-Id ${JSON.stringify(answered)} is not sane`];
  const sent = request.headers['x-request-id'];
  // The HTTP parser strips surrounding spaces and tabs before the app sees the value.
  const received = typeof sent === 'string' ? sent.replace(/^[ \t]+|[ \t]+$/g, '') : undefined;
  // A 431 answers a head the server stopped reading: a request id past that point was never received.
  if (response.status === 431 && !requestIdWithinReadHead(request)) return [];
  if (received !== undefined && SANE_REQUEST_ID.test(received) && answered !== received) {
    return [`the sane X-Request-Id ${JSON.stringify(received)} was replaced by ${JSON.stringify(answered)}`];
  }
  return [];
}

/** Whether the X-Request-Id header ends within the part of the head the server reads before refusing it. */
function requestIdWithinReadHead(request: FuzzRequest): boolean {
  let offset = `${request.method} ${request.url} HTTP/1.1\r\n`.length + CLIENT_HEADER_BYTES;
  for (const [name, value] of Object.entries(request.headers)) {
    offset += `${name}: ${String(value)}\r\n`.length;
    if (name.toLowerCase() === 'x-request-id') return offset <= MAX_HEAD_BYTES;
  }
  return false;
}

function problemViolations(request: FuzzRequest, response: ObservedResponse): string[] {
  const contentType = response.headers['content-type'] ?? '';
  if (!PROBLEM_CONTENT_TYPE.test(contentType)) {
    return [`a ${response.status} must be application/problem+json, got ${JSON.stringify(contentType)}`];
  }
  // A HEAD response has the headers of the GET it mirrors, without the body.
  if (request.method === 'HEAD') return [];
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return ['the problem body is not JSON'];
  }
  return [
    ...problemBodyViolations(body, response),
    ...(INTERNALS.test(response.text) ? ['the problem body leaks internals'] : []),
  ];
}

function problemBodyViolations(body: unknown, response: ObservedResponse): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return ['the problem body is not a JSON object'];
  const problem = body as Record<string, unknown>;
  const violations = STRING_MEMBERS.filter(
    (member) => typeof problem[member] !== 'string' || problem[member] === '',
  ).map((member) => `problem member "${member}" is missing or not a non-empty string`);
  if (problem.status !== response.status) {
    violations.push(`problem status ${JSON.stringify(problem.status)} differs from the HTTP status ${response.status}`);
  }
  if (problem.requestId !== response.headers['x-request-id'])
    violations.push('problem requestId differs from X-Request-Id');
  return violations;
}
