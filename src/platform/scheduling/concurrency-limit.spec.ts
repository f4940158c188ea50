import { ConcurrencyLimit } from './concurrency-limit';

describe('ConcurrencyLimit', () => {
  let clock: number;
  const limitOf = (max: number) => new ConcurrencyLimit(max, () => clock);
  beforeEach(() => {
    clock = 0;
  });

  it('gives at most max slots, and one again once released (twice releasing frees one)', () => {
    const limit = limitOf(2);
    const first = limit.tryAcquire();
    expect(limit.tryAcquire()).toBeDefined();
    expect(limit.tryAcquire()).toBeUndefined();
    first?.();
    first?.();
    expect(limit.tryAcquire()).toBeDefined();
    expect(limit.tryAcquire()).toBeUndefined();
  });

  it('before any run ended, expects the soonest to take as long again as it has run', () => {
    const limit = limitOf(2);
    limit.tryAcquire();
    clock = 4_000;
    limit.tryAcquire();
    clock = 7_200;
    // Runs of 7.2 s and 3.2 s: the younger one, 3.2 s more.
    expect(limit.retryAfterSeconds()).toBe(4);
  });

  it('once a run ended, expects the others to take as long as it took', () => {
    const limit = limitOf(1);
    const first = limit.tryAcquire();
    clock = 10_000;
    first?.();
    limit.tryAcquire();
    clock = 12_500;
    expect(limit.retryAfterSeconds()).toBe(8);
    // Past the last run's duration: as long again as it has run.
    clock = 30_000;
    expect(limit.retryAfterSeconds()).toBe(20);
  });

  it('answers at least one second', () => {
    const limit = limitOf(1);
    limit.tryAcquire();
    expect(limit.retryAfterSeconds()).toBe(1);
  });
});
