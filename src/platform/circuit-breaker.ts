// Circuit breakers, one per upstream API (Schema Registry, Catalog, Batch
// Ingestion, Data Access, Sandbox Management, IMS). After `failureThreshold`
// consecutive failed attempts (a 5xx, a timeout, a network failure) an API's
// breaker opens: calls to it fail at once, without touching the network, with
// a PlatformError the gateway maps to UPSTREAM_UNAVAILABLE. After `cooldownMs`
// it lets one call through as a probe (half-open): a success closes it, a
// failure opens it for another cool-down. An outage then costs the Platform
// one probe per cool-down instead of every caller's retries.
//
// What is not a failure: 4xx answers (the API is up; the request was wrong),
// 429 (the API is up and asks for patience; retries honour Retry-After), and
// calls the caller aborted.
import { PlatformError, type PlatformApi } from './errors.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed attempts that open a breaker. 0 turns breakers off. @default 5 */
  readonly failureThreshold?: number;
  /** How long an open breaker refuses calls before it lets one probe through. @default 10_000 // 10 seconds */
  readonly cooldownMs?: number;
  /** Told of every change of state (metrics, logs). Must not throw. */
  readonly onStateChange?: (api: PlatformApi, from: BreakerState, to: BreakerState) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** One attempt let through by a breaker; report exactly one outcome. */
export interface BreakerPermit {
  success(): void;
  failure(): void;
  /** Neither: the caller gave up (abort) or the outcome says nothing about the API's health. */
  release(): void;
}

export interface CircuitBreakers {
  /** Lets an attempt through, or throws the PlatformError of an open breaker. */
  acquire(api: PlatformApi): BreakerPermit;
  state(api: PlatformApi): BreakerState;
  /** Every API that has a breaker, with its state and the calls it refused so far. */
  stats(): Array<{ readonly api: PlatformApi; readonly state: BreakerState; readonly rejected: number; readonly opened: number }>;
}

export const DEFAULT_BREAKER = { failureThreshold: 5, cooldownMs: 10_000 } as const;

/** The `code` of the PlatformError an open breaker answers with. */
export const CIRCUIT_OPEN = 'CIRCUIT_OPEN';

interface Breaker {
  state: BreakerState;
  failures: number;
  openedAt: number;
  probing: boolean;
  rejected: number;
  opened: number;
  /** The permit of every attempt made while closed: one object per API, so the hot path allocates nothing. */
  closedPermit?: BreakerPermit;
}

const NOOP_PERMIT: BreakerPermit = Object.freeze({ success() {}, failure() {}, release() {} });

export function createCircuitBreakers(options: CircuitBreakerOptions = {}): CircuitBreakers {
  const threshold = options.failureThreshold ?? DEFAULT_BREAKER.failureThreshold;
  const cooldownMs = options.cooldownMs ?? DEFAULT_BREAKER.cooldownMs;
  const now = options.now ?? Date.now;
  const breakers = new Map<PlatformApi, Breaker>();

  function breakerOf(api: PlatformApi): Breaker {
    let breaker = breakers.get(api);
    if (!breaker) {
      breaker = { state: 'closed', failures: 0, openedAt: 0, probing: false, rejected: 0, opened: 0 };
      breakers.set(api, breaker);
    }
    return breaker;
  }

  function move(api: PlatformApi, breaker: Breaker, to: BreakerState): void {
    const from = breaker.state;
    if (from === to) return;
    breaker.state = to;
    if (to === 'open') {
      breaker.openedAt = now();
      breaker.opened++;
    }
    options.onStateChange?.(api, from, to);
  }

  function refuse(api: PlatformApi, breaker: Breaker): never {
    breaker.rejected++;
    const retryAfterSeconds = Math.max(1, Math.ceil((breaker.openedAt + cooldownMs - now()) / 1000));
    throw new PlatformError(`${api} is failing: the circuit breaker is open (no call made)`, { kind: 'network', api, code: CIRCUIT_OPEN, retryAfterSeconds });
  }

  function succeeded(api: PlatformApi, breaker: Breaker): void {
    breaker.failures = 0;
    move(api, breaker, 'closed');
  }

  function failed(api: PlatformApi, breaker: Breaker, probe: boolean): void {
    breaker.failures++;
    // A failed probe, or one failure too many, opens (again) for a full cool-down.
    if (probe || breaker.state === 'half-open' || breaker.failures >= threshold) {
      if (breaker.state === 'open') breaker.openedAt = now();
      move(api, breaker, 'open');
    }
  }

  /** Attempts made while closed settle without a guard: http.ts settles each exactly once. */
  function closedPermit(api: PlatformApi, breaker: Breaker): BreakerPermit {
    return (breaker.closedPermit ??= {
      success: () => succeeded(api, breaker),
      failure: () => failed(api, breaker, false),
      release() {},
    });
  }

  /** The one probe of a half-open breaker; settling it twice counts once, and frees the probe slot. */
  function probePermit(api: PlatformApi, breaker: Breaker): BreakerPermit {
    let settled = false;
    const settle = (outcome: 'success' | 'failure' | 'release') => {
      if (settled) return;
      settled = true;
      breaker.probing = false;
      if (outcome === 'success') succeeded(api, breaker);
      else if (outcome === 'failure') failed(api, breaker, true);
    };
    return { success: () => settle('success'), failure: () => settle('failure'), release: () => settle('release') };
  }

  return {
    acquire(api) {
      if (threshold <= 0) return NOOP_PERMIT;
      const breaker = breakerOf(api);
      if (breaker.state === 'closed') return closedPermit(api, breaker);
      if (breaker.state === 'open') {
        if (now() - breaker.openedAt < cooldownMs) refuse(api, breaker);
        move(api, breaker, 'half-open');
      }
      // Half-open: one probe at a time; everyone else is refused until it settles.
      if (breaker.probing) refuse(api, breaker);
      breaker.probing = true;
      return probePermit(api, breaker);
    },
    state: (api) => breakers.get(api)?.state ?? 'closed',
    stats: () => [...breakers].map(([api, b]) => ({ api, state: b.state, rejected: b.rejected, opened: b.opened })),
  };
}
