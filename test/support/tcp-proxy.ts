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
 * away (`cut`), give it back (`restore`) or slow its answers (`setLatency`)
 * while the app under test keeps running.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private latencyMs = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: TcpTarget,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: TcpTarget): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
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
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  /** Holds every chunk the target sends back for `ms` before passing it on (one-way latency). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
    // Either side failing ends the pair, as a broken network path would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());

    client.pipe(upstream);
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
        if (next && !to.destroyed) to.write(next.chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].dueAt - now);
    };
    from.on('data', (chunk: Buffer) => {
      if (this.latencyMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push({ dueAt: Date.now() + this.latencyMs, chunk });
      timer ??= setTimeout(drain, this.latencyMs);
    });
    to.on('close', () => clearTimeout(timer));
  }
}
