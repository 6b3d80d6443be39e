// Who polls a watched object. With one gateway instance the answer is always
// "this one" (createLocalLease). With several instances sharing a Redis, a
// lease per watch key decides: the holder renews it well before it expires,
// and gives it back with a compare-and-delete, so that an instance can never
// extend or drop a lease another instance took after its own expired. When a
// holder dies, its lease simply expires and the next contender's attempt
// succeeds.
//
// Spreading the polls: the instances that want a lease (the holder and those
// that asked for it lately) are listed per key, and the one with the highest
// rendezvous weight, sha1(instance, key), is the lease's rightful holder. A
// free lease goes only to it while it keeps asking; a holder that finds it
// at a renewal gives the lease up to it. So with subscribers of many batches
// on every instance, each instance polls its share of them, however the
// subscribers arrived (the first instance to see a batch no longer keeps its
// poller), and a lease moves only when the set of instances that want it
// changes.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What a renewal found: still held, taken by another instance after it expired, or handed to the instance that should hold it. */
export type LeaseRenewal = 'kept' | 'lost' | 'handed-over';

export interface PollLease {
  /** How long a lease lives without renewal, in milliseconds. */
  readonly ttlMs: number;
  /** Takes the lease for `key` if nobody holds it (or this instance already does). */
  acquire(key: string): Promise<boolean>;
  /** Extends this instance's lease, or hands it over to the instance that should hold it. */
  renew(key: string): Promise<LeaseRenewal>;
  /** Gives the lease back if this instance still holds it, and stops asking for it. */
  release(key: string): Promise<void>;
}

/** A single instance holds every lease. */
export function createLocalLease(): PollLease {
  return {
    ttlMs: Infinity,
    acquire: async () => true,
    renew: async () => 'kept',
    release: async () => undefined,
  };
}

/**
 * Shared by the scripts: the time on the Redis server (one clock for every
 * instance), and the rightful holder among the instances that want a lease.
 * KEYS[2] = the wanting instances (a sorted set: instance -> until when it
 * counts), ARGV[1] = this instance, ARGV[4] = the watch key the weights are
 * drawn for.
 */
const WANTING = `local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function want(ms)
  redis.call('zremrangebyscore', KEYS[2], '-inf', now)
  redis.call('zadd', KEYS[2], now + ms, ARGV[1])
  redis.call('pexpire', KEYS[2], ms)
end
local function rightful()
  local best, weight = nil, nil
  for _, instance in ipairs(redis.call('zrange', KEYS[2], 0, -1)) do
    local w = redis.sha1hex(instance .. '\\n' .. ARGV[4])
    if weight == nil or w > weight then best, weight = instance, w end
  end
  return best
end
`;

/**
 * Asks for a lease: takes it when it is free and this instance is its
 * rightful holder, keeps it when already held. KEYS[1] = lease key, KEYS[2]
 * = wanting set, ARGV = this instance, ttl ms, how long asking counts (ms),
 * watch key.
 */
const ACQUIRE_SCRIPT = `${WANTING}
want(tonumber(ARGV[3]))
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if holder or rightful() ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
/** Renews a lease this instance holds (1), or gives it up to its rightful holder (2); 0 when it is not held. Same keys and arguments. */
const RENEW_SCRIPT = `${WANTING}
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
want(tonumber(ARGV[3]))
if rightful() ~= ARGV[1] then
  redis.call('del', KEYS[1])
  return 2
end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`;
/** Deletes a lease only if this instance holds it, and withdraws its asking. KEYS as above, ARGV[1] = this instance. */
const RELEASE_SCRIPT = `redis.call('zrem', KEYS[2], ARGV[1])
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisLeaseOptions {
  /** A connection that runs ordinary commands (not one in subscriber mode). */
  readonly redis: Redis;
  /** Put before every lease key. @default 'aep-graphql:' */
  readonly prefix?: string;
  /** Lease lifetime; the holder renews at a third of it. @default 10_000 // 10 seconds */
  readonly ttlMs?: number;
  /** This instance's identity in the lease values. @default a random UUID */
  readonly owner?: string;
}

export function createRedisLease(options: RedisLeaseOptions): PollLease {
  const { redis } = options;
  const prefix = options.prefix ?? 'aep-graphql:';
  const ttlMs = options.ttlMs ?? 10_000;
  const owner = options.owner ?? randomUUID();
  // Contenders ask at least every ttl / 2 (batch-watch.ts), holders renew
  // every ttl / 3: an instance that stops asking (gone, or no subscriber
  // left) stops counting one lifetime later, when a lease it held would have
  // expired too, and the lease goes to the next in rank.
  const ttl = String(ttlMs);
  const wantMs = ttl;
  const keys = (key: string) => [`${prefix}lease:${key}`, `${prefix}leasewant:${key}`] as const;

  return {
    ttlMs,
    async acquire(key) {
      const [lease, wanting] = keys(key);
      return (await redis.eval(ACQUIRE_SCRIPT, 2, lease, wanting, owner, ttl, wantMs, key)) === 1;
    },
    async renew(key) {
      const [lease, wanting] = keys(key);
      const renewed = await redis.eval(RENEW_SCRIPT, 2, lease, wanting, owner, ttl, wantMs, key);
      return renewed === 1 ? 'kept' : renewed === 2 ? 'handed-over' : 'lost';
    },
    async release(key) {
      const [lease, wanting] = keys(key);
      await redis.eval(RELEASE_SCRIPT, 2, lease, wanting, owner);
    },
  };
}
