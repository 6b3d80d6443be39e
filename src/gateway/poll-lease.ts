// Who polls a watched object. With one gateway instance the answer is always
// "this one" (createLocalLease). With several instances sharing a Redis, a
// lease per watch key decides: SET NX PX takes it, the holder renews it well
// before it expires, and gives it back with a compare-and-delete, so that an
// instance can never extend or drop a lease another instance took after its
// own expired. When a holder dies, its lease simply expires and the next
// contender's attempt succeeds.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface PollLease {
  /** How long a lease lives without renewal, in milliseconds. */
  readonly ttlMs: number;
  /** Takes the lease for `key` if nobody holds it (or this instance already does). */
  acquire(key: string): Promise<boolean>;
  /** Extends this instance's lease; false when it was lost (expired and taken, or never held). */
  renew(key: string): Promise<boolean>;
  /** Gives the lease back, only if this instance still holds it. */
  release(key: string): Promise<void>;
}

/** A single instance holds every lease. */
export function createLocalLease(): PollLease {
  return {
    ttlMs: Infinity,
    acquire: async () => true,
    renew: async () => true,
    release: async () => undefined,
  };
}

/**
 * Takes a free lease, or renews this owner's, in one round trip: contenders
 * ask every few seconds for every watch they do not hold. KEYS[1] = lease
 * key, ARGV[1] = owner, ARGV[2] = ttl ms.
 */
const ACQUIRE_SCRIPT = `local holder = redis.call('get', KEYS[1])
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;
/** Renews only a lease this owner holds. KEYS[1] = lease key, ARGV[1] = owner, ARGV[2] = ttl ms. */
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes only a lease this owner holds. KEYS[1] = lease key, ARGV[1] = owner. */
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

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
  const leaseKey = (key: string) => `${prefix}lease:${key}`;

  async function renew(key: string): Promise<boolean> {
    const renewed = await redis.eval(RENEW_SCRIPT, 1, leaseKey(key), owner, String(ttlMs));
    return renewed === 1;
  }

  return {
    ttlMs,
    async acquire(key) {
      // Free, or already ours (a restarted poller in this instance): take or keep it.
      const taken = await redis.eval(ACQUIRE_SCRIPT, 1, leaseKey(key), owner, String(ttlMs));
      return taken === 1;
    },
    renew,
    async release(key) {
      await redis.eval(RELEASE_SCRIPT, 1, leaseKey(key), owner);
    },
  };
}
