import { randomInt } from 'node:crypto';
import { RateLimitStore } from '../src/platform/http/rate-limit-store';
import { RedisRateLimitStore } from '../src/platform/http/redis-rate-limit-store';
import { startTestApp, type TestApp } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';

const redisUrl = process.env.TEST_REDIS_URL ?? '';

/** An address of its own for each test (read from X-Forwarded-For: TRUST_PROXY=1), so no counter is shared by chance. */
const clientAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

type StorageRecord = Awaited<ReturnType<RateLimitStore['increment']>>;

/** What the throttler acts on: how long a block lasts matters only while there is one (it sets Retry-After). */
function meaning({ totalHits, timeToExpire, isBlocked, timeToBlockExpire }: StorageRecord) {
  return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToBlockExpire : 'not blocked' };
}

/**
 * Rate limits with REDIS_URL: the counters live in a real Redis (this
 * machine's, or TEST_REDIS_URL), so replicas enforce one limit together; when
 * Redis is away each process counts on its own and no request fails for it.
 */
(redisUrl ? describe : describe.skip)('Rate limits shared through Redis', () => {
  const limits = { RATE_LIMIT_MAX: '4', RATE_LIMIT_TTL_MS: '1000', TRUST_PROXY: '1' };
  let replicaA: TestApp;
  let replicaB: TestApp;
  /** A replica whose Redis is behind `proxy`, which the test can cut. */
  let cutOff: TestApp;
  let proxy: TcpProxy;
  /** Another deployment on the same Redis, under a key prefix of its own. */
  let otherDeployment: TestApp;

  // Passport keeps one strategy per name for the whole process, the last app's: every app here lives until the end.
  beforeAll(async () => {
    replicaA = await startTestApp({ ...limits, REDIS_URL: redisUrl });
    replicaB = await startTestApp({ ...limits, REDIS_URL: redisUrl });
    const redis = new URL(redisUrl);
    proxy = await TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) });
    cutOff = await startTestApp({ ...limits, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    otherDeployment = await startTestApp({
      ...limits,
      REDIS_URL: redisUrl,
      RATE_LIMIT_KEY_PREFIX: `other-deployment-${randomInt(1e9)}`,
    });
  });

  afterAll(async () => {
    for (const app of [otherDeployment, cutOff, replicaB, replicaA]) await app?.close();
    await proxy?.close();
  });

  it('answers as the in-process store does, hit for hit, blocking and unblocking included', async () => {
    // Long silences included: the in-process store forgets idle clients at its sweeps, Redis when their keys expire.
    const shared = new RedisRateLimitStore(redisUrl, `store-equivalence-${randomInt(1e9)}`, new RateLimitStore());
    const local = new RateLimitStore();
    const client = clientAddress();
    try {
      await shared.onModuleInit();
      let now = 1_000_000;
      for (let step = 0; step < 400; step += 1) {
        // Bursts and pauses across windows and blocks, now and then a long silence.
        now += [1, 7, 150, 900, 2_500][step % 5] * (step % 37 === 0 ? 20 : 1);
        const key = `${client}-${step % 3 === 0 ? 'b' : 'a'}`;
        // Two throttlers, one with a limit of 0, sometimes no block duration.
        const calls: [number, number, number, string][] = [
          [3_000, 4, step % 11 === 0 ? 0 : 5_000, step % 4 === 0 ? 'auth' : 'default'],
          [2_000, 0, 1_000, 'zero'],
        ];
        for (const [ttl, limit, block, name] of calls) {
          expect({ step, name, ...meaning(await shared.hit(key, ttl, limit, block, name, now)) }).toEqual({
            step,
            name,
            ...meaning(local.hit(key, ttl, limit, block, name, now)),
          });
        }
      }
    } finally {
      shared.onApplicationShutdown();
    }
  });

  const browse = (app: TestApp, from: string) => app.http.get('/v1/products?limit=1').set('X-Forwarded-For', from);

  it('enforces one limit across replicas: the fifth request within the window is refused, whichever replica takes it', async () => {
    const from = clientAddress();
    const statuses = [];
    for (const app of [replicaA, replicaB, replicaA, replicaB, replicaA])
      statuses.push((await browse(app, from)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const refused = await browse(replicaB, from).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another client is not held back by the first.
    await browse(replicaB, clientAddress()).expect(200);
  });

  it('lets a blocked client in again once the block is over', async () => {
    const from = clientAddress();
    for (let i = 0; i < 4; i++) await browse(replicaA, from).expect(200);
    await browse(replicaB, from).expect(429);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await browse(replicaB, from).expect(200);
  });

  it('keeps deployments apart: apps with different key prefixes on one Redis never block each other', async () => {
    const from = clientAddress();
    for (let i = 0; i < 4; i++) await browse(otherDeployment, from).expect(200);
    await browse(otherDeployment, from).expect(429);
    // The same client, the same routes, the same Redis: another deployment's budget.
    await browse(replicaA, from).expect(200);
  });

  it('counts per process while Redis is away, failing no request, and shares again when it is back', async () => {
    proxy.cut();
    const from = clientAddress();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await browse(cutOff, from)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);

    proxy.restore();
    // Shared again once the client has reconnected and the 5 s it leaves Redis alone after a failure are over.
    let shared = false;
    for (let attempt = 0; attempt < 60 && !shared; attempt++) {
      const probe = clientAddress();
      for (let i = 0; i < 4; i++) await browse(cutOff, probe);
      shared = (await browse(replicaA, probe)).status === 429;
      if (!shared) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(shared).toBe(true);
  });
});
