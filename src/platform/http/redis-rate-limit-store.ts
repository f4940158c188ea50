import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import type { RateLimitStore } from './rate-limit-store';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One hit, atomically, with the semantics of RateLimitStore.hit (a sliding log
 * of hit expiries per key and throttler, a block of `blockDuration` once over
 * the limit), on Redis's clock so that replicas agree. KEYS: the key's state
 * (hash: window expiry, block), its hits for this throttler (sorted set of
 * expiries). ARGV: ttl, limit, blockDuration (ms), a unique member for the hit,
 * and the time in ms ('' for Redis's own).
 * Returns totalHits, timeToExpire, isBlocked (0/1), timeToBlockExpire, in
 * seconds rounded up as the throttler expects.
 */
const HIT_SCRIPT = `
local now = tonumber(ARGV[5])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local ttl, limit, blockDuration, member = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local state, hits = KEYS[1], KEYS[2]
local function seconds(ms) return math.ceil(ms / 1000) end

redis.call('ZREMRANGEBYSCORE', hits, '-inf', now)
local expiresAt = tonumber(redis.call('HGET', state, 'expiresAt') or '0')
if expiresAt <= now then
  expiresAt = now + ttl
  redis.call('HSET', state, 'expiresAt', expiresAt)
end
local timeToExpire = seconds(expiresAt - now)
local count = redis.call('ZCARD', hits)
local result

if blockDuration <= 0 then
  local isBlocked = count >= limit
  local timeToBlockExpire = 0
  if isBlocked then
    local first = redis.call('ZRANGE', hits, 0, 0, 'WITHSCORES')[2]
    timeToBlockExpire = first and seconds(tonumber(first) - now) or timeToExpire
    result = { count + 1, timeToExpire, 1, timeToBlockExpire }
  else
    redis.call('ZADD', hits, now + ttl, member)
    result = { count + 1, timeToExpire, 0, 0 }
  end
else
  local isBlocked = redis.call('HGET', state, 'isBlocked') == '1'
  local blockExpiresAt = tonumber(redis.call('HGET', state, 'blockExpiresAt') or '0')
  if not isBlocked then
    redis.call('ZADD', hits, now + ttl, member)
    count = count + 1
  end
  if count > limit and not isBlocked then
    isBlocked = true
    blockExpiresAt = now + blockDuration
    redis.call('HSET', state, 'isBlocked', '1', 'blockExpiresAt', blockExpiresAt)
  end
  local timeToBlockExpire = seconds(blockExpiresAt - now)
  if isBlocked and timeToBlockExpire <= 0 then
    -- The block is over: start counting afresh, this request first.
    isBlocked = false
    redis.call('HSET', state, 'isBlocked', '0')
    redis.call('DEL', hits)
    redis.call('ZADD', hits, now + ttl, member)
    count = 1
  end
  result = { count, timeToExpire, isBlocked and 1 or 0, timeToBlockExpire }
end

-- Forgotten once nothing is left to remember: no live hit, no running block, window over.
local keep = math.max(expiresAt, now + ttl, tonumber(redis.call('HGET', state, 'blockExpiresAt') or '0')) - now
redis.call('PEXPIRE', state, keep)
redis.call('PEXPIRE', hits, keep)
return result
`;

/** How long the process counts on its own after Redis failed to answer, before trying it again. */
const RETRY_AFTER_MS = 5_000;
/** How long start-up waits for the first connection to Redis. */
const CONNECT_WAIT_MS = 2_000;

interface RateLimitCommands {
  rateLimitHit(
    state: string,
    hits: string,
    ttl: number,
    limit: number,
    block: number,
    member: string,
    now: number | '',
  ): Promise<number[]>;
}

/**
 * Rate-limit counters shared by every replica, in Redis (`REDIS_URL`), with
 * the same answers as the in-process RateLimitStore. Keys start with the
 * deployment's RATE_LIMIT_KEY_PREFIX, so that deployments sharing one Redis
 * keep their budgets apart. While Redis cannot be
 * reached the process counts on its own (`local`), so an outage of Redis
 * loosens limits to per-replica ones instead of failing requests. A command
 * gives up after 250 ms rather than queueing, and after a failure Redis is left
 * alone for RETRY_AFTER_MS, so that a Redis that stopped answering without
 * closing its connection costs one timeout per interval, not one per request.
 */
export class RedisRateLimitStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisRateLimitStore.name);
  private readonly redis: Redis & RateLimitCommands;
  private degraded = false;
  /** Until when (ms since the epoch) the process counts on its own after a failure. */
  private localUntil = 0;
  /** Starts every key of this deployment: another deployment on the same Redis uses another prefix. */
  private readonly namespace: string;

  constructor(
    url: string,
    keyPrefix: string,
    private readonly local: RateLimitStore,
  ) {
    this.namespace = `${keyPrefix}:rate-limit:`;
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      connectionName: 'b2b-commerce rate limits',
    });
    // Reported by `increment`, once per outage; the client reconnects by itself.
    redis.on('error', () => undefined);
    redis.defineCommand('rateLimitHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    this.redis = redis as Redis & RateLimitCommands;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (Date.now() < this.localUntil) return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    try {
      return await this.hit(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (!this.degraded) {
        this.logger.warn({ event: 'rate_limit.redis_unavailable', err: error }, 'rate limits counted per process');
      }
      this.degraded = true;
      this.localUntil = Date.now() + RETRY_AFTER_MS;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  /** Waits, a little, for the first connection: requests at start-up are counted in Redis too. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      this.redis.once('ready', done);
    });
  }

  /** `increment` in Redis, at Redis's time or at `now` (ms); throws when Redis does not answer. */
  async hit(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
    now?: number,
  ): Promise<ThrottlerStorageRecord> {
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = await this.redis.rateLimitHit(
      `${this.namespace}{${key}}`,
      `${this.namespace}{${key}}:${throttlerName}`,
      ttl,
      limit,
      blockDuration,
      randomUUID(),
      now ?? '',
    );
    if (this.degraded) this.logger.log({ event: 'rate_limit.redis_recovered' }, 'rate limits shared again');
    this.degraded = false;
    return { totalHits, timeToExpire, isBlocked: isBlocked === 1, timeToBlockExpire };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
