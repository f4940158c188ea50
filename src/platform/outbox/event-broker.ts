import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

/** A domain event as it leaves the service: where it goes, its id (for de-duplication) and its JSON. */
export interface BrokerMessage {
  subject: string;
  id: string;
  body: string;
}

/** What a publish achieved: the messages stored, from the first, and why it stopped short if it did. */
export interface PublishOutcome {
  /** Messages stored, counted from the first: all of them unless `error`. */
  stored: number;
  /** Of those, how many the stream already had (same id within its duplicate window). */
  duplicates: number;
  error?: Error;
}

/** How long the stream remembers a message id, so that a re-published event is stored once (nanoseconds). */
const DUPLICATE_WINDOW_NS = 3_600_000_000_000;
const TIMEOUT_MS = 2_000;

/**
 * NATS JetStream, where the outbox publishes: each event in the stream
 * `stream`, under the subject `<stream, lower case>.<event type>`, with its
 * outbox id as `Nats-Msg-Id`, so that the stream stores an event published
 * again within an hour (its duplicate window) once. Connects on first use,
 * reconnects by itself; the stream is created when missing, and given that
 * window when it has another.
 */
export class JetStreamBroker {
  private connection?: NatsConnection;
  private client?: JetStreamClient;
  private readonly prefix: string;

  constructor(
    private readonly url: string,
    private readonly stream: string,
  ) {
    this.prefix = stream.toLowerCase();
  }

  subjectOf(type: string): string {
    return `${this.prefix}.${type}`;
  }

  /** Connected, with the stream in place; throws when the broker cannot be reached. */
  async connect(): Promise<void> {
    if (this.client && this.connection && !this.connection.isClosed()) return;
    const connection = await connect(natsConnectionOptions(this.url));
    try {
      await this.ensureStream(connection);
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.connection = connection;
    this.client = jetstream(connection, { timeout: TIMEOUT_MS });
  }

  /** Publishes the messages one after the other, stopping at the first the broker does not store. */
  async publish(messages: BrokerMessage[]): Promise<PublishOutcome> {
    await this.connect();
    const client = this.client as JetStreamClient;
    let stored = 0;
    let duplicates = 0;
    for (const { subject, id, body } of messages) {
      try {
        const ack = await client.publish(subject, body, { msgID: id });
        stored += 1;
        if (ack.duplicate) duplicates += 1;
      } catch (error) {
        return { stored, duplicates, error: error instanceof Error ? error : new Error(String(error)) };
      }
    }
    return { stored, duplicates };
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.client = undefined;
    if (!connection || connection.isClosed()) return;
    // Draining needs the broker; without it, just close.
    await connection.drain().catch(() => connection.close());
  }

  private async ensureStream(connection: NatsConnection): Promise<void> {
    const manager = await jetstreamManager(connection, { timeout: TIMEOUT_MS });
    let existing;
    try {
      existing = await manager.streams.info(this.stream);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
      await manager.streams.add({
        name: this.stream,
        subjects: [`${this.prefix}.>`],
        duplicate_window: DUPLICATE_WINDOW_NS,
      });
      return;
    }
    // A stream made before the window was set (or by hand) gets it too.
    if (existing.config.duplicate_window !== DUPLICATE_WINDOW_NS) {
      await manager.streams.update(this.stream, { duplicate_window: DUPLICATE_WINDOW_NS });
    }
  }
}

/** `nats://user:password@host:port` as the client wants it: credentials apart (a user alone is a token). */
export function natsConnectionOptions(url: string): NodeConnectionOptions {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const credentials = pass ? { user, pass } : user ? { token: user } : {};
  return {
    servers: parsed.toString(),
    name: 'b2b-commerce outbox',
    timeout: TIMEOUT_MS,
    maxReconnectAttempts: -1,
    ...credentials,
  };
}
