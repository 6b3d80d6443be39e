// A token bucket per client, in memory: `perMinute` requests per minute in
// bursts of up to as many. It knows clients only by the string it is given
// (client-rate-limit.ts decides who a client is).
export interface RateLimiterOptions {
  /** Requests per minute per client; also the burst size. 0 turns the limiter off. */
  readonly perMinute: number;
  /** Clients remembered at once; the least recently seen are forgotten first (a forgotten client starts with a full bucket). @default 10_000 */
  readonly maxClients?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  take(client: string): RateDecision;
  /** Clients with a bucket now. */
  readonly size: number;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

interface Bucket {
  tokens: number;
  updated: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const capacity = options.perMinute;
  const perMs = capacity / 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  return {
    take(client) {
      if (capacity <= 0) return ALLOWED;
      const at = now();
      let bucket = buckets.get(client);
      if (bucket) {
        // Re-inserted so that Map order is least recently seen first.
        buckets.delete(client);
        bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updated) * perMs);
        bucket.updated = at;
      } else {
        bucket = { tokens: capacity, updated: at };
        if (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(client, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return ALLOWED;
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size() {
      return buckets.size;
    },
  };
}
