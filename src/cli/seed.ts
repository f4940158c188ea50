/**
 * `npm run seed`: the demo data a newcomer explores — the demo customer
 * organization and its users, and the demo catalog — on the configured
 * database (the embedded one when DATABASE_URL is unset; stop the app first,
 * as the embedded database serves one process). Idempotent; refused in production.
 */
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { loadEnvironmentOrExit } from '../platform/config/load-environment';
import { ensureDatabase } from '../platform/database/ensure-database';

async function seed(): Promise<void> {
  const environment = loadEnvironmentOrExit();
  if (environment.isProduction) {
    process.stderr.write('npm run seed creates demo accounts and products: it is refused with NODE_ENV=production.\n');
    process.exit(1);
  }
  environment.DEMO_SEED = true;
  const embedded = await ensureDatabase(environment);
  // Initialising the application runs the same start-up seeding as the app: first admin, demo organization, catalog.
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(environment), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.init();
  await app.close();
  await embedded?.stop();
}

seed().catch((error: unknown) => {
  new NestLogger('Seed').error({ err: error }, 'Seeding failed');
  process.exit(1);
});
