// The Redis pieces of the batch watch against a real redis-server: the poll
// lease (one holder, compare-and-delete, expiry), the pubsub engine (typed
// JSON payloads, reference-counted channels) and the state store (TTL).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLease } from '../../src/gateway/poll-lease.ts';
import { createRedisPubSub } from '../../src/gateway/pubsub.ts';
import { createRedisStateStore } from '../../src/gateway/watch-state-store.ts';
import { REDIS_URL, redisMissing, serviceGate } from '../helpers/services.ts';

const skip = serviceGate(await redisMissing(), 'Redis engines');

describe.skipIf(skip)('Redis engines of the batch watch', () => {
  const prefix = `aep-graphql-test:${randomUUID()}:`;
  let redis: Redis;
  let subscriber: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([redis.quit(), subscriber.quit()]);
  });

  it('should give a lease to one owner at a time and let only that owner renew or release it', async () => {
    const a = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'a' });
    const b = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'b' });
    expect(await a.acquire('batch:x')).toBe(true);
    expect(await b.acquire('batch:x')).toBe(false);
    // Taking it again is harmless for its holder.
    expect(await a.acquire('batch:x')).toBe(true);
    expect(await b.renew('batch:x')).toBe(false);
    await b.release('batch:x');
    expect(await redis.get(`${prefix}lease:batch:x`)).toBe('a');
    expect(await a.renew('batch:x')).toBe(true);
    await a.release('batch:x');
    expect(await b.acquire('batch:x')).toBe(true);
    await b.release('batch:x');
  });

  it('should let another owner take a lease its holder stopped renewing', async () => {
    const a = createRedisLease({ redis, prefix, ttlMs: 50, owner: 'a' });
    const b = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'b' });
    expect(await a.acquire('batch:y')).toBe(true);
    await expect.poll(() => b.acquire('batch:y'), { interval: 20, timeout: 5_000 }).toBe(true);
    expect(await a.renew('batch:y')).toBe(false);
    await b.release('batch:y');
  });

  it('should deliver typed payloads to every listener of a topic, and stop after the last one leaves', async () => {
    const pubsub = createRedisPubSub<{ batch: { n: number } }>({ publisher: redis, subscriber, prefix });
    const seen: string[] = [];
    const off1 = await pubsub.subscribe('batch', 'org:prod:1', (p) => seen.push(`one:${p.n}`));
    const off2 = await pubsub.subscribe('batch', 'org:prod:1', (p) => seen.push(`two:${p.n}`));
    await pubsub.publish('batch', 'org:prod:1', { n: 1 });
    await pubsub.publish('batch', 'org:prod:2', { n: 99 });
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(2);
    await off1();
    await pubsub.publish('batch', 'org:prod:1', { n: 2 });
    await expect.poll(() => seen, { timeout: 5_000 }).toEqual(['one:1', 'two:1', 'two:2']);
    await off2();
    expect(await redis.pubsub('NUMSUB', `${prefix}batch:org:prod:1`)).toEqual([`${prefix}batch:org:prod:1`, 0]);
    await pubsub.close();
  });

  it('should keep a state until its time to live runs out', async () => {
    const store = createRedisStateStore({ redis, prefix });
    await store.set('batch:org:prod:1', { events: { a: 1 } }, 60_000);
    expect(await store.get('batch:org:prod:1')).toEqual({ events: { a: 1 } });
    await store.touch('batch:org:prod:1', 30);
    await expect.poll(() => store.get('batch:org:prod:1'), { interval: 20, timeout: 5_000 }).toBeUndefined();
  });
});
