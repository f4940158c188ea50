import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/**
 * The publisher's counters, registered whether or not this process publishes
 * (no BROKER_URL: none does), so every replica shows them, at 0 until it does.
 */
@Injectable()
export class OutboxMetrics {
  readonly published: Counter;
  readonly republished: Counter;

  constructor(metrics: MetricsService) {
    this.published = metrics.counter('outbox_events_published_total', 'Domain events published to the broker.');
    this.republished = metrics.counter(
      'outbox_events_republished_total',
      'Domain events published again that the broker already had (a crash between publishing and marking).',
    );
  }
}
