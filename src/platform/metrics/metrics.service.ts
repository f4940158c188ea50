import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Route label for requests no route matched, so raw URLs never become labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * One Prometheus registry per application instance (not prom-client's global
 * one), so several instances in one process — as in tests — never collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    const pool = () =>
      dataSource.isInitialized ? (dataSource.driver as unknown as { master?: PgPoolCounts }).master : undefined;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const counts = pool();
        this.set({ state: 'total' }, counts?.totalCount ?? 0);
        this.set({ state: 'idle' }, counts?.idleCount ?? 0);
        this.set({ state: 'waiting' }, counts?.waitingCount ?? 0);
      },
    });
  }

  /** A business counter in this instance's registry, e.g. `orders_placed_total`; create each once (in a constructor). */
  counter<Label extends string>(name: string, help: string, labelNames: readonly Label[] = []): Counter<Label> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  observeHttpRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status: String(status) }, seconds);
  }
}
