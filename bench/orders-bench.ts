/**
 * `npm run bench:orders`: orders placed per second through POST /v1/orders, with
 * BENCH_CONNECTIONS (default 50) buyers at once for BENCH_DURATION_S (default 10) s:
 *
 *   distinct  each connection a buyer of its own, ordering a product of its own (large stock);
 *   hot       every connection ordering the same product, whose stock runs out about halfway
 *             (then 409 INSUFFICIENT_STOCK): both the 201 and the 409 rates are reported.
 *
 * The built app runs as in production (NODE_ENV=production, secrets generated for the run,
 * request logging at info as `npm run bench` runs it, rate limits out of the way) on a fresh
 * database on the PostgreSQL server DATABASE_URL names (default the local one), dropped after.
 * Buyers, organizations and products are created through the admin API, so every unit of stock
 * has its movement. A short warm-up precedes each scenario; the hot one's also measures the
 * rate at which one product can be sold, from which the hot stock is sized (BENCH_HOT_STOCK
 * overrides it).
 *
 * After each run, once no request is left in flight, the database is checked against what the
 * buyers were answered: one order, invoice and order.placed outbox event per 201 (plus those
 * committed for requests still in flight when the load stopped, whose answers were never read),
 * each product's stock = initial - units sold = sum of its movements, never negative, and no
 * idempotency key left in_flight. Any failed check makes the exit status 1.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { Environment } from '../src/platform/config/environment';
import { type AppProcess, startAppProcess } from '../test/support/app-process';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const HOT_STOCK = process.env.BENCH_HOT_STOCK === undefined ? undefined : Number(process.env.BENCH_HOT_STOCK);
const POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE ?? new Environment().DATABASE_POOL_SIZE);
const ORGANIZATIONS = 5;
const LARGE_STOCK = 1_000_000;
const QUANTITY = 1;
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
/** How long the app may take to finish the requests still running when the load stops. */
const SETTLE_TIMEOUT_MS = 30_000;

const ADMIN = {
  email: 'bench-admin@bench.example.com',
  password: `bench-${randomBytes(18).toString('base64url')}`,
};

interface Buyer {
  email: string;
  accessToken: string;
}

/** What one connection sends: its buyer's token and the product it orders. */
interface Assignment {
  accessToken: string;
  productId: string;
}

interface Scenario {
  name: string;
  durationS: number;
  assignments: Assignment[];
  /** Stock of each product ordered, as created. */
  initialStock: Map<string, number>;
}

/** Everything the buyers were answered, per Idempotency-Key. */
interface Tally {
  durationS: number;
  statuses: Map<number, number>;
  /** Non-201 answers by status and problem code, e.g. `409 INSUFFICIENT_STOCK`. */
  problems: Map<string, number>;
  latencies: Map<number, number[]>;
  created: Set<string>;
  /** Keys sent but never answered: in flight when the load stopped, or timed out. */
  unanswered: Map<string, string>;
  unitsAnswered: Map<string, number>;
  replayed: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
}

interface Counts {
  orders: number;
  invoices: number;
  placedEvents: number;
  completedKeys: number;
  deadlocks: number;
  rollbacks: number;
}

/** How the app's database connections spent the run, sampled every 250 ms. */
interface Backends {
  samples: number;
  active: number;
  waitingOnLock: number;
  idleInTransaction: number;
}

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

/** Production-like, with secrets made for this run only. */
function appEnvironment(databaseUrl: string): Record<string, string> {
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    PAYMENT_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    AUDIT_SIGNING_KEY: Buffer.from(signingKey).toString('base64'),
    ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    ENCRYPTION_KEY_ID: 'bench',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // One client IP sends everything: limits that never throttle the bench.
    RATE_LIMIT_MAX: '100000000',
    AUTH_RATE_LIMIT_MAX: '100000000',
    DATABASE_POOL_SIZE: String(POOL_SIZE),
  };
}

async function call<T>(baseUrl: string, path: string, token: string | null, body: unknown, expected: number) {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** `work` over `items`, `width` at a time, results in order. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let first = 0; first < items.length; first += width) {
    const batch = items.slice(first, first + width);
    results.push(...(await Promise.all(batch.map((item, offset) => work(item, first + offset)))));
  }
  return results;
}

async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const session = await call<{ accessToken: string }>(baseUrl, '/v1/auth/login', null, { email, password }, 200);
  return session.accessToken;
}

/** CONNECTIONS buyers spread over a few organizations, created by the admin and signed in. */
async function createBuyers(baseUrl: string, adminToken: string): Promise<Buyer[]> {
  const organizations = await inBatches([...Array(ORGANIZATIONS).keys()], ORGANIZATIONS, (index) =>
    call<{ id: string }>(baseUrl, '/v1/organizations', adminToken, { name: `Bench Buyer Org ${index + 1}` }, 201),
  );
  return inBatches([...Array(CONNECTIONS).keys()], 5, async (index) => {
    const email = `bench-buyer-${index + 1}@bench.example.com`;
    const password = `bench-${randomBytes(18).toString('base64url')}`;
    await call(
      baseUrl,
      '/v1/users',
      adminToken,
      {
        email,
        displayName: `Bench buyer ${index + 1}`,
        password,
        roles: ['buyer'],
        organizationId: organizations[index % ORGANIZATIONS].id,
      },
      201,
    );
    return { email, accessToken: await signIn(baseUrl, email, password) };
  });
}

async function createProducts(baseUrl: string, adminToken: string, label: string, stocks: number[]) {
  return inBatches(stocks, 10, (stock, index) =>
    call<{ id: string; stock: number }>(
      baseUrl,
      '/v1/products',
      adminToken,
      {
        sku: `BENCH-${label}-${index + 1}`,
        name: `Bench ${label.toLowerCase()} product ${index + 1}`,
        priceCents: 1_999,
        currency: 'EUR',
        taxRateBps: 2_000,
        stock,
      },
      201,
    ),
  );
}

function distinctScenario(name: string, durationS: number, buyers: Buyer[], products: { id: string }[]): Scenario {
  return {
    name,
    durationS,
    assignments: buyers.map(({ accessToken }, index) => ({ accessToken, productId: products[index].id })),
    initialStock: new Map(products.map(({ id }) => [id, LARGE_STOCK])),
  };
}

function hotScenario(
  name: string,
  durationS: number,
  buyers: Buyer[],
  product: { id: string; stock: number },
): Scenario {
  return {
    name,
    durationS,
    assignments: buyers.map(({ accessToken }) => ({ accessToken, productId: product.id })),
    initialStock: new Map([[product.id, product.stock]]),
  };
}

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/**
 * One autocannon run: each connection sends its own buyer's token and product, and a new
 * Idempotency-Key per request; the answers are tallied by key (a connection has one request
 * in flight at a time, so the answer it reads is to the key it last sent).
 */
async function drive(baseUrl: string, scenario: Scenario): Promise<Tally> {
  const tally: Tally = {
    durationS: 0,
    statuses: new Map(),
    problems: new Map(),
    latencies: new Map(),
    created: new Set(),
    unanswered: new Map(),
    unitsAnswered: new Map(),
    replayed: 0,
    errors: 0,
    timeouts: 0,
    p50: 0,
    p99: 0,
  };
  let nextConnection = 0;
  const setupClient = (client: autocannon.Client): void => {
    const { accessToken, productId } = scenario.assignments[nextConnection++ % scenario.assignments.length];
    const body = JSON.stringify({
      items: [{ productId, quantity: QUANTITY }],
      shippingAddress: {
        name: 'Receiving dock 4',
        line1: 'Hafenstraße 12',
        postalCode: '20457',
        city: 'Hamburg',
        country: 'DE',
      },
    });
    let pending: string | undefined;
    client.setRequests([
      {
        method: 'POST',
        path: '/v1/orders',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body,
        setupRequest: (request) => {
          if (pending !== undefined) tally.unanswered.set(pending, productId);
          pending = randomUUID();
          return { ...request, headers: { ...request.headers, 'idempotency-key': pending } };
        },
        onResponse: (status, text, _context, headers) => {
          increment(tally.statuses, status);
          if (headers && Object.keys(headers).some((name) => name.toLowerCase() === 'idempotent-replayed')) {
            tally.replayed++;
          }
          if (status === 201 && pending !== undefined) {
            tally.created.add(pending);
            increment(tally.unitsAnswered, productId, QUANTITY);
          } else if (status !== 201) {
            increment(tally.problems, `${status} ${problemCode(text)}`);
          }
          pending = undefined;
        },
      },
    ]);
    client.on('response', (status: number, _bytes: number, milliseconds: number) => {
      const latencies = tally.latencies.get(status) ?? [];
      latencies.push(milliseconds);
      tally.latencies.set(status, latencies);
    });
    client.once('done', () => {
      if (pending !== undefined) tally.unanswered.set(pending, productId);
    });
  };
  const result = await autocannon({
    url: `${baseUrl}/v1/orders`,
    connections: scenario.assignments.length,
    duration: scenario.durationS,
    setupClient,
  });
  tally.durationS = result.duration;
  tally.errors = result.errors;
  tally.timeouts = result.timeouts;
  tally.p50 = result.latency.p50;
  tally.p99 = result.latency.p99;
  for (const latencies of tally.latencies.values()) latencies.sort((a, b) => a - b);
  return tally;
}

/** The problem's code, from its `type` (`https://…/insufficient-stock` → `INSUFFICIENT_STOCK`). */
function problemCode(text: string): string {
  try {
    const problem = JSON.parse(text) as { type?: unknown };
    if (typeof problem.type !== 'string') return 'no type';
    return (problem.type.split('/').pop() ?? '').toUpperCase().replace(/-/g, '_');
  } catch {
    return 'not JSON';
  }
}

async function counts(database: Client): Promise<Counts> {
  const { rows } = await database.query<Counts>(
    `SELECT (SELECT count(*) FROM orders)::int AS orders,
            (SELECT count(*) FROM invoices)::int AS invoices,
            (SELECT count(*) FROM outbox_events WHERE type = 'order.placed')::int AS "placedEvents",
            (SELECT count(*) FROM idempotency_keys WHERE state = 'completed')::int AS "completedKeys",
            deadlocks::int AS deadlocks, xact_rollback::int AS rollbacks
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return rows[0];
}

/**
 * Waits until the app has finished the requests it was still serving when the load stopped:
 * no Idempotency-Key in flight and none of its connections busy, for a second in a row (a
 * request between two transactions, or still waiting for a pooled connection, shows neither).
 * Returns how many keys are still in flight.
 */
async function settle(database: Client): Promise<number> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let quiet = 0;
  for (;;) {
    const { rows } = await database.query<{ inFlight: number; busy: number }>(
      `SELECT (SELECT count(*) FROM idempotency_keys WHERE state = 'in_flight')::int AS "inFlight",
              (SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle')::int AS busy`,
    );
    const { inFlight, busy } = rows[0];
    quiet = inFlight === 0 && busy === 0 ? quiet + 1 : 0;
    if (quiet >= 10 || Date.now() > deadline) return inFlight;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ProductState {
  id: string;
  stock: number;
  movements: number;
  placed: number;
  placedRows: number;
  lineUnits: number;
  lines: number;
  orphanMovements: number;
}

async function verify(database: Client, scenario: Scenario, tally: Tally, before: Counts): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, pass: boolean, detail: string) => checks.push({ name, pass, detail });
  const inFlight = await settle(database);
  const after = await counts(database);
  const placed = after.orders - before.orders;
  const answered201 = tally.statuses.get(201) ?? 0;

  const { rows: committedUnanswered } = await database.query<{ key: string }>(
    `SELECT key FROM idempotency_keys WHERE state = 'completed' AND response_status = 201 AND key = ANY($1::text[])`,
    [[...tally.unanswered.keys()]],
  );
  const { rows: createdKeys } = await database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM idempotency_keys WHERE state = 'completed' AND response_status = 201 AND key = ANY($1::text[])`,
    [[...tally.created]],
  );
  const units = new Map(tally.unitsAnswered);
  for (const { key } of committedUnanswered) increment(units, tally.unanswered.get(key) ?? '', QUANTITY);
  const late = committedUnanswered.length;

  check('no idempotency key left in_flight', inFlight === 0, `${inFlight} in_flight`);
  check(
    'orders = 201 answers (+ committed for requests unanswered at stop)',
    placed === answered201 + late,
    `${placed} orders = ${answered201} answered 201 + ${late} of ${tally.unanswered.size} unanswered`,
  );
  check('every 201 answered has its key completed', createdKeys[0].n === answered201, `${createdKeys[0].n}`);
  check('one invoice per order', after.invoices - before.invoices === placed, `${after.invoices - before.invoices}`);
  check(
    'one order.placed outbox event per order',
    after.placedEvents - before.placedEvents === placed,
    `${after.placedEvents - before.placedEvents}`,
  );
  check(
    'one completed idempotency key per order',
    after.completedKeys - before.completedKeys === placed,
    `${after.completedKeys - before.completedKeys}`,
  );
  const { rows: invoiceProblems } = await database.query<{ missing: number; doubled: number; mismatched: number }>(
    `SELECT (SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id))::int AS missing,
            (SELECT count(*) FROM (SELECT order_id FROM invoices GROUP BY order_id HAVING count(*) > 1) d)::int AS doubled,
            (SELECT count(*) FROM orders o JOIN invoices i ON i.order_id = o.id
              WHERE i.amount_cents <> o.total_cents OR i.status <> 'open')::int AS mismatched`,
  );
  const { missing, doubled, mismatched } = invoiceProblems[0];
  check(
    'every order has exactly one open invoice of its total',
    missing + doubled + mismatched === 0,
    `${missing} without, ${doubled} with two or more, ${mismatched} open for another amount`,
  );

  const { rows: products } = await database.query<ProductState>(
    `SELECT p.id, p.stock,
            (SELECT coalesce(sum(m.delta), 0) FROM stock_movements m WHERE m.product_id = p.id)::int AS movements,
            (SELECT coalesce(sum(m.delta), 0) FROM stock_movements m
              WHERE m.product_id = p.id AND m.reason = 'order_placed')::int AS placed,
            (SELECT count(*) FROM stock_movements m
              WHERE m.product_id = p.id AND m.reason = 'order_placed')::int AS "placedRows",
            (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.product_id = p.id)::int AS "lineUnits",
            (SELECT count(*) FROM order_lines l WHERE l.product_id = p.id)::int AS lines,
            (SELECT count(*) FROM stock_movements m
              WHERE m.product_id = p.id AND m.reason = 'order_placed'
                AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = m.order_id))::int AS "orphanMovements"
       FROM products p WHERE p.id = ANY($1::uuid[])`,
    [[...scenario.initialStock.keys()]],
  );
  const wrong = (predicate: (product: ProductState, sold: number, initial: number) => boolean) =>
    products.filter((product) =>
      predicate(product, units.get(product.id) ?? 0, scenario.initialStock.get(product.id) ?? NaN),
    );
  const describe = (list: ProductState[]) =>
    list
      .slice(0, 3)
      .map((product) => JSON.stringify({ ...product, sold: units.get(product.id) ?? 0 }))
      .join('; ');
  const sold = [...units.values()].reduce((sum, n) => sum + n, 0);
  const checksOnProducts: [string, (product: ProductState, sold: number, initial: number) => boolean][] = [
    ['stock = initial - units ordered', (product, n, initial) => product.stock !== initial - n],
    ['sum of order_placed movements = -(units ordered)', (product, n) => product.placed !== -n],
    [
      'order lines hold the units ordered, one movement per line',
      (p, n) => p.lineUnits !== n || p.placedRows !== p.lines,
    ],
    ['stock = sum of all its movements', (product) => product.stock !== product.movements],
    ['stock never negative', (product) => product.stock < 0],
    ['no order_placed movement without its order', (product) => product.orphanMovements > 0],
  ];
  check(
    'every product ordered is in the database',
    products.length === scenario.initialStock.size,
    `${products.length}`,
  );
  for (const [name, isWrong] of checksOnProducts) {
    const offenders = wrong(isWrong);
    check(
      name,
      offenders.length === 0,
      offenders.length === 0 ? `${sold} units over ${products.length} products` : describe(offenders),
    );
  }
  const outOfStock = tally.problems.get('409 INSUFFICIENT_STOCK') ?? 0;
  if (outOfStock > 0) {
    const finalStock = products.map(({ stock }) => stock);
    check(
      'a 409 INSUFFICIENT_STOCK only once the stock ran short',
      finalStock.every((stock) => stock < QUANTITY),
      `final stock ${finalStock.join(', ')}`,
    );
  }
  const unexpected = [...tally.statuses].filter(([status]) => status !== 201 && status !== 409);
  const otherConflicts = [...tally.problems].filter(
    ([problem]) => problem.startsWith('409 ') && problem !== '409 INSUFFICIENT_STOCK',
  );
  check(
    'every answer is 201 or 409 INSUFFICIENT_STOCK',
    unexpected.length === 0 && otherConflicts.length === 0,
    [...tally.problems].map(([problem, n]) => `${problem}: ${n}`).join(', ') || 'all 201',
  );
  check('no answer replayed (every key is new)', tally.replayed === 0, `${tally.replayed}`);
  return checks;
}

/** Error and fatal lines the app logged since `offset` (pino levels 50, 60). */
function loggedErrors(app: AppProcess, offset: number): string[] {
  return app.stdout
    .slice(offset)
    .split('\n')
    .filter((line) => /"level":(50|60)[,}]/.test(line));
}

function report(
  scenario: Scenario,
  tally: Tally,
  backends: Backends,
  before: Counts,
  after: Counts,
  errors: string[],
  checks: Check[],
) {
  const load = loadavg()
    .map((average) => average.toFixed(2))
    .join(' ');
  const rate = (n: number) => (n / tally.durationS).toFixed(1);
  const created = tally.statuses.get(201) ?? 0;
  const conflicts = tally.statuses.get(409) ?? 0;
  const nonSuccess = [...tally.statuses].filter(([status]) => status < 200 || status > 299);
  const latency = (status: number) => {
    const latencies = tally.latencies.get(status) ?? [];
    return `p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms`;
  };
  console.log(
    `\n${scenario.name}  (${scenario.assignments.length} connections, ${tally.durationS} s; load average ${load})`,
  );
  console.log(`  orders placed  ${rate(created).padStart(8)} /s   (${created} answered 201)`);
  if (conflicts > 0) console.log(`  409 answers    ${rate(conflicts).padStart(8)} /s   (${conflicts})`);
  console.log(`  latency, all answers: p50 ${tally.p50} ms, p99 ${tally.p99} ms`);
  for (const status of [...tally.latencies.keys()].sort()) console.log(`  latency, ${status}: ${latency(status)}`);
  console.log(
    `  non-2xx ${nonSuccess.reduce((sum, [, n]) => sum + n, 0)} (${[...tally.problems].map(([p, n]) => `${p}: ${n}`).join(', ') || 'none'}),` +
      ` connection errors ${tally.errors}, timeouts ${tally.timeouts}, unanswered at stop ${tally.unanswered.size}`,
  );
  console.log(
    `  database: ${after.deadlocks - before.deadlocks} deadlocks, ${after.rollbacks - before.rollbacks} rolled-back transactions;` +
      ` app logged ${errors.length} error lines${errors.length > 0 ? `, first: ${errors[0].slice(0, 300)}` : ''}`,
  );
  const mean = (total: number) => (total / Math.max(1, backends.samples)).toFixed(1);
  console.log(
    `  app's database connections, mean of ${backends.samples} samples: ${mean(backends.active)} running a statement` +
      ` (${mean(backends.waitingOnLock)} of them waiting on a lock), ${mean(backends.idleInTransaction)} idle in a transaction`,
  );
  for (const { name, pass, detail } of checks) console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${name}  (${detail})`);
}

/** Samples the database's other backends until `done` settles: busy, waiting on a lock, idle in a transaction. */
async function sampleBackends(database: Client, done: Promise<unknown>): Promise<Backends> {
  const backends: Backends = { samples: 0, active: 0, waitingOnLock: 0, idleInTransaction: 0 };
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const { rows } = await database.query<Omit<Backends, 'samples'>>(
      `SELECT count(*) FILTER (WHERE state = 'active')::int AS active,
              count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')::int AS "waitingOnLock",
              count(*) FILTER (WHERE state = 'idle in transaction')::int AS "idleInTransaction"
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    backends.samples++;
    backends.active += rows[0].active;
    backends.waitingOnLock += rows[0].waitingOnLock;
    backends.idleInTransaction += rows[0].idleInTransaction;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return backends;
}

/** When the last order taking the stock began, and the rates before and after. */
async function reportSellOut(database: Client, scenario: Scenario, tally: Tally, startedAt: Date): Promise<void> {
  const { rows } = await database.query<{ seconds: number | null; orders: number }>(
    `SELECT extract(epoch FROM max(o.created_at) - $2::timestamptz)::float AS seconds, count(*)::int AS orders
       FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.product_id = ANY($1::uuid[])`,
    [[...scenario.initialStock.keys()], startedAt],
  );
  const { seconds, orders } = rows[0];
  if (seconds === null) return;
  const conflicts = tally.statuses.get(409) ?? 0;
  console.log(
    `  sold out ${seconds.toFixed(1)} s in: ${(orders / seconds).toFixed(1)} orders/s until then, ` +
      `then ${(conflicts / Math.max(0.001, tally.durationS - seconds)).toFixed(1)} 409/s`,
  );
}

async function run(app: AppProcess, baseUrl: string, database: Client, scenario: Scenario) {
  const before = await counts(database);
  const logOffset = app.stdout.length;
  const { rows: clock } = await database.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  const driving = drive(baseUrl, scenario);
  const [tally, backends] = await Promise.all([driving, sampleBackends(database, driving)]);
  const checks = await verify(database, scenario, tally, before);
  const after = await counts(database);
  report(scenario, tally, backends, before, after, loggedErrors(app, logOffset), checks);
  if (tally.statuses.has(409)) await reportSellOut(database, scenario, tally, clock[0].now);
  return { tally, passed: checks.every(({ pass }) => pass) };
}

async function main(): Promise<void> {
  let database: TestDatabase | undefined;
  let app: AppProcess | undefined;
  let client: Client | undefined;
  let passed = true;
  try {
    database = await createTestDatabase(process.env.DATABASE_URL ?? DEFAULT_SERVER);
    const started = await startAppProcess(appEnvironment(database.url));
    app = started.app;
    const { baseUrl } = started;
    client = new Client({ connectionString: database.url });
    await client.connect();

    const preparing = Date.now();
    const adminToken = await signIn(baseUrl, ADMIN.email, ADMIN.password);
    const buyers = await createBuyers(baseUrl, adminToken);
    const stocks = Array<number>(CONNECTIONS).fill(LARGE_STOCK);
    const warmupProducts = await createProducts(baseUrl, adminToken, 'WARMUP', stocks);
    const distinctProducts = await createProducts(baseUrl, adminToken, 'DISTINCT', stocks);
    const [calibrationProduct] = await createProducts(baseUrl, adminToken, 'HOT-WARMUP', [LARGE_STOCK]);
    console.log(
      `${buyers.length} buyers in ${ORGANIZATIONS} organizations and ${2 * CONNECTIONS + 1} products created through ` +
        `the API in ${((Date.now() - preparing) / 1000).toFixed(1)} s; the app's pool holds ${POOL_SIZE} connections`,
    );

    const scenarios: [Scenario, boolean][] = [
      [distinctScenario('warm-up: distinct products', WARMUP_S, buyers, warmupProducts), false],
      [distinctScenario('(a) distinct: each buyer its own product', DURATION_S, buyers, distinctProducts), true],
      [hotScenario('warm-up: one hot product, large stock', WARMUP_S, buyers, calibrationProduct), false],
    ];
    let hotRate = 0;
    for (const [scenario] of scenarios) {
      const { tally, passed: ok } = await run(app, baseUrl, client, scenario);
      passed &&= ok;
      if (scenario.initialStock.has(calibrationProduct.id)) hotRate = (tally.statuses.get(201) ?? 0) / tally.durationS;
    }
    const hotStock = HOT_STOCK ?? Math.max(1, Math.round((hotRate * DURATION_S) / 2));
    const [hotProduct] = await createProducts(baseUrl, adminToken, 'HOT', [hotStock]);
    console.log(
      `\nhot stock ${hotStock}${HOT_STOCK === undefined ? ` (half of ${DURATION_S} s at the warm-up's ${hotRate.toFixed(1)} orders/s)` : ''}`,
    );
    const hot = await run(
      app,
      baseUrl,
      client,
      hotScenario(`(b) hot: all buyers one product, stock ${hotStock}`, DURATION_S, buyers, hotProduct),
    );
    passed &&= hot.passed;
    console.log(`\ncorrectness: ${passed ? 'PASS' : 'FAIL'}`);
  } finally {
    await client?.end();
    if (app?.running) {
      app.signal('SIGTERM');
      await app.waitForExit(30_000).catch(() => app?.kill());
    }
    await database?.drop();
  }
  if (!passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
