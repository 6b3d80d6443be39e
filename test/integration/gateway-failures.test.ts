// What clients see when things go wrong: a batch that fails validation, and
// each error code provoked for real (bad input, credentials, access, missing
// objects, and the upstream's rate limits, outages and timeouts through the
// emulator's fault injection).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import { waitForTerminalBatch } from '../helpers/batches.ts';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
// A short upstream timeout so that UPSTREAM_TIMEOUT costs little to provoke.
const gw = await startGateway({ emulator, upstreamTimeoutMs: 300 });
afterAll(() => gw.close());
const passThrough = await startGateway({ emulator, authMode: 'pass-through' });
afterAll(() => passThrough.close());

let schemaId = '';
let datasetId = '';

beforeAll(async () => {
  const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }');
  schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
  const created = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($schemaId: ID!) { createDataset(input: { name: "failures", schemaId: $schemaId }) { dataset { id } } }', { schemaId });
  datasetId = created.createDataset.dataset.id;
});

afterEach(() => emulator.faults.clear());

function codeOf(result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

describe('a batch that fails validation', () => {
  it('should show its errors, metrics and failed rows', async () => {
    const rows = [
      { _aeplocal: { loyalty: { loyaltyId: 'L-1', loyaltyLevel: 'gold', loyaltyPoints: 10 } } },
      { _aeplocal: { loyalty: { loyaltyId: 'L-2', loyaltyPoints: 'not a number' } } },
      { _aeplocal: { loyalty: { loyaltyId: 'L-3', loyaltyPoints: 'also not a number' } } },
    ];
    const upload = await gw.upload<{ ingestFiles: { batch: { id: string } } }>(
      {
        query: 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } } }',
        variables: { input: { datasetId, format: 'JSON', files: [null] } },
      },
      [{ path: 'variables.input.files.0', name: 'bad.json', content: rows.map((r) => JSON.stringify(r)).join('\n') }],
    );
    expect(upload.errors).toBeUndefined();
    const batchId = upload.data!.ingestFiles.batch.id;
    const batch = await waitForTerminalBatch(gw, batchId);
    expect(batch.status).toBe('FAILED');

    const details = await gw.gqlOk<{
      batch: { metrics: { failedRecordCount: number | null } | null; errors: Array<{ code: string | null; description: string | null }>; failedRows: Array<{ record: unknown; errors: unknown }> };
    }>('query ($id: ID!) { batch(id: $id) { metrics { failedRecordCount } errors { code description recordCount rows } failedRows(limit: 10) { record errors } } }', { id: batchId });
    expect(details.batch.errors.length).toBeGreaterThan(0);
    expect(details.batch.errors.every((e) => typeof e.code === 'string' && e.code.length > 0)).toBe(true);
    expect(details.batch.metrics?.failedRecordCount).toBe(2);
    expect(details.batch.failedRows).toHaveLength(2);
    expect(JSON.stringify(details.batch.failedRows.map((r) => r.record))).toContain('not a number');
    expect(details.batch.failedRows.every((r) => Array.isArray(r.errors) && r.errors.length > 0)).toBe(true);
  });
});

describe('error codes', () => {
  it('should answer BAD_USER_INPUT for arguments the gateway checks, before any upstream call', async () => {
    emulator.resetCounters();
    const percent = await gw.gql('mutation ($id: ID!) { createBatch(input: { datasetId: $id, format: JSON, partialIngestionPercent: 150 }) { batch { id } } }', { id: datasetId });
    expect(codeOf(percent)).toBe('BAD_USER_INPUT');
    const unknownFormat = await gw.gql('mutation ($id: ID!) { createBatch(input: { datasetId: $id, format: UNKNOWN }) { batch { id } } }', { id: datasetId });
    expect(codeOf(unknownFormat)).toBe('BAD_USER_INPUT');
    const calls = Object.entries(emulator.counters()).filter(([route]) => !route.includes('/ims/'));
    expect(calls).toEqual([]);
  });

  it('should answer BAD_USER_INPUT for a non-additive schema change, before anything is written', async () => {
    emulator.resetCounters();
    const result = await gw.gql('mutation ($id: ID!) { addSchemaFields(input: { schemaId: $id, fields: [{ path: "loyalty.loyaltyPoints", type: STRING }] }) { addedPaths } }', { id: schemaId });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/not an additive change/);
    const writes = Object.keys(emulator.counters()).filter((route) => !route.startsWith('GET ') && !route.includes('/ims/'));
    expect(writes).toEqual([]);
  });

  it('should answer BAD_USER_INPUT for a request the Platform refuses (400)', async () => {
    const result = await gw.gql('mutation { createSchema(input: { title: "Broken class", classId: "https://ns.adobe.com/aeplocal/classes/does-not-exist" }) { schema { id } } }');
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(codeOf(result));
    expect(result.errors?.[0]?.extensions?.upstreamStatus).toBeTypeOf('number');
  });

  it('should answer GRAPHQL_VALIDATION_FAILED and GRAPHQL_PARSE_FAILED for broken queries', async () => {
    expect(codeOf(await gw.gql('{ datasets { nodes { nope } } }'))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codeOf(await gw.gql('{ datasets('))).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('should answer UNAUTHENTICATED without a gateway key', async () => {
    const result = await gw.gql('{ sandboxes { name } }', {}, { 'x-gateway-api-key': '' });
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('should answer FORBIDDEN for a valid token used for an organization it is not entitled to', async () => {
    const headers = await emulator.headers();
    const result = await passThrough.gql('{ sandboxes { name } }', {}, { ...headers, 'x-gw-ims-org-id': 'AAAAAAAAAAAAAAAAAAAAAAAA@AdobeOrg' });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.extensions?.aepCode).toBeTypeOf('string');
  });

  it('should answer NOT_FOUND for a mutation on a missing object, and null for a missing object on a nullable field', async () => {
    const complete = await gw.gql('mutation { completeBatch(input: { batchId: "01ZZZZZZZZZZZZZZZZZZZZZZZZ" }) { batch { id } } }');
    expect(codeOf(complete)).toBe('NOT_FOUND');
    const lookup = await gw.gql<{ dataset: unknown; batch: unknown; schema: unknown }>(
      '{ dataset(id: "000000000000000000000000") { id } batch(id: "01ZZZZZZZZZZZZZZZZZZZZZZZZ") { id } schema(id: "_aeplocal.schemas.missing") { id } }',
    );
    expect(lookup.errors).toBeUndefined();
    expect(lookup.data).toEqual({ dataset: null, batch: null, schema: null });
  });

  it('should answer UPSTREAM_RATE_LIMITED with the Retry-After the Platform sent', async () => {
    emulator.faults.add({ path: '/data/foundation/catalog/**', respond: 429, retryAfterSeconds: 120 });
    const result = await gw.gql('{ datasets(first: 5) { nodes { id } } }');
    expect(codeOf(result)).toBe('UPSTREAM_RATE_LIMITED');
    expect(result.errors?.[0]?.extensions?.retryAfterSeconds).toBe(120);
    expect(result.status).toBe(200);
  });

  it('should answer UPSTREAM_UNAVAILABLE when the Platform keeps failing', async () => {
    emulator.faults.add({ path: '/data/foundation/catalog/**', respond: 503, retryAfterSeconds: 120 });
    const result = await gw.gql('{ datasets(first: 5) { nodes { id } } }');
    expect(codeOf(result)).toBe('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(result.errors)).not.toMatch(/stack|authorization|Bearer/i);
  });

  it('should answer UPSTREAM_TIMEOUT when the Platform does not answer in time', async () => {
    emulator.faults.add({ path: '/data/foundation/catalog/**', latencyMs: 1_500 });
    const result = await gw.gql('{ datasets(first: 5) { nodes { id } } }');
    expect(codeOf(result)).toBe('UPSTREAM_TIMEOUT');
  });

  it('should keep the fields that did resolve next to a nullable field that failed', async () => {
    emulator.faults.add({ path: '/data/foundation/catalog/**', respond: 429, retryAfterSeconds: 120 });
    const result = await gw.gql<{ sandboxes: Array<{ name: string }>; dataset: unknown }>('query ($id: ID!) { sandboxes { name } dataset(id: $id) { id } }', { id: datasetId });
    expect(result.status).toBe(200);
    expect(result.data?.sandboxes.length).toBeGreaterThan(0);
    expect(result.data?.dataset).toBeNull();
    expect(result.errors?.[0]?.path).toEqual(['dataset']);
  });
});
