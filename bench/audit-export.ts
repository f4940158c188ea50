/**
 * The audit part of `npm run bench` beyond the write path: seeds
 * BENCH_EXPORT_EVENTS (default 100 000) events, times the sealer chaining
 * them, then streams exports of the chain from a fresh app whose V8 heap is
 * capped at EXPORT_HEAP_MB, sampling its resident memory meanwhile: a tenth
 * and the whole should peak alike (flat memory), and an export that held its
 * rows would not fit.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Client } from 'pg';

const EXPORT_EVENTS = Number(process.env.BENCH_EXPORT_EVENTS ?? 100_000);
const SEED_CHUNK = 1_000;
/**
 * The old-space cap of the app that serves the exports (`--max-old-space-size`), on top of the
 * production flags. Not lower: V8 keeps room in the old space to promote a whole young generation
 * (64 MB semi-spaces in production), and under 128 MB it ran a full collection every few scavenges
 * (the export ran three times slower).
 */
export const EXPORT_HEAP_MB = 256;

/** The admin the bench servers bootstrap, so the benchmark can sign in and export. */
export const AUDIT_BENCH_ADMIN = {
  ADMIN_EMAIL: 'bench-admin@bench.example.com',
  ADMIN_PASSWORD: 'bench only: amber lattice quiver 40871 harbor',
};

interface Server {
  url: string;
  process: ChildProcess;
}

/** Seeds and seals the events with the sealer of the app already running, then exports from the app `startExporter` starts. */
export async function benchmarkExport(databaseUrl: string, startExporter: () => Promise<Server>): Promise<void> {
  const database = new Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    const base = new Date(Date.UTC(2020, 0, 1));
    const seeding = Date.now();
    // One statement per chunk, as many transactions: the sealer meets them as it would live.
    for (let first = 0; first < EXPORT_EVENTS; first += SEED_CHUNK) {
      await database.query(
        `INSERT INTO audit_events (occurred_at, actor_type, actor_id, action, resource_type, resource_id, outcome,
                                   request_id, ip, user_agent, changes)
         SELECT $1::timestamptz + make_interval(secs => i / 1000.0), 'user', gen_random_uuid(), 'organization.updated',
                'Organization', gen_random_uuid()::text, 'success', 'bench-' || i, '127.0.0.1', 'autocannon',
                jsonb_build_object('before', jsonb_build_object('name', 'Old ' || i), 'after', jsonb_build_object('name', 'New ' || i))
           FROM generate_series($2::int, $3::int) AS i`,
        [base, first, Math.min(first + SEED_CHUNK, EXPORT_EVENTS) - 1],
      );
    }
    const seeded = Date.now() - seeding;
    const total = Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0].n);
    for (;;) {
      const head = (await database.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM audit_chain')).rows[0]
        .seq;
      if (Number(head) >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const sealed = Date.now() - seeding;
    console.log(
      `\naudit sealing: ${EXPORT_EVENTS} events inserted in ${(seeded / 1000).toFixed(1)} s (${total} in the chain)`,
    );
    console.log(
      `  chained and checkpointed ${(sealed / 1000).toFixed(1)} s after the first insert: ${rate(EXPORT_EVENTS, sealed)} events/s`,
    );

    const server = await startExporter();
    const token = await signIn(server.url);
    const tenth = new Date(base.getTime() + EXPORT_EVENTS / 10).toISOString();
    const runs: [string, string][] = [
      ['ndjson, first 10%', `/v1/audit-events/export?format=ndjson&from=${base.toISOString()}&to=${tenth}`],
      ['ndjson, all', '/v1/audit-events/export?format=ndjson'],
      ['csv, all', '/v1/audit-events/export?format=csv'],
    ];
    console.log(
      `\naudit export, streamed by a fresh app capped at ${EXPORT_HEAP_MB} MB of heap (RSS sampled every 20 ms)`,
    );
    for (const [label, path] of runs) {
      const idle = residentMegabytes(server.process);
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, residentMegabytes(server.process))), 20);
      const started = Date.now();
      const { lines, bytes } = await download(server.url + path, token);
      const elapsed = Date.now() - started;
      clearInterval(sampler);
      console.log(
        `  ${label.padEnd(18)} ${String(lines).padStart(7)} lines  ${(bytes / 1e6).toFixed(1).padStart(6)} MB  ` +
          `${(elapsed / 1000).toFixed(2)} s  ${rate(lines, elapsed).padStart(7)} lines/s  ` +
          `server RSS ${idle} MB before, peak ${peak} MB`,
      );
    }
  } finally {
    await database.end();
  }
}

function rate(count: number, milliseconds: number): string {
  return ((count * 1000) / milliseconds).toFixed(0);
}

function residentMegabytes(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: AUDIT_BENCH_ADMIN.ADMIN_EMAIL, password: AUDIT_BENCH_ADMIN.ADMIN_PASSWORD }),
  });
  if (!response.ok) throw new Error(`bench admin login answered ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** Reads the whole body as it streams, counting lines and bytes, keeping none of it. */
function download(url: string, token: string): Promise<{ lines: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${url} answered ${response.statusCode}`));
      let lines = 0;
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 10) lines++;
      });
      response.on('end', () => resolve({ lines, bytes }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
