import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Pool } from 'pg';
import { BoundedClient, QueryDeadlineError } from './bounded-client';

/**
 * A PostgreSQL server that lets clients in (trust authentication) and then
 * never answers a query: the database end of a stalled network.
 */
class SilentServer {
  readonly sockets: Socket[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SilentServer> {
    const silent = new SilentServer(createServer());
    silent.server.on('connection', (socket) => silent.accept(socket));
    await new Promise<void>((resolve) => silent.server.listen(0, '127.0.0.1', resolve));
    return silent;
  }

  get url(): string {
    return `postgres://app@127.0.0.1:${(this.server.address() as AddressInfo).port}/app`;
  }

  /** Resolves once the client end of connection `index` has closed it. */
  closedByClient(index: number): Promise<void> {
    return new Promise((resolve) => this.sockets[index].once('close', () => resolve()));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.push(socket);
    socket.once('data', () => {
      // AuthenticationOk, then ReadyForQuery (idle); whatever comes next stays unanswered.
      socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]));
    });
  }
}

describe('BoundedClient', () => {
  let server: SilentServer;
  beforeEach(async () => {
    server = await SilentServer.start();
  });
  afterEach(() => server.stop());

  it('fails a query left unanswered at its deadline, and closes its connection rather than keep it busy', async () => {
    const client = new BoundedClient({ connectionString: server.url, queryDeadlineMs: 200 });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    await client.connect();
    const closed = server.closedByClient(0);

    await expect(client.query('SELECT 1')).rejects.toBeInstanceOf(QueryDeadlineError);
    expect(errors).toEqual([expect.any(QueryDeadlineError)]);
    await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable/);
    await closed;
  });

  it('bounds callback-style queries too, as pg-pool makes them', async () => {
    const client = new BoundedClient({ connectionString: server.url, queryDeadlineMs: 200 });
    client.on('error', () => undefined);
    await client.connect();
    const error = await new Promise<Error>((resolve) =>
      client.query('SELECT 1', [], (failure: Error) => resolve(failure)),
    );
    expect(error).toBeInstanceOf(QueryDeadlineError);
  });

  it('makes the pool drop the connection, so the next query gets a new one', async () => {
    const pool = new Pool({
      connectionString: server.url,
      max: 1,
      Client: BoundedClient,
      queryDeadlineMs: 200,
    } as never);
    try {
      await expect(pool.query('SELECT 1')).rejects.toBeInstanceOf(QueryDeadlineError);
      expect(pool.totalCount).toBe(0);
      await expect(pool.query('SELECT 2')).rejects.toBeInstanceOf(QueryDeadlineError);
      expect(server.sockets).toHaveLength(2);
    } finally {
      await pool.end();
    }
  });
});
