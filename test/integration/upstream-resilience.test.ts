// The platform client under the emulator's fault injection: a circuit breaker
// per API that opens after a burst of 5xx and then makes no upstream call,
// recovers through one probe once the faults clear; a retry budget that keeps
// retries from multiplying load during an outage; 429 with Retry-After; slow
// answers past the timeout; and batch creation never repeated.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { metric } from '../helpers/metric.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
afterEach(() => emulator.faults.clear());

const SANDBOXES = '/data/foundation/sandbox-management/**';
const COOLDOWN_MS = 300;

function callsTo(prefix: string): number {
  return Object.entries(emulator.counters())
    .filter(([route]) => route.includes(prefix))
    .reduce((sum, [, n]) => sum + n, 0);
}

async function metricsOf(gw: RunningGateway): Promise<string> {
  return (await fetch(gw.url.replace(/\/graphql$/, '/metrics'))).text();
}

const codeOf = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => result.errors?.[0]?.extensions?.code;

describe('circuit breaker', () => {
  it('should open after 5 failed calls and make no upstream call while open', async () => {
    // A cool-down far longer than the test, so that no probe happens while it counts.
    const gw = await startGateway({ emulator, breakerFailures: 5, breakerCooldownMs: 600_000 });
    afterAll(() => gw.close());
    await gw.gqlOk('{ currentSandbox { name } }');
    emulator.resetCounters();
    emulator.faults.set([{ path: SANDBOXES, respond: 500 }]);

    // 4 attempts (3 retries) for the first request, 1 for the second: the 5th failure opens the breaker.
    expect(codeOf(await gw.gql('{ currentSandbox { name } }'))).toBe('UPSTREAM_UNAVAILABLE');
    expect(codeOf(await gw.gql('{ currentSandbox { name } }'))).toBe('UPSTREAM_UNAVAILABLE');
    const failedCalls = callsTo('sandbox-management');
    expect(failedCalls).toBe(5);

    for (let i = 0; i < 20; i++) {
      const result = await gw.gql('{ currentSandbox { name } }');
      expect(codeOf(result)).toBe('UPSTREAM_UNAVAILABLE');
      expect(result.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(callsTo('sandbox-management')).toBe(failedCalls);
    const text = await metricsOf(gw);
    expect(metric(text, 'aep_gateway_upstream_breaker_state{api="sandboxes"}')).toBe(2);
    expect(metric(text, 'aep_gateway_upstream_breaker_rejected_total{api="sandboxes"}')).toBeGreaterThanOrEqual(20);
    // Other APIs are not affected.
    expect((await gw.gql('{ schemas(first: 1) { nodes { id } } }')).errors).toBeUndefined();
    console.log(`breaker opened after ${failedCalls} failed upstream calls; 0 upstream calls for 20 requests while open`);
  });

  it('should recover through one probe after the faults clear and the cool-down ends', async () => {
    const gw = await startGateway({ emulator, breakerFailures: 5, breakerCooldownMs: COOLDOWN_MS });
    afterAll(() => gw.close());
    await gw.gqlOk('{ currentSandbox { name } }');
    emulator.faults.set([{ path: SANDBOXES, respond: 500 }]);
    await gw.gql('{ currentSandbox { name } }');
    await gw.gql('{ currentSandbox { name } }');
    expect(metric(await metricsOf(gw), 'aep_gateway_upstream_breaker_state{api="sandboxes"}')).toBe(2);

    emulator.faults.clear();
    emulator.resetCounters();
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 50));
    const recovered = await gw.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }');
    expect(recovered.currentSandbox.name).toBe('prod');
    expect(callsTo('sandbox-management')).toBe(1);
    const text = await metricsOf(gw);
    expect(metric(text, 'aep_gateway_upstream_breaker_state{api="sandboxes"}')).toBe(0);
    expect(metric(text, 'aep_gateway_upstream_breaker_opened_total{api="sandboxes"}')).toBe(1);
    console.log('after the faults cleared and the cool-down: 1 probe call, breaker closed again');
  });

  it('should open again when the probe fails', async () => {
    const gw = await startGateway({ emulator, breakerFailures: 2, breakerCooldownMs: 1_000 });
    afterAll(() => gw.close());
    emulator.faults.set([{ path: SANDBOXES, respond: 503, retryAfterSeconds: 0 }]);
    await gw.gql('{ currentSandbox { name } }');
    emulator.resetCounters();
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(codeOf(await gw.gql('{ currentSandbox { name } }'))).toBe('UPSTREAM_UNAVAILABLE');
    expect(codeOf(await gw.gql('{ currentSandbox { name } }'))).toBe('UPSTREAM_UNAVAILABLE');
    expect(callsTo('sandbox-management')).toBe(1);
    console.log('a failed probe: 1 upstream call, then failing fast again');
  });
});

describe('retry budget', () => {
  it('should keep retries to the budget while every call fails', async () => {
    // Breakers off, so that only the budget limits the calls; a 0% budget leaves the minimum of 10 retries per window.
    const gw = await startGateway({ emulator, breakerFailures: 0, retryBudgetRatio: 0 });
    afterAll(() => gw.close());
    await gw.gqlOk('{ currentSandbox { name } }');
    emulator.resetCounters();
    emulator.faults.set([{ path: SANDBOXES, respond: 503, retryAfterSeconds: 0 }]);
    for (let i = 0; i < 10; i++) expect(codeOf(await gw.gql('{ currentSandbox { name } }'))).toBe('UPSTREAM_UNAVAILABLE');
    const calls = callsTo('sandbox-management');
    expect(calls).toBe(20);
    const denied = metric(await metricsOf(gw), 'aep_gateway_upstream_retries_denied_total{api="sandboxes"}');
    expect(denied).toBeGreaterThan(0);
    console.log(`10 failing requests: ${calls} upstream calls (10 first attempts + 10 budgeted retries) instead of 40; ${denied} retries denied`);
  });
});

describe('rate limits, timeouts and batch creation', () => {
  it('should surface a 429 with a long Retry-After at once, and retry a short one', async () => {
    const gw = await startGateway({ emulator });
    afterAll(() => gw.close());
    await gw.gqlOk('{ currentSandbox { name } }');
    emulator.resetCounters();
    emulator.faults.set([{ path: SANDBOXES, respond: 429, retryAfterSeconds: 120 }]);
    for (let i = 0; i < 6; i++) {
      const result = await gw.gql('{ currentSandbox { name } }');
      expect(codeOf(result)).toBe('UPSTREAM_RATE_LIMITED');
      expect(result.errors?.[0]?.extensions?.retryAfterSeconds).toBe(120);
    }
    expect(callsTo('sandbox-management')).toBe(6);

    emulator.faults.set([{ path: SANDBOXES, respond: 429, retryAfterSeconds: 0, count: 2 }]);
    emulator.resetCounters();
    expect((await gw.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }')).currentSandbox.name).toBe('prod');
    expect(callsTo('sandbox-management')).toBe(3);
    // 429s are not failures of the API: the breaker stayed closed through 8 of them.
    expect(metric(await metricsOf(gw), 'aep_gateway_upstream_breaker_state{api="sandboxes"}')).toBe(0);
    console.log('429 with Retry-After 120 s: 1 call each, UPSTREAM_RATE_LIMITED with retryAfterSeconds 120; Retry-After 0 twice: 3 calls, success; breaker closed');
  });

  it('should answer UPSTREAM_TIMEOUT when the Platform answers after the timeout', async () => {
    const gw = await startGateway({ emulator, upstreamTimeoutMs: 150, breakerFailures: 0 });
    afterAll(() => gw.close());
    emulator.faults.set([{ path: SANDBOXES, latencyMs: 1_000 }]);
    emulator.resetCounters();
    const result = await gw.gql('{ currentSandbox { name } }');
    expect(codeOf(result)).toBe('UPSTREAM_TIMEOUT');
    expect(callsTo('sandbox-management')).toBe(4);
    console.log('1 s answers with a 150 ms timeout: UPSTREAM_TIMEOUT after 4 attempts');
  });

  it('should never send a failed batch creation twice', async () => {
    const gw = await startGateway({ emulator });
    afterAll(() => gw.close());
    const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const created = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($schemaId: ID!) { createDataset(input: { name: "no duplicate batches", schemaId: $schemaId }) { dataset { id } } }', { schemaId });
    const datasetId = created.createDataset.dataset.id;

    for (const respond of [503, 500, 'reset'] as const) {
      emulator.resetCounters();
      emulator.faults.set([{ path: '/data/foundation/import/batches', method: 'POST', respond, retryAfterSeconds: 0 }]);
      const result = await gw.gql('mutation ($input: CreateBatchInput!) { createBatch(input: $input) { batch { id } } }', { input: { datasetId, format: 'JSON' } });
      expect(codeOf(result), String(respond)).toBe('UPSTREAM_UNAVAILABLE');
      expect(callsTo('POST /data/foundation/import/batches'), String(respond)).toBe(1);
    }
    emulator.faults.clear();
    const batches = await gw.gqlOk<{ batches: { nodes: Array<{ id: string }> } }>('query ($id: ID!) { batches(first: 50, filter: { datasetId: $id }) { nodes { id } } }', { id: datasetId });
    expect(batches.batches.nodes).toHaveLength(0);
    console.log('POST /batches failing with 503, 500 and a reset: 1 call each, 0 batches on the dataset afterwards');
  });
});
