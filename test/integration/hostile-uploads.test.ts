// Hostile requests on the upload path and around it: malformed multipart
// bodies (no map, wrong indexes, duplicate files, a file over the limit, a
// stream cut halfway), file names that try to escape the batch, bodies that
// are not UTF-8, and ids and sandbox names built to break URLs. Each gets a
// clear error with a known code; nothing half-written reaches the batch (it
// holds exactly the one good file when completed); the gateway keeps serving.
// Then a property-based run over ids, names and filters, a slow client cut off
// by the body deadline, and the per-client rate limit.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES } from '../../src/gateway/errors.ts';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
const gw = await startGateway({ emulator, maxFileSize: 64 * 1024, maxFiles: 3 });
afterAll(() => gw.close());

const KNOWN_CODES: ReadonlySet<unknown> = new Set(GATEWAY_ERROR_CODES);
const KEY = { 'x-gateway-api-key': TEST_GATEWAY_KEY };
const GOOD_ROW = JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'L-1', loyaltyLevel: 'gold', loyaltyPoints: 10 } } });
const UPLOAD = 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes } } }';

// Created in the describe blocks that need a real batch; the multipart parser refuses the malformed requests before any resolver runs.
let batchId = 'not-created-yet';

async function createBatch(): Promise<void> {
  const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }');
  const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
  const created = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($schemaId: ID!) { createDataset(input: { name: "hostile uploads", schemaId: $schemaId }) { dataset { id } } }', { schemaId });
  const datasetId = created.createDataset.dataset.id;
  const batch = await gw.gqlOk<{ createBatch: { batch: { id: string } } }>('mutation ($input: CreateBatchInput!) { createBatch(input: $input) { batch { id } } }', { input: { datasetId, format: 'JSON' } });
  batchId = batch.createBatch.batch.id;
}

interface Answer {
  readonly status: number;
  readonly codes: unknown[];
  readonly messages: string[];
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  const json = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: unknown } }> };
  return { status: response.status, codes: (json.errors ?? []).map((e) => e.extensions?.code), messages: (json.errors ?? []).map((e) => e.message) };
}

function postForm(form: FormData, target: RunningGateway = gw): Promise<Response> {
  return fetch(target.url, { method: 'POST', headers: { ...KEY, 'apollo-require-preflight': 'true' }, body: form });
}

function uploadForm(map: unknown, files: Array<[string, string, string]>, variables: Record<string, unknown> = { input: { batchId, file: null } }): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD, variables }));
  if (map !== undefined) form.append('map', typeof map === 'string' ? map : JSON.stringify(map));
  for (const [field, name, content] of files) form.append(field, new Blob([content]), name);
  return form;
}

async function stillServing(): Promise<void> {
  const data = await gw.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }');
  expect(data.currentSandbox.name).toBe('prod');
}

function uploadCalls(): number {
  return Object.entries(emulator.counters())
    .filter(([route]) => route.startsWith('PUT ') || route.startsWith('PATCH ') || (route.startsWith('POST ') && route.includes('/files/')))
    .reduce((sum, [, n]) => sum + n, 0);
}

describe('malformed multipart requests', () => {
  it('should refuse each with a clear 4xx error and no upload upstream', async () => {
    emulator.resetCounters();
    const cases: Array<[string, FormData]> = [
      ['missing map', uploadForm(undefined, [['0', 'a.json', GOOD_ROW]])],
      ['map that is not JSON', uploadForm('{not json', [['0', 'a.json', GOOD_ROW]])],
      ['map pointing outside the operation', uploadForm({ 0: ['variables.nope.deeper.file'] }, [['0', 'a.json', GOOD_ROW]])],
      ['map with a non-array entry', uploadForm({ 0: 'variables.input.file' }, [['0', 'a.json', GOOD_ROW]])],
      ['more files than MAX_FILES', uploadForm({ 0: ['variables.input.file'], 1: ['variables.x'], 2: ['variables.y'], 3: ['variables.z'] }, [0, 1, 2, 3].map((i) => [String(i), `${i}.json`, GOOD_ROW] as [string, string, string]))],
    ];
    const summary: string[] = [];
    for (const [name, form] of cases) {
      const result = await answer(await postForm(form));
      expect(result.status, name).toBeGreaterThanOrEqual(200);
      expect(result.status, name).toBeLessThan(500);
      expect(result.codes.length, name).toBeGreaterThan(0);
      for (const code of result.codes) expect(KNOWN_CODES.has(code), `${name}: ${String(code)}`).toBe(true);
      expect(result.codes, name).not.toContain('INTERNAL_SERVER_ERROR');
      summary.push(`${name}: ${result.status} ${result.codes.join(',')}`);
    }
    expect(uploadCalls()).toBe(0);
    await stillServing();
    console.log(`${cases.length} malformed multipart requests refused, 0 upload calls upstream:\n  ${summary.join('\n  ')}`);
  });

  it('should survive a multipart stream that stops halfway', async () => {
    emulator.resetCounters();
    const url = new URL(gw.url);
    const boundary = 'hostile-boundary';
    const head = [
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: UPLOAD, variables: { input: { batchId, file: null } } })}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: ['variables.input.file'] })}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="halfway.json"\r\nContent-Type: application/json\r\n\r\n`,
    ].join('');
    const declared = Buffer.byteLength(head) + 10_000;
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nx-gateway-api-key: ${TEST_GATEWAY_KEY}\r\napollo-require-preflight: true\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declared}\r\n\r\n${head}${GOOD_ROW.slice(0, 20)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await closed;
    await stillServing();
    console.log(`a multipart stream cut after ${Buffer.byteLength(head) + 20} of ${declared} bytes: gateway still serving`);
  });

  it('should cut off a client that sends its JSON body too slowly (REQUEST_TIMEOUT_MS)', async () => {
    const strict = await startGateway({ emulator, requestTimeoutMs: 300, headersTimeoutMs: 300 });
    afterAll(() => strict.close());
    const url = new URL(strict.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nx-gateway-api-key: ${TEST_GATEWAY_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(received).toMatch(/REQUEST_TIMEOUT_MS/);
    expect(await strict.gqlOk('{ __typename }')).toEqual({ __typename: 'Query' });
    console.log('a JSON body that never finished: 408 and the connection closed; gateway still serving');
  });
});

describe('file names, encodings, ids and sandbox names', () => {
  beforeAll(createBatch);

  it('should refuse file names that escape the batch or carry control characters', async () => {
    emulator.resetCounters();
    const names = ['../../etc/passwd', '/absolute.json', 'a/../../b.json', 'bell\u0007.json', 'new\nline.json', 'back\\slash.json', 'nul\u0000.json', '.', ''];
    for (const fileName of names) {
      const form = uploadForm({ 0: ['variables.input.file'] }, [['0', 'good.json', GOOD_ROW]], { input: { batchId, file: null, fileName } });
      const result = await answer(await postForm(form));
      expect(result.status, JSON.stringify(fileName)).toBe(200);
      expect(result.codes, JSON.stringify(fileName)).toEqual(['BAD_USER_INPUT']);
    }
    expect(uploadCalls()).toBe(0);
    // The multipart part's own file name is cut to its base name by the parser before the gateway's check.
    const viaPart = await gw.upload<{ uploadBatchFile: { file: { fileName: string } } }>({ query: UPLOAD, variables: { input: { batchId, file: null } } }, [{ path: 'variables.input.file', name: '../../escape.json', content: GOOD_ROW }]);
    expect(viaPart.errors).toBeUndefined();
    expect(viaPart.data?.uploadBatchFile.file.fileName).toBe('escape.json');
    console.log(`${names.length} hostile file names refused with BAD_USER_INPUT, 0 upload calls upstream; a part named ../../escape.json stored as escape.json`);
  });

  it('should refuse a map that points at a file part not sent, and one file part used twice', async () => {
    emulator.resetCounters();
    const missing = await answer(await postForm(uploadForm({ 5: ['variables.input.file'] }, [['0', 'a.json', GOOD_ROW]])));
    expect(missing.codes).toEqual(['BAD_USER_INPUT']);
    expect(missing.messages[0]).toMatch(/File missing/);

    const form = new FormData();
    form.append('operations', JSON.stringify({ query: 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } } }', variables: { input: { datasetId: 'unused', format: 'JSON', files: [null, null] } } }));
    form.append('map', JSON.stringify({ 0: ['variables.input.files.0', 'variables.input.files.1'] }));
    form.append('0', new Blob([GOOD_ROW]), 'twice.json');
    const twice = await answer(await postForm(form));
    expect(twice.codes).toEqual(['BAD_USER_INPUT']);
    expect(twice.messages[0]).toMatch(/same file part twice/);
    const batchesCreated = Object.entries(emulator.counters()).filter(([route]) => route.startsWith('POST ') && route.endsWith('/batches')).reduce((sum, [, n]) => sum + n, 0);
    expect(batchesCreated).toBe(0);
    expect(uploadCalls()).toBe(0);
    console.log(`missing part: ${missing.codes.join(',')}; one part mapped twice: ${twice.codes.join(',')}; 0 batches created, 0 upload calls`);
  });

  it('should refuse a file larger than MAX_FILE_SIZE, naming the limit', async () => {
    const form = uploadForm({ 0: ['variables.input.file'] }, [['0', 'big.json', `${GOOD_ROW}\n`.repeat(1_000)]]);
    const result = await answer(await postForm(form));
    expect(result.status).toBeLessThan(500);
    expect(result.codes).toEqual(['BAD_USER_INPUT']);
    expect(result.messages[0]).toMatch(/65536 byte/);
    await stillServing();
    console.log(`a ${GOOD_ROW.length * 1_000 + 1_000} byte file over MAX_FILE_SIZE (65536): ${result.status} BAD_USER_INPUT, "${result.messages[0]}"`);
  });

  it('should answer bodies that are not UTF-8 with a clear error', async () => {
    const notJson = await answer(await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: Buffer.from([0xff, 0xfe, 0x7b, 0x00]) }));
    expect(notJson.status).toBe(400);
    expect(notJson.codes).toEqual(['BAD_REQUEST']);
    // Invalid bytes inside a string decode to U+FFFD: a valid query about an id that does not exist.
    const body = Buffer.concat([Buffer.from('{"query":"{ dataset(id: \\"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('\\") { id } }"}')]);
    const response = await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { data: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
    for (const error of json.errors ?? []) expect(KNOWN_CODES.has(error.extensions?.code)).toBe(true);
    await stillServing();
    console.log(`a body of invalid UTF-8: 400 BAD_REQUEST; invalid bytes inside a string: 200 with ${JSON.stringify(json.data)}`);
  });

  it('should answer hostile ids with null or a known code, never a 5xx', async () => {
    const ids = ['../../sandbox-management', 'a/b?c=d#e', '%2e%2e%2f', 'x'.repeat(5_000), '\u0000', ' ', 'ds,ds2,ds3', '😀', "' OR 1=1 --"];
    for (const id of ids) {
      const result = await gw.gql<{ dataset: unknown; batch: unknown; schema: unknown }>('query ($id: ID!) { dataset(id: $id) { id } batch(id: $id) { id } schema(id: $id) { id } }', { id });
      expect(result.status, id.slice(0, 40)).toBeLessThan(500);
      for (const error of result.errors ?? []) {
        expect(KNOWN_CODES.has(error.extensions?.code), `${id.slice(0, 40)}: ${String(error.extensions?.code)}`).toBe(true);
        expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      }
    }
    await stillServing();
    console.log(`${ids.length} hostile ids answered without a 5xx`);
  });

  it('should refuse hostile sandbox names before any upstream call', async () => {
    emulator.resetCounters();
    const names = ['PROD', '../prod', 'a b', 'x'.repeat(100), 'prod\u0001', '-dev', 'prod/../dev'];
    for (const name of names) {
      const response = await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json', 'x-sandbox-name': name }, body: JSON.stringify({ query: '{ currentSandbox { name } }' }) }).catch(() => null);
      // Control characters are refused by the HTTP client itself; that is fine.
      if (response === null) continue;
      const result = await answer(response);
      expect(result.status, name).toBe(400);
      expect(result.codes, name).toEqual(['BAD_USER_INPUT']);
    }
    expect(Object.values(emulator.counters()).reduce((a, b) => a + b, 0)).toBe(0);
    console.log(`${names.length} hostile sandbox names refused with 400 BAD_USER_INPUT, 0 upstream calls`);
  });

  it('should hold only the accepted files in the batch after all of the above', async () => {
    const good = await gw.upload<{ uploadBatchFile: { file: { fileName: string } } }>({ query: UPLOAD, variables: { input: { batchId, file: null } } }, [{ path: 'variables.input.file', name: 'good.json', content: GOOD_ROW }]);
    expect(good.errors).toBeUndefined();
    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    const done = await waitForTerminalBatch(gw, batchId);
    expect(done.status).toBe('SUCCESS');
    const details = await gw.gqlOk<{ batch: { metrics: { inputFileCount: number | null; recordsRead: number | null } | null } }>('query ($id: ID!) { batch(id: $id) { metrics { inputFileCount recordsRead } } }', { id: batchId });
    // good.json and escape.json, nothing from the refused or cut-off requests.
    expect(details.batch.metrics?.inputFileCount).toBe(2);
    expect(details.batch.metrics?.recordsRead).toBe(2);
    console.log('after every hostile upload: the batch holds the 2 files that were accepted, 2 records');
  });
});

describe('property: ids, names and filters', () => {
  it('should always answer with a GraphQL response and a known code, never a 5xx', async () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.constantFrom('', '..', '/', '%00', '?a=b', 'ds1,ds2'));
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(text, text, fc.option(fc.constantFrom('SUCCESS', 'FAILED', 'LOADING', 'bogus'), { nil: undefined }), async (id, name, status) => {
        runs++;
        const result = await gw.gql(
          'query ($id: ID!, $name: String, $filter: BatchFilter) { dataset(id: $id) { id } batch(id: $id) { id } schema(id: $id) { id } datasets(first: 2, filter: { name: $name }) { nodes { id } } batches(first: 2, filter: $filter) { nodes { id } } }',
          { id, name, filter: { datasetId: id, ...(status ? { status: [status] } : {}) } },
        );
        expect(result.status).toBeLessThan(500);
        for (const error of result.errors ?? []) {
          expect(KNOWN_CODES.has(error.extensions?.code)).toBe(true);
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { numRuns: 60 },
    );
    await stillServing();
    console.log(`${runs} generated id/name/filter combinations: no 5xx, every error with a known code`);
  });
});

describe('rate limit', () => {
  it('should answer 429 with Retry-After and RATE_LIMITED past RATE_LIMIT_PER_MINUTE, per client', async () => {
    const otherKey = 'second-gateway-key-0123456789';
    const limited = await startGateway({ emulator, rateLimitPerMinute: 5, gatewayApiKeys: [TEST_GATEWAY_KEY, otherKey] });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await limited.gql('{ __typename }')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const refused = await fetch(limited.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(12);
      const body = (await refused.json()) as { errors: Array<{ extensions: { code: string; retryAfterSeconds: number } }> };
      expect(body.errors[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
      // Another key has its own bucket.
      expect((await limited.gql('{ __typename }', {}, { 'x-gateway-api-key': otherKey })).status).toBe(200);
      // The health endpoints are not rate limited.
      expect((await fetch(limited.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
      console.log(`RATE_LIMIT_PER_MINUTE=5: statuses ${statuses.join(',')}; Retry-After ${retryAfter} s; a second key still served`);
    } finally {
      await limited.close();
    }
  });
});
