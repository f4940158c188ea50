import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import packageJson from '../../../package.json';
import { Environment } from '../config/environment';
import { postgresPool } from '../library-internals/typeorm';

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

  constructor(@InjectDataSource() dataSource: DataSource, environment: Environment) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'app_build_info',
      help: 'The build running: package version, Node.js version and source commit (BUILD_COMMIT); always 1.',
      labelNames: ['version', 'node_version', 'commit'] as const,
      registers: [this.registry],
    }).set(
      { version: packageJson.version, node_version: process.version, commit: environment.BUILD_COMMIT ?? 'unknown' },
      1,
    );
    const pool = () => (dataSource.isInitialized ? postgresPool(dataSource) : undefined);
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

  /**
   * A business counter in this instance's registry, e.g. `orders_placed_total`; create each once
   * (in a constructor). `labelValues` names each label's known values: every combination is there
   * at 0 from the start, since a series that appears only with its first event hides that event
   * from `rate()` and `increase()`, and alerts on them.
   */
  counter<Label extends string = never>(
    name: string,
    help: string,
    labelValues?: Readonly<Record<Label, readonly string[]>>,
  ): Counter<Label> {
    const values: Readonly<Record<string, readonly string[]>> = labelValues ?? {};
    const counter = new Counter<Label>({
      name,
      help,
      labelNames: Object.keys(values) as Label[],
      registers: [this.registry],
    });
    for (const labels of combinations(values)) counter.inc(labels as Partial<Record<Label, string>>, 0);
    return counter;
  }

  observeHttpRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status: String(status) }, seconds);
  }
}

/** Every combination of one value per label: `{ a: [1, 2], b: [3] }` → `{a:1,b:3}`, `{a:2,b:3}`; none → one empty set. */
function combinations(values: Readonly<Record<string, readonly string[]>>): Record<string, string>[] {
  return Object.entries(values).reduce<Record<string, string>[]>(
    (sets, [label, options]) => sets.flatMap((set) => options.map((option) => ({ ...set, [label]: option }))),
    [{}],
  );
}
