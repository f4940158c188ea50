import packageJson from '../package.json';
import { startTestApp, type TestApp } from './support/test-app';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** The sample lines of one metric family in Prometheus' text format, `name{labels} value`. */
function samplesOf(exposition: string, name: string): string[] {
  return exposition.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

describe('metrics of a fresh app, before any traffic', () => {
  let testApp: TestApp;
  let exposition: string;

  beforeAll(async () => {
    // No sealing tick during the test: the shared database has events of other test files to seal.
    testApp = await startTestApp({ BUILD_COMMIT: COMMIT, AUDIT_SEAL_INTERVAL_MS: '60000' });
    exposition = (await testApp.http.get('/metrics').expect(200)).text;
  });
  afterAll(() => testApp?.close());

  it('says which build runs: version, Node version and commit', () => {
    expect(samplesOf(exposition, 'app_build_info')).toEqual([
      `app_build_info{version="${packageJson.version}",node_version="${process.version}",commit="${COMMIT}"} 1`,
    ]);
  });

  it('lists every business counter at 0, once for each known label value', () => {
    const counters: Record<string, string[]> = {
      orders_placed_total: ['orders_placed_total 0'],
      payments_total: ['captured', 'pending', 'declined', 'failed'].map(
        (outcome) => `payments_total{outcome="${outcome}"} 0`,
      ),
      outbox_events_published_total: ['outbox_events_published_total 0'],
      outbox_events_republished_total: ['outbox_events_republished_total 0'],
      audit_events_sealed_total: ['audit_events_sealed_total 0'],
      audit_checkpoints_signed_total: ['audit_checkpoints_signed_total 0'],
      audit_seal_failures_total: ['audit_seal_failures_total 0'],
    };
    for (const [name, samples] of Object.entries(counters)) {
      expect({ name, samples: samplesOf(exposition, name).sort() }).toEqual({ name, samples: [...samples].sort() });
    }
  });

  it('has a sample for every counter it declares, so that rate() and alerts see the first event', () => {
    const declared = [...exposition.matchAll(/^# TYPE (\S+) counter$/gm)].map((match) => match[1]);
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter((name) => samplesOf(exposition, name).length === 0)).toEqual([]);
  });
});

describe('metrics without a commit configured', () => {
  let testApp: TestApp;
  afterAll(() => testApp?.close());

  it('says the commit is unknown', async () => {
    testApp = await startTestApp({ BUILD_COMMIT: '' });
    const exposition = (await testApp.http.get('/metrics').expect(200)).text;
    expect(samplesOf(exposition, 'app_build_info')).toEqual([
      `app_build_info{version="${packageJson.version}",node_version="${process.version}",commit="unknown"} 1`,
    ]);
  });
});
