// The retry budget on a fake clock: retries up to minRetries + ratio x calls
// over the sliding window, per API, and the budget refills as the window moves.
import { describe, expect, it } from 'vitest';
import { createRetryBudget } from '../../../src/platform/retry-budget.ts';

describe('createRetryBudget', () => {
  it('should allow minRetries plus ratio x calls in the window, per API', () => {
    let t = 0;
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 2, windowMs: 10_000, now: () => t });
    for (let i = 0; i < 50; i++) budget.recordCall('catalog');
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry('catalog')) allowed++;
    expect(allowed).toBe(12);
    expect(budget.tryRetry('schemaRegistry')).toBe(true);
    expect(budget.stats()).toContainEqual({ api: 'catalog', denied: 88 });

    t += 10_000;
    expect(budget.tryRetry('catalog')).toBe(true);
    expect(budget.tryRetry('catalog')).toBe(true);
    expect(budget.tryRetry('catalog')).toBe(false);
  });

  it('should forget slices as the window slides', () => {
    let t = 0;
    const budget = createRetryBudget({ ratio: 1, minRetries: 0, windowMs: 1_000, now: () => t });
    budget.recordCall('ims');
    expect(budget.tryRetry('ims')).toBe(true);
    expect(budget.tryRetry('ims')).toBe(false);
    t += 500;
    budget.recordCall('ims');
    expect(budget.tryRetry('ims')).toBe(true);
    t += 600; // the first call and retry left the window
    expect(budget.tryRetry('ims')).toBe(false);
    budget.recordCall('ims');
    expect(budget.tryRetry('ims')).toBe(true);
  });
});
