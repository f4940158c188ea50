import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { DataSource, In, IsNull } from 'typeorm';
import { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { type BrokerMessage, EventBroker } from './event-broker';
import { OutboxEvent } from './outbox-event.entity';

/** Events published per transaction. */
const BATCH_SIZE = 200;
/** How often published events past OUTBOX_RETENTION_MS are deleted. */
const PURGE_EVERY_MS = 3_600_000;

/**
 * Carries committed domain events from the outbox table to the broker
 * (`BROKER_URL`), oldest first, every OUTBOX_PUBLISH_INTERVAL_MS, and stamps
 * them published in the transaction that read them. Of several replicas one
 * publishes at a time (a transaction-scoped advisory lock), so the broker
 * receives events in the order they were written. If the broker is away the
 * events wait in the table; if the process dies after publishing and before
 * committing, the next run publishes them again and the broker, which knows
 * their ids, stores them once. Published events are deleted once they are
 * older than OUTBOX_RETENTION_MS (checked hourly).
 */
@Injectable()
export class OutboxPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly published: Counter;
  private timer?: NodeJS.Timeout;
  private running: Promise<number> = Promise.resolve(0);
  private busy = false;
  private failing = false;
  private purgedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly environment: Environment,
    private readonly broker: EventBroker,
    metrics: MetricsService,
  ) {
    this.published = metrics.counter('outbox_events_published_total', 'Domain events published to the broker.');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.busy) void this.publishPending().catch(() => undefined);
    }, this.environment.OUTBOX_PUBLISH_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.publishPending().catch(() => undefined);
    await this.broker.close();
  }

  /** Publishes every event committed so far, in batches; returns how many this call published. Calls queue. */
  publishPending(): Promise<number> {
    const run = this.running.catch(() => 0).then(() => this.publishAll());
    this.running = run;
    return run;
  }

  private async publishAll(): Promise<number> {
    this.busy = true;
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
    } finally {
      this.busy = false;
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

  private publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ mine }] = await manager.query<{ mine: boolean }[]>(
        "SELECT pg_try_advisory_xact_lock(hashtext('outbox.publisher')) AS mine",
      );
      if (!mine) return 0; // another replica is publishing
      const events = await manager.find(OutboxEvent, {
        where: { publishedAt: IsNull() },
        order: { createdAt: 'ASC', id: 'ASC' },
        take: BATCH_SIZE,
      });
      if (events.length === 0) return 0;
      await this.broker.publish(events.map((event) => this.messageOf(event)));
      await manager.update(OutboxEvent, { id: In(events.map(({ id }) => id)) }, { publishedAt: () => 'now()' });
      this.published.inc(events.length);
      return events.length;
    });
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
