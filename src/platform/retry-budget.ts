// A retry budget: retries may add at most `ratio` of the calls made over a
// sliding window (plus a small allowance so that a quiet gateway still
// retries its few calls). Without it, every caller retrying up to 3 times
// during an outage quadruples the load on a Platform that is already failing;
// with it, retries stop once they reach 20% of the traffic, and the error
// reaches the client instead.
//
// One budget per API: an outage of one API does not spend another's retries.
import type { PlatformApi } from './errors.ts';

export interface RetryBudgetOptions {
  /** Retries allowed per first attempt over the window. 0 allows only `minRetries`. @default 0.2 */
  readonly ratio?: number;
  /** Retries always allowed per window, whatever the traffic. @default 10 */
  readonly minRetries?: number;
  /** The sliding window, kept as ten slices. @default 10_000 // 10 seconds */
  readonly windowMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RetryBudget {
  /** Counts a first attempt (a call). */
  recordCall(api: PlatformApi): void;
  /** Takes one retry from the budget; false when it is spent (do not retry). */
  tryRetry(api: PlatformApi): boolean;
  /** Retries refused so far, per API. */
  stats(): Array<{ readonly api: PlatformApi; readonly denied: number }>;
}

export const DEFAULT_RETRY_BUDGET = { ratio: 0.2, minRetries: 10, windowMs: 10_000 } as const;

const SLICES = 10;

interface Window {
  readonly calls: number[];
  readonly retries: number[];
  slice: number;
  sliceStart: number;
  denied: number;
}

export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const ratio = options.ratio ?? DEFAULT_RETRY_BUDGET.ratio;
  const minRetries = options.minRetries ?? DEFAULT_RETRY_BUDGET.minRetries;
  const sliceMs = (options.windowMs ?? DEFAULT_RETRY_BUDGET.windowMs) / SLICES;
  const now = options.now ?? Date.now;
  const windows = new Map<PlatformApi, Window>();

  /** The API's window, with the slices that fell out of it emptied. */
  function windowOf(api: PlatformApi): Window {
    const at = now();
    let w = windows.get(api);
    if (!w) {
      w = { calls: new Array<number>(SLICES).fill(0), retries: new Array<number>(SLICES).fill(0), slice: 0, sliceStart: at, denied: 0 };
      windows.set(api, w);
      return w;
    }
    const elapsed = Math.min(SLICES, Math.floor((at - w.sliceStart) / sliceMs));
    for (let i = 0; i < elapsed; i++) {
      w.slice = (w.slice + 1) % SLICES;
      w.calls[w.slice] = 0;
      w.retries[w.slice] = 0;
    }
    if (elapsed > 0) w.sliceStart = at - ((at - w.sliceStart) % sliceMs);
    return w;
  }

  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  return {
    recordCall(api) {
      const w = windowOf(api);
      w.calls[w.slice]!++;
    },
    tryRetry(api) {
      const w = windowOf(api);
      if (sum(w.retries) + 1 > minRetries + ratio * sum(w.calls)) {
        w.denied++;
        return false;
      }
      w.retries[w.slice]!++;
      return true;
    },
    stats: () => [...windows].map(([api, w]) => ({ api, denied: w.denied })),
  };
}
