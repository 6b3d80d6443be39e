// Batch status subscriptions over graphql-ws against a real gateway on a real
// emulator: the ingestion flow followed to its end, a failing batch, many
// subscribers on one poller, upstream faults while polling, auth on connect,
// and the drain on shutdown.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRecordingProxy } from '../helpers/recording-proxy.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow, wsUrl } from '../helpers/ws-client.ts';

// The processing steps outlast the longest poll interval, so every state is seen.
const emulator = await startEmulator({ faults: true, processingDelayMs: 1_000 });
const gw = await startGateway({ emulator, env: { BATCH_POLL_INTERVAL_MS: '100', BATCH_POLL_MAX_INTERVAL_MS: '300' } });
afterAll(() => gw.close());

const BATCH_POLL = 'GET /data/foundation/catalog/batches/:ids';

const EVENT_FIELDS = 'batch { id status rawStatus metrics { recordsRead recordsWritten failedRecordCount } errors { code } } previousStatus previousRawStatus statusChanged terminal initial sequence observedAt';
const BATCH_STATUS = `subscription ($id: ID!) { batchStatus(id: $id) { ${EVENT_FIELDS} } }`;

interface StatusEvent {
  batch: { id: string; status: string; rawStatus: string; metrics: { recordsRead: number | null; recordsWritten: number | null; failedRecordCount: number | null } | null; errors: Array<{ code: string | null }> };
  previousStatus: string | null;
  previousRawStatus: string | null;
  statusChanged: boolean;
  terminal: boolean;
  initial: boolean;
  sequence: number;
  observedAt: string;
}

type BatchStatusData = { batchStatus: StatusEvent };

const members = (points: Array<number | string>) =>
  points.map((p, i) => JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: `L-${i}`, loyaltyLevel: 'gold', loyaltyPoints: p } } })).join('\n');

async function loyaltySchemaId(target: RunningGateway): Promise<string> {
  const list = await target.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
  const schema = list.schemas.nodes.find((s) => s.title === 'Loyalty Members');
  if (!schema) throw new Error('the seeded Loyalty Members schema is missing');
  return schema.id;
}

const schemaId = await loyaltySchemaId(gw);

async function createDataset(name: string): Promise<string> {
  const data = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>(
    'mutation ($schemaId: ID!, $name: String!) { createDataset(input: { name: $name, schemaId: $schemaId }) { dataset { id } } }',
    { schemaId, name },
  );
  return data.createDataset.dataset.id;
}

const datasetId = await createDataset('Subscriptions');

async function createBatch(dataset = datasetId): Promise<string> {
  const data = await gw.gqlOk<{ createBatch: { batch: { id: string } } }>('mutation ($ds: ID!) { createBatch(input: { datasetId: $ds, format: JSON }) { batch { id } } }', { ds: dataset });
  return data.createBatch.batch.id;
}

async function uploadThroughGateway(batchId: string, content: string): Promise<void> {
  const uploaded = await gw.upload(
    { query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName } } }', variables: { input: { batchId, file: null } } },
    [{ path: 'variables.input.file', name: 'members.json', content }],
  );
  expect(uploaded.errors).toBeUndefined();
}

/** COMPLETE straight at the emulator: no gateway read follows it, so the batch reads counted are the pollers' alone. */
async function completeAtEmulator(batchId: string): Promise<void> {
  const res = await fetch(`${emulator.url}/data/foundation/import/batches/${batchId}?action=COMPLETE`, { method: 'POST', headers: await emulator.headers() });
  expect(res.status).toBe(200);
}

function statusesOf(results: ReadonlyArray<{ data?: BatchStatusData | null }>): string[] {
  return results.map((r) => r.data?.batchStatus.batch.status ?? 'no data');
}

describe('batchStatus subscription', () => {
  it('should stream LOADING, PROCESSING, SUCCESS with the final metrics, then complete', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const batchId = await createBatch();
    const stream = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await stream.atLeast(1);
    expect(stream.results[0]?.data?.batchStatus).toMatchObject({ batch: { id: batchId, status: 'LOADING' }, initial: true, previousStatus: null, sequence: 1, terminal: false });

    await uploadThroughGateway(batchId, members([10, 20, 30]));
    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    await stream.ended;

    expect(stream.errors).toBeUndefined();
    expect(stream.completed).toBe(true);
    expect(statusesOf(stream.results)).toEqual(['LOADING', 'PROCESSING', 'SUCCESS']);
    const events = stream.results.map((r) => r.data!.batchStatus);
    expect(events.map((e) => e.previousStatus)).toEqual([null, 'LOADING', 'PROCESSING']);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.initial)).toEqual([true, false, false]);
    expect(events.at(-1)).toMatchObject({ terminal: true, statusChanged: true, batch: { rawStatus: 'success', metrics: { recordsRead: 3, recordsWritten: 3, failedRecordCount: 0 } } });
    expect(Number.isNaN(Date.parse(events.at(-1)!.observedAt))).toBe(false);
  });

  it('should stream a failing batch to FAILED with its errors', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const batchId = await createBatch();
    const stream = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await stream.atLeast(1);
    await uploadThroughGateway(batchId, members([10, 'not a number']));
    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    await stream.ended;

    expect(stream.errors).toBeUndefined();
    expect(statusesOf(stream.results)).toEqual(['LOADING', 'PROCESSING', 'FAILED']);
    const last = stream.results.at(-1)!.data!.batchStatus;
    expect(last).toMatchObject({ terminal: true, previousStatus: 'PROCESSING' });
    expect(last.batch.errors.length).toBeGreaterThan(0);
  });

  it('should give a subscriber of a finished batch its final state at once and complete', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const batchId = await createBatch();
    await uploadThroughGateway(batchId, members([1]));
    await completeAtEmulator(batchId);
    const first = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await first.ended;
    expect(statusesOf(first.results).at(-1)).toBe('SUCCESS');
    const late = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await late.ended;
    expect(late.completed).toBe(true);
    expect(late.results.map((r) => r.data?.batchStatus)).toMatchObject([{ batch: { status: 'SUCCESS' }, terminal: true, initial: true }]);
  });

  it("should resolve the fields under an event that read the Platform (the batch's dataset) in the subscription's scope", async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const batchId = await createBatch();
    const stream = follow<{ batchStatus: { batch: { id: string; dataset: { id: string; name: string } | null } } }>(
      client,
      'subscription ($id: ID!) { batchStatus(id: $id) { batch { id dataset { id name } } } }',
      { id: batchId },
    );
    await stream.atLeast(1);
    stream.stop();
    expect(stream.results[0]).toEqual({ data: { batchStatus: { batch: { id: batchId, dataset: { id: datasetId, name: 'Subscriptions' } } } } });
  });

  it('should poll once per interval for 200 subscribers of one batch', async () => {
    const batchId = await createBatch();
    await uploadThroughGateway(batchId, members([5, 6]));
    const clients = Array.from({ length: 10 }, () => createTestClient(gw.url, gw.defaultHeaders));
    const streams = Array.from({ length: 200 }, (_, i) => follow<BatchStatusData>(clients[i % clients.length]!, BATCH_STATUS, { id: batchId }));
    await Promise.all(streams.map((s) => s.atLeast(1)));
    expect(gw.gateway.batchWatch.stats()).toMatchObject({ activeSubscriptions: 200, activeWatches: 1, activePollers: 1 });
    const scraped = await (await fetch(new URL('/metrics', gw.url))).text();
    expect(scraped).toMatch(/^aep_gateway_active_subscriptions 200$/m);
    expect(scraped).toMatch(/^aep_gateway_active_pollers 1$/m);
    expect(Number(/^aep_gateway_batch_polls_last_minute (\d+)$/m.exec(scraped)?.[1])).toBeGreaterThan(0);

    emulator.resetCounters();
    const pollsBefore = gw.gateway.batchWatch.stats().pollsTotal;
    await completeAtEmulator(batchId);
    await Promise.all(streams.map((s) => s.ended));

    for (const stream of streams) {
      expect(stream.errors).toBeUndefined();
      expect(statusesOf(stream.results)).toEqual(['LOADING', 'PROCESSING', 'SUCCESS']);
    }
    // Every upstream read is one poll of the single shared poller, not one per
    // subscriber (one poll may have been on its way when the counters were reset).
    const polls = gw.gateway.batchWatch.stats().pollsTotal - pollsBefore;
    const reads = emulator.counters()[BATCH_POLL] ?? 0;
    expect(reads).toBeLessThanOrEqual(polls);
    expect(reads).toBeGreaterThanOrEqual(polls - 1);
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThan(200);
    expect(gw.gateway.batchWatch.stats()).toMatchObject({ activeSubscriptions: 0, activePollers: 0 });
  });

  it('should ride out 429, 503 and connection resets while polling, without ending or repeating the stream', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const batchId = await createBatch();
    await uploadThroughGateway(batchId, members([7]));
    const stream = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await stream.atLeast(1);
    const errorsBefore = gw.gateway.batchWatch.stats().pollErrorsTotal;
    // Rules apply in order: two rate-limited answers, one unavailable, one reset:
    // all four attempts of one poll (the client's own retries included) fail,
    // which stays under the client's circuit-breaker threshold.
    emulator.faults.set([
      { path: '/data/foundation/catalog/batches/*', method: 'GET', respond: 429, retryAfterSeconds: 1, count: 2 },
      { path: '/data/foundation/catalog/batches/*', method: 'GET', respond: 503, retryAfterSeconds: 0, count: 1 },
      { path: '/data/foundation/catalog/batches/*', method: 'GET', respond: 'reset', count: 1 },
    ]);
    let remaining: Array<number | undefined> = [];
    try {
      await completeAtEmulator(batchId);
      await stream.ended;
      remaining = emulator.faults.list().map((rule) => rule.remaining);
    } finally {
      emulator.faults.clear();
    }
    expect(stream.errors).toBeUndefined();
    expect(stream.completed).toBe(true);
    const events = stream.results.map((r) => r.data!.batchStatus);
    expect(events.at(-1)).toMatchObject({ batch: { status: 'SUCCESS' }, terminal: true });
    // No state twice, none skipped: the sequence counts every change seen.
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.batch.status)).size).toBe(events.length);
    expect(gw.gateway.batchWatch.stats().pollErrorsTotal).toBeGreaterThan(errorsBefore);
    // Every injected fault was met by a poll.
    expect(remaining).toEqual([0, 0, 0]);
  });

  it('should end with NOT_FOUND for a batch that does not exist', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const stream = follow<BatchStatusData>(client, BATCH_STATUS, { id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ' });
    await stream.ended;
    expect(stream.results).toEqual([]);
    expect(stream.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
  });

  it('should say where subscriptions are served when one comes over HTTP', async () => {
    const result = await gw.gql(BATCH_STATUS, { id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('WebSocket') }]);
  });

  it('should report validation errors with the gateway codes', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const stream = follow(client, 'subscription { batchStatus { terminal } }');
    await stream.ended;
    expect(stream.errors).toMatchObject([{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
  });
});

describe('datasetBatches subscription', () => {
  it('should stream each new batch of a dataset and its changes', async () => {
    const dataset = await createDataset('Followed dataset');
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const stream = follow<{ datasetBatches: StatusEvent }>(client, `subscription ($ds: ID!) { datasetBatches(datasetId: $ds) { ${EVENT_FIELDS} } }`, { ds: dataset });
    // Whether the batch is created before or after the watch's first listing,
    // it is unfinished then, so it is streamed from its first state seen.
    await expect.poll(() => gw.gateway.batchWatch.stats().activePollers, { timeout: 10_000 }).toBeGreaterThan(0);
    const batchId = await createBatch(dataset);
    await uploadThroughGateway(batchId, members([1]));
    await completeAtEmulator(batchId);
    await expect.poll(() => stream.results.at(-1)?.data?.datasetBatches.batch.status, { timeout: 20_000 }).toBe('SUCCESS');
    const forBatch = stream.results.map((r) => r.data!.datasetBatches).filter((e) => e.batch.id === batchId);
    expect(forBatch[0]).toMatchObject({ previousStatus: null, sequence: 1 });
    expect(forBatch.at(-1)).toMatchObject({ terminal: true, batch: { status: 'SUCCESS' } });
    expect(stream.completed).toBe(false);
    stream.stop();
  });

  it('should end with NOT_FOUND for a dataset that does not exist', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const stream = follow(client, 'subscription { datasetBatches(datasetId: "000000000000000000000000") { sequence } }');
    await stream.ended;
    expect(stream.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
  });
});

/** Opens a raw graphql-transport-ws connection, sends connection_init, and reports how the server answered. */
function connectRaw(url: string, payload: Record<string, unknown>): Promise<{ ack: boolean; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(url), 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') {
        socket.close(1000);
        resolve({ ack: true });
      }
    });
    socket.once('close', (code: number) => resolve({ ack: false, closeCode: code }));
    socket.once('error', reject);
  });
}

describe('pass-through subscriptions', async () => {
  const proxy = await startRecordingProxy(emulator.url);
  afterAll(() => proxy.close());
  const passThrough = await startGateway({ emulator, authMode: 'pass-through', platformBaseUrl: proxy.url, env: { BATCH_POLL_INTERVAL_MS: '100', BATCH_POLL_MAX_INTERVAL_MS: '300' } });
  afterAll(() => passThrough.close());

  it('should refuse a connection without the Platform credentials with 4403', async () => {
    expect(await connectRaw(passThrough.url, { 'x-sandbox-name': 'prod' })).toEqual({ ack: false, closeCode: 4403 });
  });

  it("should poll with a subscriber's own credentials and check a second caller's once with its own", async () => {
    const headers = await emulator.headers();
    const otherToken = `Bearer ${await emulator.token()}`;
    const batchId = await createBatch();
    const first = follow<BatchStatusData>(createTestClient(passThrough.url, headers), BATCH_STATUS, { id: batchId });
    await first.atLeast(1);
    const second = follow<BatchStatusData>(createTestClient(passThrough.url, { ...headers, authorization: otherToken }), BATCH_STATUS, { id: batchId });
    await second.atLeast(1);
    await expect.poll(() => proxy.requests.filter((r) => r.path.startsWith(`/data/foundation/catalog/batches/${batchId}`)).length, { timeout: 10_000 }).toBeGreaterThan(2);
    const reads = proxy.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/data/foundation/catalog/batches/${batchId}`));
    expect(reads.filter((r) => r.headers.authorization === otherToken)).toHaveLength(1);
    expect(reads.filter((r) => r.headers.authorization === headers.authorization).length).toBeGreaterThan(1);
    expect(reads.every((r) => r.headers['x-api-key'] === headers['x-api-key'] && r.headers['x-gw-ims-org-id'] === headers['x-gw-ims-org-id'])).toBe(true);
    first.stop();
    second.stop();
  });

  it('should end the stream of a caller whose token the Platform refuses with UNAUTHENTICATED', async () => {
    const headers = await emulator.headers();
    const batchId = await createBatch();
    const stream = follow(createTestClient(passThrough.url, { ...headers, authorization: 'Bearer not-a-token' }), BATCH_STATUS, { id: batchId });
    await stream.ended;
    expect(stream.results).toEqual([]);
    expect(stream.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
  });
});

describe('subscription connections', () => {
  it('should close with 4403 when the required credentials are missing or wrong', async () => {
    expect(await connectRaw(gw.url, {})).toEqual({ ack: false, closeCode: 4403 });
    expect(await connectRaw(gw.url, { 'x-gateway-api-key': 'not-the-right-key-at-all' })).toEqual({ ack: false, closeCode: 4403 });
    expect(await connectRaw(gw.url, gw.defaultHeaders)).toEqual({ ack: true });
    // GraphiQL sends them under `headers`.
    expect(await connectRaw(gw.url, { headers: gw.defaultHeaders })).toEqual({ ack: true });
  });

  it('should refuse more than 100 running operations on one connection', async () => {
    const client = createTestClient(gw.url, gw.defaultHeaders);
    const batchId = await createBatch();
    const streams = Array.from({ length: 100 }, () => follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId }));
    await Promise.all(streams.map((s) => s.atLeast(1)));
    const refused = follow(client, BATCH_STATUS, { id: batchId });
    await refused.ended;
    expect(refused.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', limit: 'maxOperationsPerConnection' } }]);
    // A finished operation makes room for another.
    streams[0]!.stop();
    const admitted = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await admitted.atLeast(1);
    expect(admitted.errors).toBeUndefined();
    for (const stream of [...streams, admitted]) stream.stop();
  });

  it('should close with 4400 for a malformed sandbox name', async () => {
    expect(await connectRaw(gw.url, { ...gw.defaultHeaders, 'x-sandbox-name': 'Not A Sandbox' })).toMatchObject({ ack: false, closeCode: 4400 });
  });

  it('should watch the sandbox a subscription names', async () => {
    const client = createTestClient(gw.url, { ...gw.defaultHeaders, 'x-sandbox-name': 'dev' });
    const batchId = await createBatch();
    // The batch lives in prod: in dev it does not exist.
    const inDev = follow(client, BATCH_STATUS, { id: batchId });
    await inDev.ended;
    expect(inDev.errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
    const inProd = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId }, { 'x-sandbox-name': 'prod' });
    await inProd.atLeast(1);
    expect(inProd.results[0]?.data?.batchStatus.batch.status).toBe('LOADING');
    inProd.stop();
  });

  it('should log one line per operation, without the connection credentials', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const logged = await startGateway({ emulator, logger });
    const client = createTestClient(logged.url, logged.defaultHeaders);
    const missing = follow(client, 'subscription Watch($id: ID!) { batchStatus(id: $id) { sequence } }', { id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ' });
    await missing.ended;
    await logged.close();
    const operations = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'graphql operation');
    expect(operations).toMatchObject([{ transport: 'websocket', operationName: 'Watch', outcome: 'errors', events: 0, errors: 1 }]);
    expect(typeof operations[0]?.requestId).toBe('string');
    expect(lines.join('\n')).not.toContain(TEST_GATEWAY_KEY);
  });

  it('should complete running subscriptions when the gateway stops', async () => {
    const other = await startGateway({ emulator, env: { BATCH_POLL_INTERVAL_MS: '100' } });
    const client = createTestClient(other.url, other.defaultHeaders);
    const batchId = await createBatch();
    const stream = follow<BatchStatusData>(client, BATCH_STATUS, { id: batchId });
    await stream.atLeast(1);
    await other.close();
    await stream.ended;
    expect(stream.completed).toBe(true);
    expect(stream.errors).toBeUndefined();
  });
});
