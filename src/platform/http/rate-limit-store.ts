import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often idle keys are dropped, at most (checked on each hit: no timer to stop). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * When each counted hit of one key and throttler stops counting, oldest first.
 * Hits are appended in time order, so the expired ones are always at the front:
 * pruning advances `head` instead of filtering the whole log on every request.
 */
class HitLog {
  private expirations: number[] = [];
  private head = 0;

  get count(): number {
    return this.expirations.length - this.head;
  }

  /** The first expiry still counted; undefined when none. */
  get first(): number | undefined {
    return this.count > 0 ? this.expirations[this.head] : undefined;
  }

  add(expiresAt: number): void {
    this.expirations.push(expiresAt);
  }

  /** Drops the hits expired at `now`. (Were the clock set back, a later hit could expire first: it is then
   * counted until the ones before it expire — stricter, never looser.) */
  prune(now: number): void {
    while (this.head < this.expirations.length && this.expirations[this.head] <= now) this.head += 1;
    if (this.head > 0 && this.head * 2 >= this.expirations.length) {
      this.expirations = this.expirations.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.expirations = [];
    this.head = 0;
  }
}

interface Entry {
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
  hits: Map<string, HitLog>;
}

/**
 * In-memory storage for @nestjs/throttler, with the semantics of its default
 * ThrottlerStorageService (a sliding log per key and throttler, blocking for
 * `blockDuration` once over the limit), at constant cost per request. The
 * default filters every hit of the window on every request: under a high
 * limit (one busy client, or RATE_LIMIT_MAX raised for a benchmark) that is
 * tens of thousands of numbers copied per request.
 */
export class RateLimitStore implements ThrottlerStorage {
  private readonly entries = new Map<string, Entry>();
  private nextSweep = 0;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return Promise.resolve(this.hit(key, ttl, limit, blockDuration, throttlerName, Date.now()));
  }

  /** `increment` at the time `now`. */
  hit(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
    now: number,
  ): ThrottlerStorageRecord {
    if (now >= this.nextSweep) this.sweep(now);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false, hits: new Map() };
      this.entries.set(key, entry);
    }
    let hits = entry.hits.get(throttlerName);
    if (!hits) {
      hits = new HitLog();
      entry.hits.set(throttlerName, hits);
    }
    hits.prune(now);
    if (entry.expiresAt <= now) entry.expiresAt = now + ttl;
    const timeToExpire = seconds(entry.expiresAt - now);

    if (blockDuration <= 0) {
      const isBlocked = hits.count >= limit;
      if (!isBlocked) hits.add(now + ttl);
      return {
        totalHits: hits.count + (isBlocked ? 1 : 0),
        timeToExpire,
        isBlocked,
        timeToBlockExpire: isBlocked ? (hits.first === undefined ? timeToExpire : seconds(hits.first - now)) : 0,
      };
    }

    if (!entry.isBlocked) hits.add(now + ttl);
    if (hits.count > limit && !entry.isBlocked) {
      entry.isBlocked = true;
      entry.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = seconds(entry.blockExpiresAt - now);
    if (entry.isBlocked && timeToBlockExpire <= 0) {
      // The block is over: start counting afresh, this request first.
      entry.isBlocked = false;
      hits.clear();
      hits.add(now + ttl);
    }
    return { totalHits: hits.count, timeToExpire, isBlocked: entry.isBlocked, timeToBlockExpire };
  }

  /** Forgets keys with nothing left to remember: no live hit, no running block, window over. */
  private sweep(now: number): void {
    this.nextSweep = now + SWEEP_INTERVAL_MS;
    for (const [key, entry] of this.entries) {
      if (entry.isBlocked && entry.blockExpiresAt > now) continue;
      if (entry.expiresAt > now) continue;
      let live = false;
      for (const hits of entry.hits.values()) {
        hits.prune(now);
        live ||= hits.count > 0;
      }
      if (!live) this.entries.delete(key);
    }
  }
}

const seconds = (milliseconds: number) => Math.ceil(milliseconds / 1000);
