import { ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimitStore } from './rate-limit-store';

/** Drives the library's default storage at a chosen time (it reads Date.now()). */
async function atTime<T>(now: number, work: () => Promise<T>): Promise<T> {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}

describe('RateLimitStore', () => {
  it('answers exactly as the default ThrottlerStorageService, hit for hit, blocking and unblocking included', async () => {
    const reference = new ThrottlerStorageService();
    // The default sweeps idle keys on a timer; here it sweeps when this store does, at the same instants.
    const sweepReference = (now: number) =>
      (reference as unknown as { evictIdleRecords(now: number): void }).evictIdleRecords(now);
    const store = new RateLimitStore();
    let now = 1_000_000;
    let nextSweep = now;
    for (let step = 0; step < 600; step += 1) {
      // Bursts and pauses across windows and blocks, now and then a long silence.
      now += [1, 7, 150, 900, 2_500][step % 5] * (step % 37 === 0 ? 20 : 1);
      if (now >= nextSweep) {
        sweepReference(now);
        nextSweep = now + 60_000;
      }
      const key = step % 3 === 0 ? 'b' : 'a';
      // Two keys, three throttlers (one with a limit of 0), sometimes no block duration.
      const calls: [string, number, number, number, string][] = [
        [key, 3_000, 4, step % 11 === 0 ? 0 : 5_000, step % 4 === 0 ? 'auth' : 'default'],
        [key, 2_000, 0, 1_000, 'zero'],
      ];
      for (const [k, ttl, limit, block, name] of calls) {
        const expected = await atTime(now, () => reference.increment(k, ttl, limit, block, name));
        expect({ step, ...store.hit(k, ttl, limit, block, name, now) }).toEqual({ step, ...expected });
      }
    }
    reference.onApplicationShutdown();
  });

  it('keeps only the hits of the window, however many came before', () => {
    const store = new RateLimitStore();
    for (let hit = 0; hit < 200_000; hit += 1) store.hit('one-client', 60_000, 1e9, 60_000, 'default', 1_000 + hit);
    expect(store.hit('one-client', 60_000, 1e9, 60_000, 'default', 201_000).totalHits).toBe(60_000);
    const entries = (store as unknown as { entries: Map<string, { hits: Map<string, { expirations: number[] }> }> })
      .entries;
    expect(entries.get('one-client')?.hits.get('default')?.expirations.length).toBeLessThanOrEqual(2 * 60_000);
  });

  it('forgets idle clients', () => {
    const store = new RateLimitStore();
    store.hit('gone', 1_000, 5, 1_000, 'default', 0);
    store.hit('other', 1_000, 5, 1_000, 'default', 120_000);
    expect((store as unknown as { entries: Map<string, unknown> }).entries.has('gone')).toBe(false);
  });
});
