import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepExtendedQueriesTogether } from '../library-internals/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Directory the database persists to; omitted, it lives in memory only. */
  dataDir?: string;
  /**
   * Sockets the server accepts. PGlite is a single backend behind a queue, so a
   * client beyond this is refused with a plain-text error: keep it above the
   * pool size plus any CLI or psql session.
   */
  maxConnections: number;
}

/**
 * PostgreSQL compiled to WASM (PGlite), running inside this process and served
 * on a loopback port, so the `postgres` driver, the entities and the migrations
 * are the same as on a real server.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly database: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const database = await PGlite.create({ dataDir });
    const server = new PGLiteSocketServer({
      db: database,
      host: '127.0.0.1',
      port: 0,
      maxConnections: options.maxConnections,
    });
    keepExtendedQueriesTogether(server);
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    return new EmbeddedPostgres(database, server, url);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.database.close();
  }
}
