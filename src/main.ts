import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { AppLifecycle } from './health/app-lifecycle';
import { drainHttpServer } from './health/http-drain';
import { loadEnvironmentOrExit } from './platform/config/load-environment';
import { ensureDatabase } from './platform/database/ensure-database';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  const environment = loadEnvironmentOrExit();
  const logger = new Logger('Bootstrap');
  const embedded = await ensureDatabase(environment);

  const app = await createApp(environment);
  const lifecycle = app.get(AppLifecycle);

  // Installed before the server listens: a signal right after the first answer must still shut down cleanly.
  let shuttingDown = false;
  let listening = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`${signal} received: unready now, finishing in-flight requests, then closing`);
    const deadline = setTimeout(() => {
      logger.error(`Shutdown took longer than ${environment.SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
      process.exit(1);
    }, environment.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    // Readiness answers 503 from here on; requests still arriving are served while the load
    // balancer notices and stops sending new ones.
    lifecycle.beginDraining();
    if (listening) {
      await delay(environment.shutdownDelayMs);
      // No new connections; the requests in flight finish, within the budget that leaves the final steps
      // their time.
      const drain = await drainHttpServer(app, environment.shutdownDrainBudgetMs);
      if (!drain.drained) {
        logger.warn(
          `Draining took longer than ${environment.shutdownDrainBudgetMs} ms; ` +
            `${drain.cutConnections} connection(s) cut`,
        );
      }
    }
    // Then what they left behind: the final audit seal and outbox publish (beforeApplicationShutdown
    // hooks), and last the database. The HTTP server is closed already.
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, (received) => void shutdown(received));

  await app.listen({ port: environment.PORT, host: environment.HOST });
  listening = true;
  if (embedded)
    logger.log(`DATABASE_URL is not set: using the embedded PostgreSQL persisted in ${environment.DATA_DIR}`);
  logger.log(`Listening on ${await app.getUrl()} (docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error({ err: error }, 'Start-up failed');
  process.exit(1);
});
