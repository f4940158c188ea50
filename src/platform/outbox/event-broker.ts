import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** A domain event as it leaves the service: where it goes, its id (for de-duplication) and its JSON. */
export interface BrokerMessage {
  subject: string;
  id: string;
  body: string;
}

/** Where the outbox publishes domain events. */
export abstract class EventBroker {
  /** Subject of an event type: `commerce.order.placed`. */
  abstract subjectOf(type: string): string;

  /** Publishes the messages in order and resolves once the broker has stored each; a message id it has seen is stored once. */
  abstract publish(messages: BrokerMessage[]): Promise<void>;

  abstract close(): Promise<void>;
}

/**
 * NATS JetStream: each event in the stream `stream`, under the subject
 * `<stream, lower case>.<event type>`, with its outbox id as `Nats-Msg-Id`, so
 * the stream stores an event published twice (a crash between publishing and
 * marking it published) once. Connects on first use and again after a lost
 * connection; the stream is created when missing.
 */
export class JetStreamBroker extends EventBroker {
  private connection?: NatsConnection;
  private client?: JetStreamClient;
  private readonly prefix: string;

  constructor(
    private readonly url: string,
    private readonly stream: string,
  ) {
    super();
    this.prefix = stream.toLowerCase();
  }

  subjectOf(type: string): string {
    return `${this.prefix}.${type}`;
  }

  async publish(messages: BrokerMessage[]): Promise<void> {
    const client = await this.connected();
    // Sent in order on one connection, so stored in order; the acknowledgements are awaited together.
    await Promise.all(messages.map(({ subject, id, body }) => client.publish(subject, body, { msgID: id })));
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.client = undefined;
    if (connection && !connection.isClosed()) await connection.drain();
  }

  private async connected(): Promise<JetStreamClient> {
    if (this.client && this.connection && !this.connection.isClosed()) return this.client;
    await this.close();
    const connection = await connect({
      servers: this.url,
      name: 'b2b-commerce outbox',
      timeout: 2_000,
      maxReconnectAttempts: -1,
    });
    try {
      await this.ensureStream(connection);
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.connection = connection;
    this.client = jetstream(connection);
    return this.client;
  }

  private async ensureStream(connection: NatsConnection): Promise<void> {
    const manager = await jetstreamManager(connection);
    try {
      await manager.streams.info(this.stream);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
      await manager.streams.add({ name: this.stream, subjects: [`${this.prefix}.>`] });
    }
  }
}
