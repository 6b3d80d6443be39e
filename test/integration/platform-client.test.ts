// The Platform client against the real emulator: auth modes, retries under
// injected faults, and the Platform's own tutorial end to end.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parquetReadObjects } from 'hyparquet';
import { createPlatformClient, PlatformError, type FullPlatformClient, type PlatformClientOptions } from '../../src/platform/index.ts';
import type { CallInfo } from '../../src/platform/http.ts';
import type { PlatformScope } from '../../src/platform/types.ts';
import { startEmulator } from '../helpers/start-emulator.ts';

const STATIC_TOKEN = 'platform-client-test-static-token';

const emulator = await startEmulator({
  faults: true,
  tokenLifetimeSeconds: 2,
  staticTokens: [STATIC_TOKEN],
  smallFileLimit: 1024 * 1024,
  processingDelayMs: 50,
});
const credential = emulator.settings.clients[0]!;
const SCOPE: PlatformScope = { orgId: emulator.settings.orgId, sandbox: 'prod' };

const clients: FullPlatformClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function client(options: Partial<PlatformClientOptions> = {}): { client: FullPlatformClient; calls: CallInfo[] } {
  const calls: CallInfo[] = [];
  const created = createPlatformClient({
    baseUrl: emulator.url,
    imsUrl: emulator.url,
    auth: { mode: 'oauth', clientId: credential.clientId, clientSecret: credential.clientSecret },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    smallFileLimit: 1024 * 1024,
    partSize: 256 * 1024,
    onCall: (info) => calls.push(info),
    ...options,
  });
  clients.push(created);
  return { client: created, calls };
}

/** The four Platform headers with a new token: tokens of this emulator live 2 seconds. */
async function freshHeaders(): Promise<Record<string, string>> {
  return {
    authorization: `Bearer ${await emulator.token()}`,
    'x-api-key': credential.clientId,
    'x-gw-ims-org-id': SCOPE.orgId,
    'x-sandbox-name': SCOPE.sandbox,
  };
}

const count = (calls: CallInfo[], api: CallInfo['api'], method?: string) => calls.filter((c) => c.api === api && (!method || c.method === method)).length;

beforeEach(() => {
  emulator.faults.clear();
  emulator.resetCounters();
});

describe('auth modes against the emulator', () => {
  it('should call with a static token', async () => {
    const { client: c } = client({ auth: { mode: 'static', token: STATIC_TOKEN, apiKey: credential.clientId } });
    const sandboxes = await c.scoped(SCOPE).sandboxes.listSandboxes();
    expect(sandboxes.map((s) => s.name)).toContain('prod');
  });

  it('should forward the caller credentials in pass-through mode', async () => {
    const { client: c } = client({ auth: { mode: 'pass-through' } });
    const token = await emulator.token();
    const scoped = c.scoped({ ...SCOPE, forwardedAuth: { authorization: `Bearer ${token}`, apiKey: credential.clientId } });
    expect(await scoped.sandboxes.getSandbox('prod')).toMatchObject({ name: 'prod', isDefault: true });
    await expect(c.scoped({ ...SCOPE, forwardedAuth: { authorization: 'Bearer nope', apiKey: credential.clientId } }).sandboxes.listSandboxes())
      .rejects.toMatchObject({ kind: 'http', status: 401, aepCode: '401013' });
  });

  it('should refresh an OAuth token of 2 seconds while calls go on', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes();
    expect(count(calls, 'ims')).toBe(1);
    // Past the lifetime: the next call needs (and gets) a new token, with no 401 seen.
    await sleep(2_100);
    await scoped.sandboxes.listSandboxes();
    expect(count(calls, 'ims')).toBe(2);
    expect(calls.filter((call) => call.api === 'sandboxes').every((call) => call.status === 200)).toBe(true);
  });

  it('should share one IMS call among 20 concurrent first calls', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await Promise.all(Array.from({ length: 20 }, () => scoped.sandboxes.getSandbox('prod')));
    expect(count(calls, 'ims')).toBe(1);
    expect(emulator.counters()['POST /ims/token/v3']).toBe(1);
  });

  it('should report IMS refusing bad client credentials as kind auth', async () => {
    const { client: c } = client({ auth: { mode: 'oauth', clientId: credential.clientId, clientSecret: 'wrong' } });
    const error = await c.scoped(SCOPE).sandboxes.listSandboxes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, api: 'ims' });
  });

  it('should report an unknown sandbox as the emulator answers it', async () => {
    const { client: c } = client();
    await expect(c.scoped({ ...SCOPE, sandbox: 'no-such-sandbox' }).sandboxes.listSandboxes()).rejects.toMatchObject({ kind: 'http', status: 403 });
  });
});

describe('retries under injected faults', () => {
  it('should retry a burst of 503 on a GET and succeed', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes(); // token first, so only the GET is counted below
    emulator.resetCounters();
    emulator.faults.add({ path: '/data/foundation/sandbox-management/sandboxes/*', method: 'GET', respond: 503, count: 2, retryAfterSeconds: 0 });
    expect(await scoped.sandboxes.getSandbox('prod')).toMatchObject({ name: 'prod' });
    expect(emulator.counters()['GET /data/foundation/sandbox-management/sandboxes/:name']).toBe(3);
    expect(calls.filter((call) => call.route === '/sandboxes/{name}').map((call) => call.status)).toEqual([503, 503, 200]);
  });

  it('should wait out a 429 with Retry-After and succeed', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', method: 'GET', respond: 429, count: 1, retryAfterSeconds: 1 });
    expect((await scoped.sandboxes.listSandboxes()).length).toBeGreaterThan(0);
    expect(calls.filter((call) => call.api === 'sandboxes').map((call) => call.status)).toEqual([429, 200]);
  });

  it('should surface a 429 whose Retry-After is longer than it may wait', async () => {
    const { client: c, calls } = client({ retry: { maxRetryAfterMs: 1_000 } });
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', respond: 429, count: 1, retryAfterSeconds: 60 });
    await expect(c.scoped(SCOPE).sandboxes.listSandboxes()).rejects.toMatchObject({ status: 429, retryAfterSeconds: 60, aepCode: 'TooManyRequestsError' });
    expect(count(calls, 'sandboxes')).toBe(1);
  });

  it('should retry a reset connection on a GET', async () => {
    const { client: c } = client();
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', respond: 'reset', count: 1 });
    expect(await c.scoped(SCOPE).sandboxes.getSandbox('prod')).toMatchObject({ name: 'prod' });
  });

  it('should turn a slow answer into kind timeout', async () => {
    const { client: c } = client({ timeouts: { headers: 200 }, retry: { maxAttempts: 1 } });
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes();
    // Well past the timeout: undici checks it on a clock of about one second.
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', latencyMs: 3_000, count: 1 });
    await expect(scoped.sandboxes.listSandboxes()).rejects.toMatchObject({ kind: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('should not retry POST /batches: the 503 surfaces after one call', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes();
    emulator.resetCounters();
    emulator.faults.add({ path: '/data/foundation/import/batches', method: 'POST', respond: 503, count: 5, retryAfterSeconds: 0 });
    const error = await scoped.ingestion.createBatch({ datasetId: '5c8c3c555033b814b69f947f', inputFormat: { format: 'json' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'http', status: 503 });
    expect(count(calls, 'ingestion', 'POST')).toBe(1);
    const posts = Object.entries(emulator.counters()).filter(([key]) => key.startsWith('POST ') && !key.includes('/ims/'));
    expect(posts.reduce((sum, [, n]) => sum + n, 0)).toBe(1);
  });
});

describe('schema registry and catalog through the client', () => {
  it('should find the Loyalty Members schema, resolve it, and read the tenant id', async () => {
    const { client: c } = client();
    const scoped = c.scoped(SCOPE);
    const tenantId = await scoped.schemaRegistry.getTenantId();
    expect(tenantId).toBe(emulator.settings.tenantId);
    const all = await scoped.schemaRegistry.listAllSchemas({ container: 'tenant', limit: 1 });
    const summary = all.find((s) => s.title === 'Loyalty Members');
    expect(summary?.$id).toMatch(new RegExp(`^https://ns\\.adobe\\.com/${tenantId}/schemas/`));
    const full = await scoped.schemaRegistry.getSchema(summary!.$id, { full: true });
    expect(full?.properties?.[`_${tenantId}`]).toBeDefined();
    const byAltId = await scoped.schemaRegistry.getSchema(summary!['meta:altId']);
    expect(byAltId?.$id).toBe(summary!.$id);
    expect(byAltId?.allOf?.length).toBeGreaterThan(0);
    expect(await scoped.schemaRegistry.getSchema(`_${tenantId}.schemas.0000`)).toBeNull();
    expect(await scoped.schemaRegistry.getClass('https://ns.adobe.com/xdm/context/profile')).toMatchObject({ $id: 'https://ns.adobe.com/xdm/context/profile' });
  });

  it('should create datasets, look them up in one call, and page through them honestly', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped({ ...SCOPE, sandbox: emulator.settings.devSandboxName });
    const [schema] = (await scoped.schemaRegistry.listAllSchemas({ container: 'tenant' })).filter((s) => s.title === 'Loyalty Members');
    const schemaRef = { id: schema!.$id, contentType: 'application/vnd.adobe.xed-full+json;version=1' };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await scoped.catalog.createDataSet({ name: `Paging ${i}`, schemaRef, fileDescription: { format: 'json' } }));
    expect(new Set(ids).size).toBe(3);

    const found = await scoped.catalog.getDataSets([...ids, '000000000000000000000000'], { properties: ['name'] });
    expect([...found.keys()].sort()).toEqual([...ids].sort());
    expect(found.get(ids[0]!)).toMatchObject({ id: ids[0], name: 'Paging 0' });

    const first = await scoped.catalog.listDataSets({ limit: 2, orderBy: 'asc:created', filters: { name: 'Paging 0,Paging 1,Paging 2' } });
    expect(first.items.map((d) => d.name)).toEqual(['Paging 0', 'Paging 1']);
    expect(first.hasMore).toBe(true);
    const second = await scoped.catalog.listDataSets({ limit: 2, start: 2, orderBy: 'asc:created', filters: { name: 'Paging 0,Paging 1,Paging 2' } });
    expect(second.items.map((d) => d.name)).toEqual(['Paging 2']);
    expect(second.hasMore).toBe(false);

    expect(await scoped.catalog.getDataSet('000000000000000000000000')).toBeNull();
    await expect(scoped.catalog.createDataSet({ name: 'Bad', schemaRef: { id: 'https://ns.adobe.com/nope/schemas/1', contentType: schemaRef.contentType } }))
      .rejects.toMatchObject({ kind: 'http', status: 400 });
    expect(calls.filter((call) => call.api === 'catalog' && call.method === 'POST').map((call) => call.status)).toEqual([201, 201, 201, 400]);
  });
});

/** Loyalty Members records, one JSON line each, until the text is at least `bytes` long. */
function loyaltyLines(tenantId: string, prefix: string, bytes: number): { data: Buffer; ids: string[] } {
  const levels = ['bronze', 'silver', 'gold', 'platinum'];
  const lines: string[] = [];
  const ids: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const id = `${prefix}-${String(i).padStart(6, '0')}`;
    ids.push(id);
    const line = `${JSON.stringify({
      _id: id,
      person: { name: { firstName: `First${i}`, lastName: `Last${i}` } },
      personalEmail: { address: `${id}@example.com` },
      [`_${tenantId}`]: { loyalty: { loyaltyId: id, loyaltyLevel: levels[i % 4], loyaltyPoints: i, memberSince: '2024-01-15' } },
    })}\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return { data: Buffer.from(lines.join('')), ids };
}

/** The bytes in uneven 50 000-byte chunks, as a network stream would deliver them. */
function streamOf(data: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 50_000) parts.push(data.subarray(i, i + 50_000));
  return Readable.from(parts);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const TERMINAL = new Set(['success', 'active', 'failed', 'failure', 'aborted']);

describe('the tutorial through the client', () => {
  it('should look up the schema, create a dataset and a batch, upload small and large files, complete, and read the data back', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    const tenantId = await scoped.schemaRegistry.getTenantId();
    const summary = (await scoped.schemaRegistry.listAllSchemas({ container: 'tenant' })).find((s) => s.title === 'Loyalty Members');
    const schema = await scoped.schemaRegistry.getSchema(summary!.$id, { full: true });
    expect(schema?.title).toBe('Loyalty Members');

    const datasetId = await scoped.catalog.createDataSet({
      name: 'Loyalty Members (client test)',
      schemaRef: { id: schema!.$id, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
      fileDescription: { format: 'json' },
    });
    const batch = await scoped.ingestion.createBatch({ datasetId, inputFormat: { format: 'json' } });
    expect(batch.status).toBe('loading');

    // Small, known size: one PUT.
    const small = readFileSync(new URL('../fixtures/files/loyalty-members.json', import.meta.url));
    const smallIds = small.toString().trim().split('\n').map((line) => (JSON.parse(line) as { _id: string })._id);
    const smallResult = await scoped.ingestion.uploadFile(batch.id, datasetId, 'small/loyalty-members.json', { stream: streamOf(small), size: small.length });
    expect(smallResult).toEqual({ fileName: 'small/loyalty-members.json', bytes: small.length, sha256: sha256(small), protocol: 'single' });

    // Large, known size (3 MiB against a 1 MiB limit): parts of 256 KiB with totals.
    const large = loyaltyLines(tenantId, 'large', 3 * 1024 * 1024);
    const patchesBefore = calls.filter((call) => call.method === 'PATCH').length;
    const largeResult = await scoped.ingestion.uploadFile(batch.id, datasetId, 'large.json', { stream: streamOf(large.data), size: large.data.length });
    expect(largeResult).toEqual({ fileName: 'large.json', bytes: large.data.length, sha256: sha256(large.data), protocol: 'large' });
    expect(calls.filter((call) => call.method === 'PATCH').length - patchesBefore).toBe(Math.ceil(large.data.length / (256 * 1024)));

    // Unknown size, longer than one part: the large-file protocol without totals.
    const unknown = loyaltyLines(tenantId, 'unknown', 600 * 1024);
    const unknownResult = await scoped.ingestion.uploadFile(batch.id, datasetId, 'unknown.json', { stream: streamOf(unknown.data) });
    expect(unknownResult).toMatchObject({ bytes: unknown.data.length, sha256: sha256(unknown.data), protocol: 'large' });

    // Unknown size, shorter than one part: back to a single PUT.
    const tiny = loyaltyLines(tenantId, 'tiny', 1_000);
    expect(await scoped.ingestion.uploadFile(batch.id, datasetId, 'tiny.json', { stream: streamOf(tiny.data) })).toMatchObject({ bytes: tiny.data.length, protocol: 'single' });

    // What the emulator stored has exactly the bytes sent.
    for (const [name, size] of [['small/loyalty-members.json', small.length], ['large.json', large.data.length], ['unknown.json', unknown.data.length]] as const) {
      const res = await fetch(`${emulator.url}/data/foundation/import/batches/${batch.id}/datasets/${datasetId}/files/${name}`, { method: 'HEAD', headers: await freshHeaders() });
      expect(res.status).toBe(200);
      expect(res.headers.get('range')).toBe(`bytes=0-${size - 1}`);
    }

    await scoped.ingestion.completeBatch(batch.id);
    let status = 'loading';
    for (let polls = 0; polls < 600 && !TERMINAL.has(status); polls++) {
      await sleep(50);
      status = (await scoped.catalog.getBatch(batch.id))?.status ?? 'missing';
    }
    const done = await scoped.catalog.getBatch(batch.id);
    expect(done?.status, JSON.stringify(done?.errors)).toBe('success');

    // Read everything back and find every record sent, once.
    const files = await scoped.dataAccess.listBatchFiles(batch.id);
    expect(files.length).toBeGreaterThan(0);
    const seen: string[] = [];
    for (const file of files) {
      for (const object of await scoped.dataAccess.listFile(file.dataSetFileId)) {
        const bytes = await scoped.dataAccess.downloadFile(file.dataSetFileId, object.name);
        expect(bytes.length).toBe(Number(object.length));
        const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
        for (const row of rows) seen.push(String((row as { _id: unknown })._id));
      }
    }
    const sent = [...smallIds, ...large.ids, ...unknown.ids, ...tiny.ids];
    expect(seen.length).toBe(sent.length);
    expect(new Set(seen)).toEqual(new Set(sent));
    expect(await scoped.dataAccess.failedRows(batch.id)).toEqual([]);

    const listed = await scoped.catalog.listBatches({ filters: { dataSet: datasetId } });
    expect(listed.items.map((b) => b.id)).toEqual([batch.id]);
    const datasetFiles = await scoped.catalog.listDataSetFiles({ filters: { batchId: batch.id } });
    expect(datasetFiles.items.length).toBe(files.length);
  });

  it('should send a part of a stream of unknown size (held in memory) again after a 503 and still store the exact bytes', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    const tenantId = await scoped.schemaRegistry.getTenantId();
    const summary = (await scoped.schemaRegistry.listAllSchemas({ container: 'tenant' })).find((s) => s.title === 'Loyalty Members');
    const datasetId = await scoped.catalog.createDataSet({ name: 'Loyalty Members (retry test)', schemaRef: { id: summary!.$id, contentType: 'application/vnd.adobe.xed-full+json;version=1' } });
    const batch = await scoped.ingestion.createBatch({ datasetId, inputFormat: { format: 'json' } });
    const data = loyaltyLines(tenantId, 'retry', 1_200 * 1024).data;
    emulator.faults.add({ path: `/data/foundation/import/batches/${batch.id}/datasets/${datasetId}/files/**`, method: 'PATCH', respond: 503, count: 2, retryAfterSeconds: 0 });
    const result = await scoped.ingestion.uploadFile(batch.id, datasetId, 'retry.json', { stream: streamOf(data) });
    expect(result).toMatchObject({ bytes: data.length, sha256: sha256(data), protocol: 'large' });
    const patches = calls.filter((call) => call.method === 'PATCH');
    expect(patches.map((call) => call.status)).toEqual([503, 503, ...Array.from({ length: Math.ceil(data.length / (256 * 1024)) }, () => 200)]);

    // A connection cut in the middle of a part: the part goes again on a new connection.
    emulator.faults.add({ path: `/data/foundation/import/batches/${batch.id}/datasets/${datasetId}/files/**`, method: 'PATCH', respond: 'reset', count: 1 });
    const again = await scoped.ingestion.uploadFile(batch.id, datasetId, 'reset.json', { stream: streamOf(data) });
    expect(again.sha256).toBe(sha256(data));
    const reset = await fetch(`${emulator.url}/data/foundation/import/batches/${batch.id}/datasets/${datasetId}/files/reset.json`, { method: 'HEAD', headers: await freshHeaders() });
    expect(reset.headers.get('range')).toBe(`bytes=0-${data.length - 1}`);
    const res = await fetch(`${emulator.url}/data/foundation/import/batches/${batch.id}/datasets/${datasetId}/files/retry.json`, { method: 'HEAD', headers: await freshHeaders() });
    expect(res.headers.get('range')).toBe(`bytes=0-${data.length - 1}`);
    await scoped.ingestion.abortBatch(batch.id);
    expect((await scoped.catalog.getBatch(batch.id))?.status).toBe('aborted');
  });
});

describe('failed rows through the client', () => {
  it('should read the rows a partially ingested batch rejected', async () => {
    const { client: c } = client();
    const scoped = c.scoped(SCOPE);
    const tenantId = await scoped.schemaRegistry.getTenantId();
    const summary = (await scoped.schemaRegistry.listAllSchemas({ container: 'tenant' })).find((s) => s.title === 'Loyalty Members');
    const datasetId = await scoped.catalog.createDataSet({ name: 'Loyalty Members (failed rows test)', schemaRef: { id: summary!.$id, contentType: 'application/vnd.adobe.xed-full+json;version=1' } });
    const batch = await scoped.ingestion.createBatch({ datasetId, inputFormat: { format: 'json' }, enableErrorDiagnostics: true, partialIngestionPercentage: 50 });
    const good = loyaltyLines(tenantId, 'good', 2_000);
    const bad = [
      { _id: 'bad-level', [`_${tenantId}`]: { loyalty: { loyaltyId: 'bad-level', loyaltyLevel: 'diamond' } } },
      { _id: 'bad-points', [`_${tenantId}`]: { loyalty: { loyaltyId: 'bad-points', loyaltyPoints: 'many' } } },
    ];
    const data = Buffer.concat([good.data, Buffer.from(bad.map((row) => `${JSON.stringify(row)}\n`).join(''))]);
    await scoped.ingestion.uploadFile(batch.id, datasetId, 'mixed.json', { stream: streamOf(data), size: data.length });
    await scoped.ingestion.completeBatch(batch.id);
    let status = 'loading';
    for (let polls = 0; polls < 600 && !TERMINAL.has(status); polls++) {
      await sleep(50);
      status = (await scoped.catalog.getBatch(batch.id))?.status ?? 'missing';
    }
    const done = await scoped.catalog.getBatch(batch.id);
    expect(done?.status, JSON.stringify(done?.errors)).toBe('success');
    const rows = await scoped.dataAccess.failedRows(batch.id);
    expect(rows.map((row) => row._id).sort()).toEqual(['bad-level', 'bad-points']);
    expect(rows.every((row) => Array.isArray(row._validationErrors) && row._validationErrors.length > 0)).toBe(true);
    expect(await scoped.dataAccess.failedRows(batch.id, { limit: 1 })).toHaveLength(1);
  });
});
