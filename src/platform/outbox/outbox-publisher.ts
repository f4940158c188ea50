import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { Environment } from '../config/environment';
import { SerialJob } from '../scheduling/serial-job';
import { type BrokerMessage, JetStreamBroker } from './event-broker';
import { OutboxEvent } from './outbox-event.entity';
import { OutboxMetrics } from './outbox-metrics';

/** Events published per transaction. */
const BATCH_SIZE = 200;
/** The session advisory lock held by the replica publishing. */
const PUBLISHER_LOCK = "hashtext('outbox.publisher')";
/** How often published events past OUTBOX_RETENTION_MS are deleted. */
const PURGE_EVERY_MS = 3_600_000;

/**
 * Carries committed domain events from the outbox table to the broker
 * (`BROKER_URL`) every OUTBOX_PUBLISH_INTERVAL_MS, oldest first, and marks
 * them published. No transaction is open while the broker is talked to: the
 * events are read, published one after the other, and the ones the broker
 * stored are marked, each step a statement of its own, on one connection that
 * holds a session advisory lock so that one replica publishes at a time.
 *
 * Order: the events of one aggregate go out in the order they happened (their
 * transactions queue on its row lock, and a publish stops at the first event
 * the broker refuses). Across aggregates, by the time each was written, which
 * is not quite commit order. If the broker is away the events wait; if the
 * process dies after publishing and before marking, they go out again and the
 * stream, which knows their ids for an hour, stores them once (consumers
 * should still de-duplicate by event id). Published events are deleted once
 * older than OUTBOX_RETENTION_MS (checked hourly).
 */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly job = new SerialJob(() => this.publishAll());
  private failing = false;
  private purgedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly environment: Environment,
    private readonly broker: JetStreamBroker,
    private readonly metrics: OutboxMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(this.environment.OUTBOX_PUBLISH_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
    await this.broker.close();
  }

  /** Publishes every event committed so far, in batches; returns how many this call published. Calls queue. */
  publishPending(): Promise<number> {
    return this.job.run();
  }

  private async publishAll(): Promise<number> {
    try {
      let total = 0;
      for (;;) {
        const published = await this.publishBatch();
        total += published;
        if (published < BATCH_SIZE) break;
      }
      if (Date.now() - this.purgedAt >= PURGE_EVERY_MS) {
        await this.purgePublished();
        this.purgedAt = Date.now();
      }
      if (this.failing) this.logger.log({ event: 'outbox.publish_recovered' }, 'publishing to the broker again');
      this.failing = false;
      return total;
    } catch (error) {
      // Once per outage, not once per tick: the events are safe in the table meanwhile.
      if (!this.failing) this.logger.warn({ event: 'outbox.publish_failed', err: error }, 'broker unavailable');
      this.failing = true;
      throw error;
    }
  }

  /** Deletes the events published longer than OUTBOX_RETENTION_MS ago; returns how many. */
  async purgePublished(): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(OutboxEvent)
      .where('published_at < now() - make_interval(secs => :seconds)', {
        seconds: this.environment.OUTBOX_RETENTION_MS / 1000,
      })
      .execute();
    return result.affected ?? 0;
  }

  private async publishBatch(): Promise<number> {
    await this.broker.connect();
    const connection = this.dataSource.createQueryRunner();
    try {
      const [{ mine, session }] = await connection.manager.query<{ mine: boolean; session: number }[]>(
        `SELECT pg_try_advisory_lock(${PUBLISHER_LOCK}) AS mine, pg_backend_pid() AS session`,
      );
      if (!mine) return 0; // another replica is publishing
      try {
        return await this.publishOldest(connection.manager);
      } finally {
        await connection.query(`SELECT pg_advisory_unlock(${PUBLISHER_LOCK})`).catch(() => this.endSession(session));
      }
    } finally {
      await connection.release();
    }
  }

  /**
   * Ends a database session whose unlock failed (a statement timeout, a cancel):
   * back in the pool it would hold the publisher's lock, and no replica would
   * publish again. Its connection then fails and leaves the pool.
   */
  private async endSession(session: number): Promise<void> {
    this.logger.error({ event: 'outbox.unlock_failed', session }, 'ending the session that holds the publisher lock');
    await this.dataSource.query('SELECT pg_terminate_backend($1)', [session]);
  }

  private async publishOldest(manager: EntityManager): Promise<number> {
    const events = await manager.find(OutboxEvent, {
      where: { publishedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: BATCH_SIZE,
    });
    if (events.length === 0) return 0;
    const { stored, duplicates, error } = await this.broker.publish(events.map((event) => this.messageOf(event)));
    if (stored > 0) {
      const ids = events.slice(0, stored).map(({ id }) => id);
      await manager.update(OutboxEvent, { id: In(ids) }, { publishedAt: () => 'now()' });
      this.metrics.published.inc(stored);
      this.metrics.republished.inc(duplicates);
    }
    if (error) throw error;
    return stored;
  }

  private messageOf(event: OutboxEvent): BrokerMessage {
    const { id, type, aggregateType, aggregateId, payload, createdAt } = event;
    return {
      subject: this.broker.subjectOf(type),
      id,
      body: JSON.stringify({
        id,
        type,
        aggregate: { type: aggregateType, id: aggregateId },
        occurredAt: createdAt.toISOString(),
        payload,
      }),
    };
  }
}
