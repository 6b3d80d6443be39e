// The last known state of each watched object, kept for a while after it was
// seen, so that a subscriber gets the current state at once even when no
// poller runs in its instance (another instance polls), and a client that
// resubscribes after its gateway restarted still gets the final state. In
// memory by default; with Redis, one key with a TTL per watch.
import type { Redis } from 'ioredis';

export interface WatchStateStore {
  get<S>(key: string): Promise<S | undefined>;
  set(key: string, state: unknown, ttlMs: number): Promise<void>;
  /** Keeps an unchanged state for another ttlMs. */
  touch(key: string, ttlMs: number): Promise<void>;
}

export interface MemoryStateStoreOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** Most states kept; the oldest go first beyond it. @default 10_000 */
  readonly maxEntries?: number;
}

export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): WatchStateStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  // Map order is insertion order: re-inserting on write keeps the oldest first.
  const entries = new Map<string, { state: unknown; expiresAt: number }>();
  return {
    async get<S>(key: string) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.state as S;
    },
    async set(key, state, ttlMs) {
      entries.delete(key);
      entries.set(key, { state, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    async touch(key, ttlMs) {
      const entry = entries.get(key);
      if (entry) entry.expiresAt = now() + ttlMs;
    },
  };
}

export interface RedisStateStoreOptions {
  readonly redis: Redis;
  /** Put before every key. @default 'aep-graphql:' */
  readonly prefix?: string;
}

/** States are JSON under `<prefix>state:<key>` with a PX expiry. */
export function createRedisStateStore(options: RedisStateStoreOptions): WatchStateStore {
  const { redis } = options;
  const prefix = options.prefix ?? 'aep-graphql:';
  const stateKey = (key: string) => `${prefix}state:${key}`;
  return {
    async get<S>(key: string) {
      const text = await redis.get(stateKey(key));
      return text === null ? undefined : (JSON.parse(text) as S);
    },
    async set(key, state, ttlMs) {
      await redis.set(stateKey(key), JSON.stringify(state), 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async touch(key, ttlMs) {
      await redis.pexpire(stateKey(key), Math.max(1, Math.round(ttlMs)));
    },
  };
}
