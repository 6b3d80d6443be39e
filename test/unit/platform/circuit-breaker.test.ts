// Circuit breakers on a fake clock: closed -> open after the threshold of
// consecutive failures, fail-fast with CIRCUIT_OPEN while open, one probe at a
// time when half-open, closed again by a successful probe.
import { describe, expect, it } from 'vitest';
import { CIRCUIT_OPEN, createCircuitBreakers } from '../../../src/platform/circuit-breaker.ts';
import { PlatformError } from '../../../src/platform/errors.ts';

function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function refusal(run: () => unknown): PlatformError {
  try {
    run();
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('createCircuitBreakers', () => {
  it('should open after the threshold of consecutive failures and fail fast until the cool-down ends', () => {
    const clock = fakeClock();
    const changes: string[] = [];
    const breakers = createCircuitBreakers({ failureThreshold: 3, cooldownMs: 1_000, now: clock.now, onStateChange: (api, from, to) => changes.push(`${api}:${from}->${to}`) });
    breakers.acquire('catalog').failure();
    breakers.acquire('catalog').failure();
    breakers.acquire('catalog').success(); // a success resets the count
    for (let i = 0; i < 3; i++) breakers.acquire('catalog').failure();
    expect(breakers.state('catalog')).toBe('open');
    clock.advance(400);
    const error = refusal(() => breakers.acquire('catalog'));
    expect(error).toMatchObject({ kind: 'network', api: 'catalog', code: CIRCUIT_OPEN, retryAfterSeconds: 1 });
    expect(breakers.state('ingestion')).toBe('closed');
    expect(() => breakers.acquire('ingestion').success()).not.toThrow();
    expect(changes).toEqual(['catalog:closed->open']);
    expect(breakers.stats().find((s) => s.api === 'catalog')).toEqual({ api: 'catalog', state: 'open', rejected: 1, opened: 1 });
  });

  it('should let one probe through after the cool-down, and close on its success', () => {
    const clock = fakeClock();
    const breakers = createCircuitBreakers({ failureThreshold: 1, cooldownMs: 1_000, now: clock.now });
    breakers.acquire('sandboxes').failure();
    clock.advance(1_000);
    const probe = breakers.acquire('sandboxes');
    expect(breakers.state('sandboxes')).toBe('half-open');
    expect(refusal(() => breakers.acquire('sandboxes')).code).toBe(CIRCUIT_OPEN);
    probe.success();
    expect(breakers.state('sandboxes')).toBe('closed');
    breakers.acquire('sandboxes').success();
  });

  it('should re-open for a full cool-down when the probe fails, and free the probe slot on release', () => {
    const clock = fakeClock();
    const breakers = createCircuitBreakers({ failureThreshold: 1, cooldownMs: 1_000, now: clock.now });
    breakers.acquire('ims').failure();
    clock.advance(1_000);
    breakers.acquire('ims').failure();
    expect(breakers.state('ims')).toBe('open');
    clock.advance(999);
    expect(refusal(() => breakers.acquire('ims')).code).toBe(CIRCUIT_OPEN);
    clock.advance(1);
    breakers.acquire('ims').release(); // an aborted probe says nothing
    const next = breakers.acquire('ims');
    next.success();
    next.failure(); // settling twice counts once
    expect(breakers.state('ims')).toBe('closed');
  });

  it('should do nothing with a threshold of 0', () => {
    const breakers = createCircuitBreakers({ failureThreshold: 0 });
    for (let i = 0; i < 100; i++) breakers.acquire('catalog').failure();
    expect(breakers.state('catalog')).toBe('closed');
  });
});
