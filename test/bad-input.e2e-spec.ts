import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type TestAgent from 'supertest/lib/agent';
import { describeResponse, FuzzRequest, send } from './support/bad-input/fuzz-request';
import { type FuzzOptions, requestsFor, unroutedRequests } from './support/bad-input/request-arbitraries';
import { responseViolations } from './support/bad-input/response-rules';
import { adminSession, createUser } from './support/identity';
import { FuzzProbeModule } from './support/fixtures/fuzz-probe.module';
import { ProbeModule } from './support/fixtures/probe.module';
import { fetchOpenApiDocument, type OpenApiDocument, operationsOf } from './support/openapi-document';
import { startTestApp, type TestApp } from './support/test-app';

/** Fixed so every run sends the same requests; set FUZZ_SEED to explore others. */
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261126);
/**
 * Requests per run, shared among the targets so the file stays fast as the API
 * grows; each target gets between 15 and 100. Raise FUZZ_BUDGET for a deeper search.
 */
const REQUEST_BUDGET = Number(process.env.FUZZ_BUDGET ?? 1_000);
/** To replay one failure: FUZZ_ONLY=<target id> FUZZ_PATH=<path> (both printed with it). */
const ONLY = process.env.FUZZ_ONLY;
const REPLAY_PATH = process.env.FUZZ_PATH;
/** Bounds one target's runs and shrinking; running out counts as a failure, never a silent pass. */
const TIME_LIMIT_PER_TARGET_MS = 30_000;

/**
 * Documented operations the fuzzer leaves alone, by operationId, each with
 * its reason. None today: a 2xx may carry any body (GET /metrics answers
 * Prometheus text), so no operation needs skipping for its media type.
 */
const EXCLUDED_OPERATIONS: Readonly<Record<string, string>> = {};

interface FuzzTarget {
  id: string;
  label: string;
  requests: fc.Arbitrary<FuzzRequest>;
  /** Unrouted requests rightly all get 404; a documented operation should answer in more than one way. */
  documented: boolean;
}

function fuzzTargets(document: OpenApiDocument, options: FuzzOptions): FuzzTarget[] {
  const documented = operationsOf(document)
    .filter(({ operation }) => !(operation.operationId && EXCLUDED_OPERATIONS[operation.operationId]))
    .map((operation) => ({
      id: operation.operation.operationId ?? operation.label,
      label: operation.label,
      requests: requestsFor(document, operation, options),
      documented: true,
    }));
  const unrouted = { id: 'unrouted', label: 'requests no route matches', requests: unroutedRequests(options) };
  return [...documented, { ...unrouted, documented: false }];
}

/** One seed per target, stable when other operations are added or removed. */
function seedFor(targetId: string): number {
  let hash = 0x811c9dc5;
  for (const character of `${BASE_SEED}:${targetId}`) hash = Math.imul(hash ^ character.charCodeAt(0), 0x01000193);
  return hash | 0;
}

function runsPerTarget(targetCount: number): number {
  return Math.min(100, Math.max(15, Math.round(REQUEST_BUDGET / targetCount)));
}

/** Runs one target's property; resolves to its failure report, or undefined when it held. */
async function fuzz(
  http: TestAgent,
  target: FuzzTarget,
  numRuns: number,
  statuses: Set<number>,
): Promise<string | undefined> {
  const property = fc.asyncProperty(target.requests, async (request) => {
    const response = await send(http, request);
    statuses.add(response.status);
    const violations = responseViolations(request, response);
    if (violations.length > 0) throw new Error(`${violations.join('; ')}\n  response: ${describeResponse(response)}`);
  });
  let report: string | undefined;
  try {
    await fc.assert(property, {
      seed: seedFor(target.id),
      numRuns,
      path: ONLY ? REPLAY_PATH : undefined,
      interruptAfterTimeLimit: TIME_LIMIT_PER_TARGET_MS,
      markInterruptAsFailure: true,
      includeErrorInReport: true,
      reporter: (details) => {
        if (!details.failed) return;
        report =
          `${target.label}: ${fc.defaultReportMessage(details) ?? 'failed'}\n` +
          `Replay: FUZZ_SEED=${BASE_SEED} FUZZ_ONLY='${target.id}' FUZZ_PATH='${details.counterexamplePath ?? ''}' ` +
          'npm test -- test/bad-input.e2e-spec.ts';
      },
    });
  } catch (error) {
    // Only a generator bug gets here: property failures go to the reporter.
    report = `${target.label}: the harness failed while generating input: ${String(error)}`;
  }
  return report;
}

describe('bad input, derived from the served OpenAPI document', () => {
  let testApp: TestApp;
  let document: OpenApiDocument;
  let targets: FuzzTarget[];

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_MAX: '100000' }, [ProbeModule, FuzzProbeModule]);
    document = await fetchOpenApiDocument(testApp.http);
    const admin = await adminSession(testApp);
    // Staff may not place orders or pay invoices: a buyer's requests reach those operations' input checks.
    const buyer = await createUser(testApp, { roles: ['buyer'] });
    targets = fuzzTargets(document, {
      bodyLimitBytes: testApp.environment.BODY_LIMIT_BYTES,
      credentials: [admin, buyer].map((session) => ({ authorization: `Bearer ${session.accessToken}` })),
    });
  });
  afterAll(() => testApp.close());

  it('aims at every documented operation but the excluded ones, which exist', () => {
    const ids = operationsOf(document).map(({ operation }) => operation.operationId);
    expect(Object.keys(EXCLUDED_OPERATIONS).filter((id) => !ids.includes(id))).toEqual([]);
    expect(targets.map((target) => target.id)).toEqual(
      expect.arrayContaining([
        'Probe_create',
        'Probe_findOne',
        'FuzzProbe_list',
        'FuzzProbe_update',
        'Metrics_scrape',
        'unrouted',
      ]),
    );
  });

  it('sends bodies byte for byte, so the fuzzer tests what it claims', async () => {
    const body = { name: 'ok', tags: ['a'] };
    const request = new FuzzRequest(
      'PATCH',
      `/v1/test-fuzz-probes/${randomUUID()}`,
      '',
      {},
      {
        contentType: 'application/json',
        bytes: Buffer.from(JSON.stringify(body)),
        label: 'valid',
      },
    );
    const response = await send(testApp.http, request);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject(body);
  });

  it('never answers malformed input with a 5xx, and answers every error with a complete problem', async () => {
    const failures: string[] = [];
    const statusesByOperation = new Map<string, number[]>();
    for (const target of targets.filter((candidate) => !ONLY || candidate.id === ONLY)) {
      const statuses = new Set<number>();
      const failure = await fuzz(testApp.http, target, runsPerTarget(targets.length), statuses);
      if (failure) failures.push(failure);
      if (target.documented) statusesByOperation.set(target.id, [...statuses].sort());
    }
    if (failures.length > 0)
      throw new Error(`Seed ${BASE_SEED}, ${failures.length} target(s) failed:\n\n${failures.join('\n\n')}`);
    // An operation that only ever answered one status never got past its first check: the generators are too narrow.
    const monotonous = [...statusesByOperation].filter(([, statuses]) => statuses.length < 2);
    expect(monotonous).toEqual([]);
  }, 180_000);
});
