import { type Agent, get, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain GET over node:http, so a test controls the connection (agent, keep-alive). */
export function httpGet(url: string, agent?: Agent): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** A JSON POST over node:http on a connection of its own. */
export function httpPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Whether a new TCP connection to `url`'s host and port is accepted. */
export function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}

/** A request whose body the test finishes sending when it chooses, as a slow client would. */
export interface SlowUpload {
  /** Resolves once the server has read the request head and half the body is on its way. */
  started: Promise<void>;
  /** Whether any response (or error) has come back yet. */
  readonly settled: boolean;
  /** Sends the rest of the body and resolves with the response. */
  finish(): Promise<HttpResponse>;
}

/**
 * POSTs `body` as JSON in two halves. `Expect: 100-continue` makes the server
 * say when it has read the request head, so the test knows the request is in
 * its hands before going on.
 */
export function startSlowUpload(
  url: string,
  body: unknown,
  agent: Agent,
  headers: Record<string, string> = {},
): SlowUpload {
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  const request = httpRequest(url, {
    method: 'POST',
    agent,
    headers: {
      ...headers,
      'content-type': 'application/json',
      'content-length': payload.length,
      expect: '100-continue',
    },
  });
  let settled = false;
  const response = new Promise<HttpResponse>((resolve, reject) => {
    request.on('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text }));
      incoming.on('error', reject);
    });
    request.on('error', reject);
  }).finally(() => (settled = true));
  // Surfaces through finish(); not an unhandled rejection meanwhile.
  response.catch(() => undefined);
  const started = new Promise<void>((resolve, reject) => {
    request.once('continue', () => request.write(payload.subarray(0, half), () => resolve()));
    response.then((early) => reject(new Error(`answered ${early.status} before the body was sent`)), reject);
  });
  request.flushHeaders();
  return {
    started,
    get settled() {
      return settled;
    },
    finish: () => {
      request.end(payload.subarray(half));
      return response;
    },
  };
}

/** What a client saw of one upload: the response, or the error that ended it before any response came. */
export type UploadOutcome =
  { status: number; headers: Record<string, string | string[] | undefined>; body: string } | { error: string };

/**
 * POSTs `size` bytes (one JSON string) to `url` on a connection of its own,
 * as a client that writes its whole body whatever the server answers meanwhile:
 * with a Content-Length, or chunked when `chunked` is set.
 */
export function upload(url: string, size: number, { chunked = false } = {}): Promise<UploadOutcome> {
  const body = Buffer.alloc(size, 'a');
  body[0] = 0x22;
  body[size - 1] = 0x22;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: UploadOutcome) => {
      if (!settled) resolve(outcome);
      settled = true;
    };
    const request = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': size }) },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => settle({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      response.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.message }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.message }));
    request.end(body);
  });
}
