// The Redis pieces of the batch watch against a real redis-server: the poll
// lease (one holder, compare-and-delete, expiry, the rightful holder by
// rendezvous weight), the pubsub engine (typed JSON payloads,
// reference-counted channels) and the state store (TTL).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLease } from '../../src/gateway/poll-lease.ts';
import { createRedisPubSub } from '../../src/gateway/pubsub.ts';
import { createRedisStateStore } from '../../src/gateway/watch-state-store.ts';
import { rightfulHolder } from '../helpers/lease-rank.ts';
import { REDIS_URL, redisMissing, serviceGate } from '../helpers/services.ts';

const skip = serviceGate(await redisMissing(), 'Redis engines');

/** A watch key whose rightful holder among `instances` is `wanted`. */
function keyRightfullyOf(wanted: string, instances: readonly string[], stem: string): string {
  for (let i = 0; ; i++) if (rightfulHolder(instances, `${stem}:${i}`) === wanted) return `${stem}:${i}`;
}

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
    expect(await b.renew('batch:x')).toBe('lost');
    await b.release('batch:x');
    expect(await redis.get(`${prefix}lease:batch:x`)).toBe('a');
    // b gave up asking (release), so a is the only one that wants it.
    expect(await a.renew('batch:x')).toBe('kept');
    await a.release('batch:x');
    expect(await b.acquire('batch:x')).toBe(true);
    await b.release('batch:x');
  });

  it('should let another owner take a lease its holder stopped renewing', async () => {
    const a = createRedisLease({ redis, prefix, ttlMs: 50, owner: 'a' });
    const b = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'b' });
    expect(await a.acquire('batch:y')).toBe(true);
    await expect.poll(() => b.acquire('batch:y'), { interval: 20, timeout: 5_000 }).toBe(true);
    expect(await a.renew('batch:y')).toBe('lost');
    await b.release('batch:y');
  });

  it('should hand a lease over to its rightful holder at a renewal, and give a free one only to it while it asks', async () => {
    const a = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'a' });
    const b = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'b' });
    const key = keyRightfullyOf('b', ['a', 'b'], 'batch:spread');
    // a alone wants it: a takes it.
    expect(await a.acquire(key)).toBe(true);
    // b asks: held, so refused, but b now counts.
    expect(await b.acquire(key)).toBe(false);
    expect(await a.renew(key)).toBe('handed-over');
    expect(await redis.get(`${prefix}lease:${key}`)).toBeNull();
    // Free again, but b (asking, and heavier) is the one to take it.
    expect(await a.acquire(key)).toBe(false);
    expect(await b.acquire(key)).toBe(true);
    expect(await b.renew(key)).toBe('kept');
    // The other way round nothing moves: a holds it, b asks, a (the heavier) keeps it.
    const kept = keyRightfullyOf('a', ['a', 'b'], 'batch:stay');
    expect(await a.acquire(kept)).toBe(true);
    expect(await b.acquire(kept)).toBe(false);
    expect(await a.renew(kept)).toBe('kept');
    // A contender that stops asking (release) no longer counts: the holder keeps the lease.
    await a.release(key);
    expect(await b.renew(key)).toBe('kept');
    await b.release(kept);
    const third = keyRightfullyOf('b', ['a', 'b'], 'batch:withdrawn');
    expect(await a.acquire(third)).toBe(true);
    expect(await b.acquire(third)).toBe(false);
    await b.release(third);
    expect(await a.renew(third)).toBe('kept');
    for (const k of [key, kept, third]) await Promise.all([a.release(k), b.release(k)]);
  });

  it('should let the others take a free lease once its rightful holder stops asking for a lifetime', async () => {
    const gone = createRedisLease({ redis, prefix, ttlMs: 100, owner: 'gone' });
    const survivor = createRedisLease({ redis, prefix, ttlMs: 5_000, owner: 'survivor' });
    const key = keyRightfullyOf('gone', ['gone', 'survivor'], 'batch:gone');
    expect(await gone.acquire(key)).toBe(true);
    expect(await survivor.acquire(key)).toBe(false);
    // Neither renewed nor asked again: lease and asking expire together, then the survivor takes it.
    await expect.poll(() => survivor.acquire(key), { interval: 20, timeout: 5_000 }).toBe(true);
    expect(await gone.renew(key)).toBe('lost');
    await survivor.release(key);
    expect(await redis.exists(`${prefix}lease:${key}`, `${prefix}leasewant:${key}`)).toBe(0);
  });

  it('should spread the leases of many watches over the instances that want them', async () => {
    const owners = ['gw-1', 'gw-2', 'gw-3'];
    const leases = owners.map((owner) => createRedisLease({ redis, prefix, ttlMs: 5_000, owner }));
    const keys = Array.from({ length: 30 }, (_, i) => `batch:many:${i}`);
    // The first instance sees every watch first and takes every lease.
    for (const key of keys) expect(await leases[0]!.acquire(key)).toBe(true);
    for (const lease of leases.slice(1)) for (const key of keys) await lease.acquire(key);
    // At its renewals it gives each lease to its rightful holder, which takes it at its next attempt.
    for (const key of keys) await leases[0]!.renew(key);
    for (const lease of leases.slice(1)) for (const key of keys) await lease.acquire(key);
    const holders = await Promise.all(keys.map((key) => redis.get(`${prefix}lease:${key}`)));
    expect(holders).toEqual(keys.map((key) => rightfulHolder(owners, key)));
    for (const owner of owners) expect(holders.filter((h) => h === owner).length).toBeGreaterThanOrEqual(5);
    for (const lease of leases) for (const key of keys) await lease.release(key);
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
