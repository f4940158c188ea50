/**
 * `npm run bench`: starts the built app and the bare baseline (bench/baseline-server.ts)
 * on the same database, drives each scenario on both with autocannon, alternating
 * app and baseline, and prints requests/s, p50, p99 and the app/baseline ratio.
 *
 * Both run on a fresh database created (and dropped after) on the PostgreSQL server
 * DATABASE_URL names, default the local one: the embedded database is private to
 * one process and would measure PGlite rather than the app.
 * BENCH_DURATION_S (default 10) and BENCH_CONNECTIONS (default 50) tune the load;
 * BENCH_ONLY (a word, e.g. `catalog` or `audit`) runs only the parts whose title has it.
 *
 * The catalog scenarios read 10,000 products (bench/catalog-data.ts), bulk-loaded
 * after the migrations; the app's demo seed is off, so the lists hold exactly
 * those. Before each scenario both servers' bodies are compared: a baseline that
 * answered something else would make the ratio meaningless.
 *
 * Then the audit trail's costs: the same transactional write with its event
 * recorded and without (bench/audit-bench-server.ts), the sealer chaining
 * BENCH_EXPORT_EVENTS events, and streamed exports with the server's peak
 * memory (bench/audit-export.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { AUDIT_BENCH_ADMIN, benchmarkExport, EXPORT_HEAP_MB } from './audit-export';
import { loadCatalog } from './catalog-data';
import { type Scenario, scenarios } from './scenarios';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ONLY = process.env.BENCH_ONLY ?? '';
const ROUNDS = 2;
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function startServer(command: string[], env: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, command, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(?:listening |Listening on )(http:\/\/[\d.:]+)/.exec(output);
      if (!match) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining the server's logs, unread
      resolve({ url: match[1], process: child });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${command.join(' ')} exited with ${code} before listening:\n${output}`)),
    );
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** What autocannon drives: a GET of `url`, or the request given. */
interface Target {
  label: string;
  url: string;
  request?: Pick<autocannon.Options, 'method' | 'body' | 'headers'>;
}

async function measure(url: string, request: Target['request'] = {}): Promise<Measurement> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, ...request });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

function best(measurements: Measurement[]): Measurement {
  return measurements.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
}

const format = (m: Measurement) =>
  `${m.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${String(m.p50).padStart(4)} ms  p99 ${String(m.p99).padStart(4)} ms  errors ${m.errors}`;

/** Drives `a` and `b` alternately (a warm-up each, then best of ROUNDS) and prints both and their ratio. */
async function compare(title: string, a: Target, b: Target): Promise<void> {
  const results: [Measurement[], Measurement[]] = [[], []];
  await measure(a.url, a.request); // warm-up, discarded
  await measure(b.url, b.request);
  for (let round = 0; round < ROUNDS; round++) {
    results[0].push(await measure(a.url, a.request));
    results[1].push(await measure(b.url, b.request));
  }
  const [bestA, bestB] = results.map(best);
  const width = Math.max(a.label.length, b.label.length);
  const load = loadavg()
    .map((average) => average.toFixed(2))
    .join(' ');
  console.log(`\n${title}  (${CONNECTIONS} connections, ${DURATION_S} s, best of ${ROUNDS}; load average ${load})`);
  console.log(`  ${a.label.padEnd(width)} ${format(bestA)}`);
  console.log(`  ${b.label.padEnd(width)} ${format(bestB)}`);
  console.log(`  ratio ${a.label}/${b.label}: ${(bestA.requestsPerSecond / bestB.requestsPerSecond).toFixed(2)}`);
}

async function runScenario(scenario: Scenario, appUrl: string, baselineUrl: string): Promise<void> {
  const [appBody, baselineBody] = await Promise.all(
    [appUrl, baselineUrl].map(async (url) => {
      const response = await fetch(url + scenario.path);
      if (!response.ok) throw new Error(`${url + scenario.path} answered ${response.status}`);
      return response.text();
    }),
  );
  // Health checks report timings that differ from call to call; everything else must match to the byte.
  if (!scenario.path.startsWith('/health/') && appBody !== baselineBody) {
    throw new Error(`app and baseline answer ${scenario.path} differently:\n${appBody}\n${baselineBody}`);
  }
  await compare(
    `${scenario.name}  GET ${scenario.path}`,
    { label: 'app', url: appUrl + scenario.path },
    { label: 'baseline', url: baselineUrl + scenario.path },
  );
}

/** The arguments of `npm run start:prod` after `node`: the app runs here as it is deployed. */
function productionStart(): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = scripts['start:prod'].split(/\s+/);
  if (node !== 'node') throw new Error(`start:prod is not a node command: ${scripts['start:prod']}`);
  return args;
}

/** The node flags of the production start, which the baseline runs with too: only the code differs. */
const NODE_FLAGS = productionStart().filter((arg) => arg.startsWith('--'));

/** Production-like: request logging at info, as a deployment would run it; no rate limit, no demo seed. */
function appEnvironment(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    RATE_LIMIT_MAX: '100000000',
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO_SEED: 'false',
    ...AUDIT_BENCH_ADMIN,
  };
}

async function main(): Promise<void> {
  let database: TestDatabase | undefined;
  const servers: ChildProcess[] = [];
  try {
    database = await createTestDatabase(process.env.DATABASE_URL ?? DEFAULT_SERVER);
    const loading = Date.now();
    const catalog = await loadCatalog(database.url);
    console.log(`catalog: ${catalog.products} products loaded in ${((Date.now() - loading) / 1000).toFixed(1)} s`);
    const app = await startServer(productionStart(), appEnvironment(database.url));
    servers.push(app.process);
    const baseline = await startServer(
      [...NODE_FLAGS, '-r', 'ts-node/register/transpile-only', 'bench/baseline-server.ts'],
      {
        DATABASE_URL: database.url,
        PORT: '0',
      },
    );
    servers.push(baseline.process);
    for (const scenario of scenarios(catalog).filter(({ name }) => name.includes(ONLY))) {
      await runScenario(scenario, app.url, baseline.url);
    }
    if (!'audit'.includes(ONLY)) return;

    const auditApp = await startServer(
      ['-r', 'ts-node/register/transpile-only', 'bench/audit-bench-server.ts'],
      appEnvironment(database.url),
    );
    servers.push(auditApp.process);
    const write = (path: string, label: string): Target => ({
      label,
      url: auditApp.url + path,
      request: {
        method: 'POST',
        body: JSON.stringify({ name: 'Bench Org' }),
        headers: { 'content-type': 'application/json' },
      },
    });
    await compare(
      'audit: one transactional write (an organization), its event recorded in the same transaction or not',
      write('/v1/bench/audited-writes', 'recorded'),
      write('/v1/bench/unaudited-writes', 'unrecorded'),
    );
    const databaseUrl = database.url;
    await benchmarkExport(databaseUrl, async () => {
      const exporter = await startServer(
        [`--max-old-space-size=${EXPORT_HEAP_MB}`, ...productionStart()],
        appEnvironment(databaseUrl),
      );
      servers.push(exporter.process);
      return exporter;
    });
  } finally {
    await Promise.all(servers.map(stopServer));
    await database?.drop();
  }
}

void main();
