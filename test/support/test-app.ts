import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Test } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { type Environment, validateEnvironment } from '../../src/platform/config/environment';
import type { OpenApiDocument } from './openapi-document';
import { ResponseContract } from './response-contract';

export interface TestApp {
  app: NestFastifyApplication;
  environment: Environment;
  /** The OpenAPI document the app serves at /docs-json. */
  document: OpenApiDocument;
  http: TestAgent;
  close(): Promise<void>;
}

/**
 * Every app in a Jest worker shares that worker's heap, which grows past the
 * production bound late in a full run; readiness would then fail for a reason
 * that is not the app's. The heap bound has its own test with a low limit.
 */
const TEST_DEFAULTS: Record<string, string> = { HEALTH_HEAP_LIMIT_MB: '65536' };

/**
 * The real application, built by the same `createApp` as main.ts, against the
 * run's test database (or whatever `overrides` say), ready for HTTP calls.
 * `checkedClient(app.getHttpServer(), document)` is a client whose every
 * response is checked against the document the app serves (response-contract.ts).
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  extraModules: NonNullable<ModuleMetadata['imports']> = [],
): Promise<TestApp> {
  const environment = validateEnvironment({ ...TEST_DEFAULTS, ...process.env, ...overrides });
  const app = await createApp(environment, extraModules);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const document = await servedDocument(app);
  return {
    app,
    environment,
    document,
    http: request(app.getHttpServer()),
    close: () => app.close(),
  };
}

async function servedDocument(app: NestFastifyApplication): Promise<OpenApiDocument> {
  const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
  if (response.statusCode !== 200) throw new Error(`GET /docs-json answered ${response.statusCode}`);
  return response.json<OpenApiDocument>();
}

/**
 * supertest's `request(server)`, each of whose requests asserts first that its
 * response keeps to `document`. (supertest's client is a plain object of one
 * request starter per HTTP method, whatever its type says.)
 */
export function checkedClient(server: Parameters<typeof request>[0], document: OpenApiDocument): TestAgent {
  const contract = ResponseContract.of(document);
  const starters = Object.entries(request(server) as unknown as Record<string, (url: string) => Test>);
  return Object.fromEntries(
    starters.map(([method, start]) => [
      method,
      (url: string) => {
        const test = start(url);
        return test.expect((response) => contract.check(test.method, test.url, response));
      },
    ]),
  ) as unknown as TestAgent;
}

/** Concurrency results mean something only on a real PostgreSQL server. */
export const onRealDatabase = process.env.TEST_DATABASE_REAL === 'true';
