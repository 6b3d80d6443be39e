// GET /metrics after real traffic: requests by operation and outcome, GraphQL
// errors by code, upstream calls, retries and latency, upload bytes, and
// operation-name labels that stay bounded whatever names clients send.
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
const gw = await startGateway({ emulator });
afterAll(() => gw.close());

const metricsUrl = gw.url.replace(/\/graphql$/, '/metrics');

async function scrape(url = metricsUrl): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one sample; labels must match exactly (all of them, any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

describe('GET /metrics', () => {
  it('should count requests, errors, upstream calls, retries and upload bytes', async () => {
    for (let i = 0; i < 3; i++) await gw.gqlOk('query CurrentSandbox { currentSandbox { name } }');
    await gw.gqlOk('{ __typename }');
    const invalid = await gw.gql('query Broken { nope }');
    expect(invalid.status).toBe(400);
    const missing = await gw.gql('mutation CompleteMissing { completeBatch(input: { batchId: "missing-batch" }) { batch { id } } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // Two 503s, then success: two retries of one sandbox lookup.
    emulator.faults.set([{ path: '/data/foundation/sandbox-management/**', respond: 503, retryAfterSeconds: 0, count: 2 }]);
    await gw.gqlOk('query Sandboxes { sandboxes { name } }');
    emulator.faults.clear();

    const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($schemaId: ID!) { createDataset(input: { name: "metrics", schemaId: $schemaId }) { dataset { id } } }', { schemaId });
    const content = `${JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'L-1', loyaltyLevel: 'gold', loyaltyPoints: 1 } } })}\n`.repeat(50);
    const upload = await gw.upload(
      { query: 'mutation Ingest($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } } }', variables: { input: { datasetId: dataset.createDataset.dataset.id, format: 'JSON', files: [null] } } },
      [{ path: 'variables.input.files.0', name: 'rows.json', content }],
    );
    expect(upload.errors).toBeUndefined();

    const text = await scrape();
    expect(sample(text, 'aep_gateway_requests_total', { operation: 'CurrentSandbox', outcome: 'ok' })).toBe(3);
    expect(sample(text, 'aep_gateway_requests_total', { operation: 'anonymous', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'aep_gateway_requests_total', { operation: 'anonymous', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'aep_gateway_requests_total', { operation: 'CompleteMissing', outcome: 'errors' })).toBe(1);
    expect(sample(text, 'aep_gateway_requests_total', { operation: 'Ingest', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'aep_gateway_http_refusals_total', { status: '400' })).toBe(1);
    expect(sample(text, 'aep_gateway_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, 'aep_gateway_graphql_errors_total', { code: 'NOT_FOUND' })).toBe(1);
    expect(sample(text, 'aep_gateway_upstream_calls_total', { api: 'sandboxes', method: 'GET', status: '503' })).toBe(2);
    expect(sample(text, 'aep_gateway_upstream_calls_total', { api: 'sandboxes', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'aep_gateway_upstream_calls_total', { api: 'ims', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'aep_gateway_upstream_retries_total', { api: 'sandboxes' })).toBe(2);
    expect(sample(text, 'aep_gateway_upstream_duration_seconds_count', { api: 'sandboxes', method: 'GET' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'aep_gateway_upload_requests_total')).toBe(1);
    expect(sample(text, 'aep_gateway_upload_received_bytes_total')).toBeGreaterThan(content.length);
    expect(sample(text, 'aep_gateway_active_subscriptions')).toBe(0);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    console.log(
      `after 11 operations: CurrentSandbox ok=3, refused=1, NOT_FOUND=1, sandboxes 503=2 with 2 retries, upload bytes=${sample(text, 'aep_gateway_upload_received_bytes_total')} for a ${content.length} byte file`,
    );
  });

  it('should keep operation labels bounded after 1,000 random operation names', async () => {
    const bounded = await startGateway({ emulator, metricsOperations: ['Pinned'] });
    try {
      for (let i = 0; i < 1_000; i++) {
        const name = `Op_${Math.random().toString(36).slice(2)}_${i}`;
        const response = await fetch(bounded.url, { method: 'POST', headers: { ...bounded.defaultHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ query: `query ${name} { __typename }` }) });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
      await bounded.gqlOk('query Pinned { __typename }');
      const text = await scrape(bounded.url.replace(/\/graphql$/, '/metrics'));
      const operations = labelValues(text, 'aep_gateway_requests_total', 'operation');
      expect(operations.size).toBe(202);
      expect(operations.has('other')).toBe(true);
      expect(operations.has('Pinned')).toBe(true);
      expect(sample(text, 'aep_gateway_requests_total', { operation: 'other', outcome: 'ok' })).toBe(800);
      console.log(`1,000 random operation names -> ${operations.size} operation labels (200 first names, 'other' for 800, the allow-listed 'Pinned')`);
    } finally {
      await bounded.close();
    }
  });

  it('should count the errors of WebSocket operations too', async () => {
    const ws = await startGateway({ emulator });
    try {
      const client = createTestClient(ws.url, ws.defaultHeaders);
      const invalid = follow(client, 'subscription { nope }');
      await invalid.ended;
      const missing = follow(client, 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id } } }', { id: 'missing-batch' });
      await missing.ended;
      const codes = [...(invalid.errors ?? []), ...(missing.errors ?? []), ...missing.results.flatMap((r) => r.errors ?? [])].map((e) => e.extensions?.code);
      const text = await scrape(ws.url.replace(/\/graphql$/, '/metrics'));
      for (const code of new Set(codes)) {
        expect(sample(text, 'aep_gateway_graphql_errors_total', { code: String(code) }), String(code)).toBe(codes.filter((c) => c === code).length);
      }
      expect(codes).toContain('GRAPHQL_VALIDATION_FAILED');
      console.log(`WebSocket errors counted by code: ${codes.join(', ')}`);
    } finally {
      await ws.close();
    }
  });

  it('should be off with METRICS=false', async () => {
    const off = await startGateway({ emulator, metrics: false });
    try {
      expect((await fetch(off.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
