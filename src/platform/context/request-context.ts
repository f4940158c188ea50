import type { IncomingMessage } from 'node:http';

/** Who asked, from where: what the audit trail and logs attach to every event. */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export const REQUEST_CONTEXT = 'requestContext';

/** Reads the id and IP that `useRequestContext` copies from Fastify onto the raw request. */
export function requestContextOf(request: IncomingMessage & { ip?: string }): RequestContext {
  const userAgent = request.headers['user-agent'];
  return {
    requestId: typeof request.id === 'string' || typeof request.id === 'number' ? String(request.id) : 'unknown',
    ip: request.ip ?? request.socket?.remoteAddress ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
  };
}
