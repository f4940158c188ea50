import { AppProcess, killAppProcesses, testAppEnvironment } from './support/app-process';

interface AccessLogLine {
  msg: string;
  req?: { method: string; url: string; query?: string[]; headers?: Record<string, string> };
}

/** The access log lines the app wrote for requests to `path`. */
function accessLinesFor(app: AppProcess, path: string): AccessLogLine[] {
  return app.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as AccessLogLine)
    .filter((line) => line.req?.url === path);
}

describe('the access log', () => {
  let app: AppProcess;
  let baseUrl: string;

  beforeAll(async () => {
    app = AppProcess.spawn({ ...testAppEnvironment(), LOG_LEVEL: 'debug', PORT: '0', HOST: '127.0.0.1' });
    const listening = await app.waitForLog(/^Listening on /);
    baseUrl = /^Listening on (http:\/\/\S+)/.exec(listening.msg)?.[1] ?? '';
  });
  afterAll(() => killAppProcesses());

  it('writes the path and the names of query parameters, never their values', async () => {
    const secret = 'query-secret-7f3a9c';
    // Refused (400: the endpoint takes no such parameter), logged all the same.
    await fetch(`${baseUrl}/v1/products?access_token=${secret}&q=bolt&limit=5`);
    await fetch(`${baseUrl}/v1/no-such-thing?token=${secret}-404`);
    await fetch(`${baseUrl}/v1/categories?${secret}-bare`);
    // Let the last lines reach the pipe.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(app.stdout).not.toContain(secret);
    expect(accessLinesFor(app, '/v1/products').map((line) => line.req?.query)).toContainEqual([
      'access_token',
      'q',
      'limit',
    ]);
    expect(accessLinesFor(app, '/v1/no-such-thing').map((line) => line.req?.query)).toContainEqual(['token']);
    expect(accessLinesFor(app, '/v1/categories').map((line) => line.req?.query)).toContainEqual(['[REDACTED]']);
  });

  it('redacts every header that carries a credential at debug, and keeps the others', async () => {
    const credentials: Record<string, string> = {
      authorization: 'Bearer header-secret-authorization',
      'proxy-authorization': 'Basic header-secret-proxy',
      'x-api-key': 'bk_header-secret-api-key',
      cookie: 'session=header-secret-cookie',
      'payment-signature': 't=1700000000,v1=header-secret-signature',
      'x-auth-token': 'header-secret-custom-token',
      'x-client-secret': 'header-secret-client',
    };
    await fetch(`${baseUrl}/v1/categories`, {
      headers: { ...credentials, 'idempotency-key': 'visible-idempotency-key', 'user-agent': 'log-test/1.0' },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(app.stdout).not.toContain('header-secret');
    const [line] = accessLinesFor(app, '/v1/categories').filter((entry) => entry.req?.headers?.['x-auth-token']);
    expect(line.req?.headers).toMatchObject({
      ...Object.fromEntries(Object.keys(credentials).map((name) => [name, '[REDACTED]'])),
      // Scoped to its caller: without the caller's credentials it replays nothing, and it traces a retry.
      'idempotency-key': 'visible-idempotency-key',
      'user-agent': 'log-test/1.0',
    });
  });
});
