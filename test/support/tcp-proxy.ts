import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpTarget {
  host: string;
  port: number;
}

/** Where a postgres:// URL points; the default port when it names none. */
export function targetOf(databaseUrl: string): TcpTarget {
  const url = new URL(databaseUrl);
  return { host: url.hostname, port: Number(url.port || 5432) };
}

/**
 * A loopback TCP proxy to put in front of a database, so tests can take it
 * away (`cut`, `refuseConnections`), give it back (`restore`,
 * `acceptConnections`), slow its answers (`setLatency`) or stall the network
 * (`stall`, `resume`) while the app under test keeps running.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private latencyMs = 0;
  private stalled = false;
  /** What a stalled network holds back, in order: bytes and ends, each side's. */
  private readonly held: (() => void)[] = [];
  /** Where the proxy listened before `refuseConnections`, to listen there again. */
  private refusedPort: number | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: TcpTarget,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: TcpTarget): Promise<TcpProxy> {
    const proxy = new TcpProxy(createServer(), target);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `databaseUrl` with its host and port replaced by this proxy's. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Drops every open connection and resets every new one until `restore`. */
  cut(): void {
    this.refusing = true;
    this.held.length = 0;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  /**
   * A database that is not there: every open connection dropped, and nothing
   * listening at the address (connecting is refused) until `acceptConnections`.
   */
  async refuseConnections(): Promise<void> {
    const port = this.port;
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.refusedPort = port;
  }

  /** Listens again, at the same address, after `refuseConnections`. */
  async acceptConnections(): Promise<void> {
    if (this.refusedPort === undefined) throw new Error('acceptConnections() comes after refuseConnections()');
    this.restore();
    await this.listen(this.refusedPort);
    this.refusedPort = undefined;
  }

  /**
   * A network that stops forwarding, as when a link or a firewall drops
   * packets: connections stay open, nothing (bytes, nor the news that a side
   * closed) gets through either way, and new connections open but carry
   * nothing, until `resume` delivers everything held, in order.
   */
  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const delivery of this.held.splice(0)) delivery();
  }

  /** Holds every chunk the target sends back for `ms` before passing it on (one-way latency). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  async close(): Promise<void> {
    this.cut();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private listen(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Runs `delivery` now, or once the network flows again. */
  private whenFlowing(delivery: () => void): void {
    if (this.stalled) this.held.push(delivery);
    else delivery();
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
    }
    // Either side failing or closing ends the pair, as a broken network path would, once news of it gets through.
    client.on('error', () => this.whenFlowing(() => upstream.destroy()));
    upstream.on('error', () => this.whenFlowing(() => client.destroy()));
    client.on('close', () => this.whenFlowing(() => upstream.destroy()));
    upstream.on('close', () => this.whenFlowing(() => client.destroy()));

    client.on('data', (chunk: Buffer) => this.whenFlowing(() => write(upstream, chunk)));
    this.forwardWithLatency(upstream, client);
  }

  /** Delivers in order, each chunk no earlier than `latencyMs` after it arrived. */
  private forwardWithLatency(from: Socket, to: Socket): void {
    const queue: { dueAt: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = (): void => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0].dueAt <= now) {
        const next = queue.shift();
        if (next) write(to, next.chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].dueAt - now);
    };
    from.on('data', (chunk: Buffer) =>
      this.whenFlowing(() => {
        if (this.latencyMs === 0 && queue.length === 0) {
          write(to, chunk);
          return;
        }
        queue.push({ dueAt: Date.now() + this.latencyMs, chunk });
        timer ??= setTimeout(drain, this.latencyMs);
      }),
    );
    to.on('close', () => clearTimeout(timer));
  }
}

function write(socket: Socket, chunk: Buffer): void {
  if (!socket.destroyed) socket.write(chunk);
}
