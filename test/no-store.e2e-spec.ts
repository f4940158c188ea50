import type { OpenAPIV3 } from 'openapi-types';
import { generate } from 'otplib';
import { bearer, createUser, type TestUser } from './support/identity';
import { fetchOpenApiDocument, resolve } from './support/openapi-document';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Answers that carry credentials (tokens, TOTP secrets, recovery codes, API
 * keys) must never be kept by a cache, shared or private: `Cache-Control:
 * no-store` on each, and in the document for each of those operations.
 */
describe('Cache-Control: no-store on answers carrying credentials', () => {
  let testApp: TestApp;
  let user: TestUser;
  let secret: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    user = await createUser(testApp, { roles: ['org_admin'] });
  });
  afterAll(() => testApp.close());

  // In order: MFA is set up before it is enabled.
  const credentialAnswers: [
    operation: string,
    method: 'post',
    path: string,
    status: number,
    call: () => Promise<{
      status: number;
      headers: Record<string, string>;
    }>,
  ][] = [
    [
      'login',
      'post',
      '/v1/auth/login',
      200,
      () => testApp.http.post('/v1/auth/login').send({ email: user.email, password: user.password }),
    ],
    [
      'refresh',
      'post',
      '/v1/auth/refresh',
      200,
      async () => {
        const login = await testApp.http.post('/v1/auth/login').send({ email: user.email, password: user.password });
        return testApp.http.post('/v1/auth/refresh').send({ refreshToken: login.body.refreshToken });
      },
    ],
    [
      'MFA setup (the TOTP secret)',
      'post',
      '/v1/me/mfa/setup',
      200,
      async () => {
        const response = await testApp.http.post('/v1/me/mfa/setup').set(bearer(user));
        secret = response.body.secret;
        return response;
      },
    ],
    [
      'MFA enable (the recovery codes)',
      'post',
      '/v1/me/mfa/enable',
      200,
      async () =>
        testApp.http
          .post('/v1/me/mfa/enable')
          .set(bearer(user))
          .send({ otp: await generate({ secret }) }),
    ],
    [
      'API key creation (the key)',
      'post',
      '/v1/api-keys',
      201,
      () =>
        testApp.http
          .post('/v1/api-keys')
          .set(bearer(user))
          .send({ name: 'machine', roles: ['org_admin'] }),
    ],
  ];

  it.each(credentialAnswers)(
    '%s: no-store on the answer, and in the document',
    async (_name, method, path, status, call) => {
      const response = await call();
      expect(response.status).toBe(status);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.pragma).toBeUndefined();

      const document = await fetchOpenApiDocument(testApp.http);
      const operation = document.paths[path]?.[method];
      expect(operation?.responses[String(status)]).toBeDefined();
      const documented = resolve<OpenAPIV3.ResponseObject>(
        document,
        operation?.responses[String(status)] ?? {
          description: 'undocumented',
        },
      );
      const cacheControl = documented.headers?.['Cache-Control'];
      expect(cacheControl && resolve(document, cacheControl)).toMatchObject({
        schema: { type: 'string', enum: ['no-store'] },
      });
      // The answer's body stays documented beside its header.
      expect(documented.content).toMatchObject({ 'application/json': { schema: { $ref: expect.any(String) } } });
    },
  );

  it('leaves ordinary answers alone', async () => {
    for (const response of [
      await testApp.http.get('/v1/me').set(bearer(user)).expect(200),
      await testApp.http.get('/v1/products?limit=1').expect(200),
    ]) {
      expect(response.headers['cache-control'] ?? '').not.toContain('no-store');
    }
  });
});
