import { connect } from 'node:net';
import { killAppProcesses, startAppProcess, testAppEnvironment } from './support/app-process';
import { upload, type UploadOutcome } from './support/http-client';

const LIMIT = 64 * 1024;
const MiB = 1024 * 1024;

/** The 413 problem every refused upload must receive, whatever happened to the connection after. */
const TOO_LARGE = {
  status: 413,
  type: 'https://problems.b2b-commerce.example/payload-too-large',
};

const seen = (outcome: UploadOutcome) =>
  'error' in outcome ? outcome : { status: outcome.status, type: (JSON.parse(outcome.body) as { type: string }).type };

/**
 * A body over BODY_LIMIT_BYTES, sent to the server as its own process (in the
 * test's process the client and server share one event loop and the race that
 * loses the answer does not happen).
 */
describe('a request body over the limit', () => {
  let baseUrl: string;
  let host: string;
  let port: number;

  beforeAll(async () => {
    ({ baseUrl } = await startAppProcess({ ...testAppEnvironment(), BODY_LIMIT_BYTES: String(LIMIT) }));
    const url = new URL(baseUrl);
    host = url.hostname;
    port = Number(url.port);
  });
  afterAll(() => killAppProcesses());

  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])(
    'is answered 413 problem+json every time, never a broken connection (4 MiB, %s, 15 times)',
    async (_how, chunked) => {
      for (let attempt = 0; attempt < 15; attempt++) {
        const outcome = await upload(`${baseUrl}/v1/auth/login`, 4 * MiB, { chunked });
        expect({ attempt, outcome: seen(outcome) }).toEqual({ attempt, outcome: TOO_LARGE });
      }
    },
  );

  it('is answered 413 through fetch every time', async () => {
    for (let attempt = 0; attempt < 15; attempt++) {
      let outcome: unknown;
      try {
        const response = await fetch(`${baseUrl}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.alloc(4 * MiB, 'a'),
        });
        outcome = { status: response.status, type: ((await response.json()) as { type: string }).type };
      } catch (error) {
        outcome = { error: String((error as { cause?: unknown }).cause ?? error) };
      }
      expect({ attempt, outcome }).toEqual({ attempt, outcome: TOO_LARGE });
    }
  });

  it('is refused from its Content-Length at once when far too large, without waiting for the body', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(port, host, () =>
        socket.write(
          `POST /v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${1024 * MiB}\r\n\r\n{"email":`,
        ),
      );
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain(TOO_LARGE.type);
  });

  it('is cut off when a chunked body runs on past what the server will read: the connection closes', async () => {
    const sent = await new Promise<number>((resolve) => {
      let written = 0;
      const chunk = Buffer.alloc(256 * 1024, 'a');
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      const socket = connect(port, host, () => {
        socket.write(
          'POST /v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const pump = () => {
          while (!socket.destroyed && written < 1024 * MiB) {
            written += chunk.length;
            if (!socket.write(frame)) return void socket.once('drain', pump);
          }
        };
        pump();
      });
      socket.on('close', () => resolve(written));
      socket.on('error', () => undefined);
      socket.resume();
    });
    expect(sent).toBeLessThan(256 * MiB);
  });
});
