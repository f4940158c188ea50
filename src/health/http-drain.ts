import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** How a drain ended: every request finished, or the budget ran out and the connections left were cut. */
export type DrainOutcome = { drained: true } | { drained: false; cutConnections: number };

/**
 * Stops accepting connections and waits for the requests in flight, for at
 * most `budgetMs`; then destroys the connections still open, so that what
 * follows (the final audit seal, the outbox publish, closing the database)
 * runs whatever a client does. A client that never finishes its body would
 * otherwise hold the server open until the process is killed, its events
 * unsealed.
 */
export async function drainHttpServer(app: NestFastifyApplication, budgetMs: number): Promise<DrainOutcome> {
  const fastify = app.getHttpAdapter().getInstance();
  const closed = fastify.close();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), budgetMs);
  });
  try {
    if ((await Promise.race([closed, expired])) !== 'expired') return { drained: true };
  } finally {
    clearTimeout(timer);
  }
  const cutConnections = await new Promise<number>((resolve, reject) =>
    fastify.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
  fastify.server.closeAllConnections();
  await closed;
  return { drained: false, cutConnections };
}
