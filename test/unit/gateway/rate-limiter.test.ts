// The per-client token bucket on a fake clock: bursts up to the per-minute
// figure, refills continuously, Retry-After in whole seconds, and a bounded
// number of remembered clients.
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/gateway/rate-limiter.ts';

describe('createRateLimiter', () => {
  it('should allow a burst of perMinute, then refill one request per 60/perMinute seconds', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 6, now: () => t });
    for (let i = 0; i < 6; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take('b').allowed).toBe(true);
    t += 9_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    t += 1_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('should be off at 0 and remember at most maxClients', () => {
    const off = createRateLimiter({ perMinute: 0 });
    for (let i = 0; i < 1_000; i++) expect(off.take('x').allowed).toBe(true);
    const limiter = createRateLimiter({ perMinute: 1, maxClients: 100 });
    for (let i = 0; i < 1_000; i++) limiter.take(`client-${i}`);
    expect(limiter.size).toBe(100);
  });
});
