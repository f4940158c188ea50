import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { type Environment, validateEnvironment } from '../../src/platform/config/environment';

export interface TestApp {
  app: NestFastifyApplication;
  environment: Environment;
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
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  extraModules: NonNullable<ModuleMetadata['imports']> = [],
): Promise<TestApp> {
  const environment = validateEnvironment({ ...TEST_DEFAULTS, ...process.env, ...overrides });
  const app = await createApp(environment, extraModules);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    environment,
    http: request(app.getHttpServer()),
    close: () => app.close(),
  };
}

/** Concurrency results mean something only on a real PostgreSQL server. */
export const onRealDatabase = process.env.TEST_DATABASE_REAL === 'true';
