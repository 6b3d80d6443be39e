// Nothing lost on uploads: a file that does not arrive whole is reported with
// its name and byte figures (UPLOAD_INCOMPLETE), its batch stays open, and a
// batch is never completed with a file missing. A client stream cut halfway
// leaves no file upstream; the Platform failing a part past its retries is
// reported with the bytes it holds (from HEAD on the file), and the file sent
// again completes the batch with every record read back byte-exact; so does a
// connection the Platform resets. A file sent with its size streams its parts
// straight through: a cut leaves the whole parts before it upstream, reported.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { createJsonBatch, createLoyaltyDataset, loyaltyMembersJsonl, upstreamHead as headUpstream } from '../helpers/loyalty-uploads.ts';
import { metric } from '../helpers/metric.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';

const SMALL_FILE_LIMIT = 32 * 1024;
const PART_SIZE = 16 * 1024;
const KEY = { 'x-gateway-api-key': TEST_GATEWAY_KEY };
const UPLOAD = 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes sha256 protocol } } }';
const INGEST = 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id status } files { fileName bytes sha256 } } }';

// Warnings of the gateway, as JSON lines: a cut-off client never reads its answer, the log says what was lost.
const logLines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  }),
);

const emulator = await startEmulator({ faults: true, processingDelayMs: 20, smallFileLimit: SMALL_FILE_LIMIT });
const gw = await startGateway({ emulator, logger, smallFileLimit: SMALL_FILE_LIMIT, uploadPartSize: PART_SIZE, maxFileSize: 4 * 1024 * 1024 });
afterAll(() => gw.close());

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let datasetId = '';

beforeAll(async () => {
  datasetId = await createLoyaltyDataset(gw, 'nothing lost');
});

const newBatch = () => createJsonBatch(gw, datasetId);

async function batchStatus(batchId: string): Promise<string> {
  const data = await gw.gqlOk<{ batch: { status: string } }>('query ($id: ID!) { batch(id: $id) { status } }', { id: batchId });
  return data.batch.status;
}

const upstreamHead = (batchId: string, fileName: string) => headUpstream(emulator, batchId, datasetId, fileName);

/** The records of a finished batch, as the gateway reads them back from the stored Parquet. */
async function storedRecords(batchId: string): Promise<unknown[]> {
  const data = await gw.gqlOk<{ batch: { rows: unknown[] } }>('query ($id: ID!) { batch(id: $id) { rows(limit: 1000) } }', { id: batchId });
  return data.batch.rows;
}

const recordsOf = (...files: Buffer[]) => files.flatMap((file) => file.toString('utf8').split('\n').map((line) => JSON.parse(line) as unknown));

/** A GraphQL multipart body for one file, as bytes, cut at will. */
function multipartBytes(operation: object, fileName: string, content: Buffer, boundary: string): { head: Buffer; file: Buffer; tail: Buffer } {
  const head = Buffer.from(
    [
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify(operation)}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: ['variables.input.file'] })}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ].join(''),
  );
  return { head, file: content, tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

/**
 * A raw connection to the gateway with the request line and headers of a
 * multipart upload of `contentLength` bytes written, for a test to send part
 * of the body and then cut the connection; `closed` settles when it is gone.
 */
async function openMultipartRequest(boundary: string, contentLength: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const url = new URL(gw.url);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nx-gateway-api-key: ${TEST_GATEWAY_KEY}\r\napollo-require-preflight: true\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${contentLength}\r\n\r\n`,
  );
  return { socket, closed };
}

describe('a client stream that stops halfway', () => {
  it('should leave the batch open, no file upstream, and say which bytes did not arrive', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(8 * 1024, 'HALF');
    const half = file.subarray(0, file.length / 2);
    const { head } = multipartBytes({ query: UPLOAD, variables: { input: { batchId, file: null } } }, 'halfway.json', file, 'cut-boundary');
    const { socket, closed } = await openMultipartRequest('cut-boundary', head.length + file.length + 100);
    emulator.resetCounters();
    socket.write(head);
    // Written, and read by the gateway, before the connection goes.
    await new Promise<void>((resolve) => socket.write(half, () => resolve()));
    await expect.poll(() => gw.gateway.metrics.render().then((text) => /aep_gateway_upload_received_bytes_total\S* [1-9]/.test(text)), { timeout: 5_000 }).toBe(true);
    // The mutation looks its batch up before it reads the file: once that call is in, give the reader a moment to take the half sent.
    await expect.poll(() => Object.entries(emulator.counters()).some(([route, n]) => route.startsWith('GET ') && route.includes('/catalog/batches') && n > 0), { timeout: 10_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.destroy();
    await closed;

    await expect.poll(() => logLines.filter((line) => line.msg === 'upload incomplete' && line.batchId === batchId).length, { timeout: 10_000 }).toBe(1);
    const logged = logLines.find((line) => line.msg === 'upload incomplete' && line.batchId === batchId)!;
    expect(logged).toMatchObject({ fileName: 'halfway.json', bytesReceivedUpstream: 0, causeCode: 'UPLOAD_INCOMPLETE' });
    expect(logged.bytesSent).toBeGreaterThan(0);
    expect(logged.bytesSent).toBeLessThanOrEqual(half.length);
    expect(await batchStatus(batchId)).toBe('LOADING');
    expect((await upstreamHead(batchId, 'halfway.json')).status).toBe(404);
    console.log(`client cut after ${half.length} of ${file.length} bytes: logged bytesSent ${String(logged.bytesSent)}, bytesReceivedUpstream 0; batch LOADING; HEAD on the file upstream: 404`);
  });

  it('should keep the parts sent before the cut upstream, and report them, when the file came with its size', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(5 * PART_SIZE + 1_000, 'SIZED');
    const operation = { query: UPLOAD, variables: { input: { batchId, file: null, size: file.length } } };
    const { head } = multipartBytes(operation, 'sized.json', file, 'sized-boundary');
    emulator.resetCounters();
    emulator.faults.clear();
    const patches = () => Object.entries(emulator.counters()).filter(([route]) => route.startsWith('PATCH ')).reduce((sum, [, n]) => sum + n, 0);
    const received = async () => metric(await gw.gateway.metrics.render(), 'aep_gateway_upload_received_bytes_total') ?? 0;
    const receivedBefore = await received();
    const { socket, closed } = await openMultipartRequest('sized-boundary', head.length + file.length + 100);
    socket.write(head);
    // Two parts and a half: the gateway streams the first two upstream whole; the third is cut while the
    // gateway gathers its bytes (it forwards them in writes of 256 KiB, or the whole part when smaller).
    socket.write(file.subarray(0, 2 * PART_SIZE + PART_SIZE / 2));
    await expect.poll(received, { timeout: 10_000 }).toBeGreaterThanOrEqual(receivedBefore + head.length + 2 * PART_SIZE + PART_SIZE / 2);
    await expect.poll(async () => (await upstreamHead(batchId, 'sized.json')).range, { timeout: 10_000 }).toBe(`bytes=0-${2 * PART_SIZE - 1}`);
    expect(patches()).toBeGreaterThanOrEqual(2);
    socket.destroy();
    await closed;

    await expect.poll(() => logLines.filter((line) => line.msg === 'upload incomplete' && line.batchId === batchId).length, { timeout: 10_000 }).toBe(1);
    const logged = logLines.find((line) => line.msg === 'upload incomplete' && line.batchId === batchId)!;
    expect(logged).toMatchObject({ fileName: 'sized.json', bytesReceivedUpstream: 2 * PART_SIZE, causeCode: 'UPLOAD_INCOMPLETE' });
    expect(logged.bytesSent).toBeGreaterThan(2 * PART_SIZE);
    expect(logged.bytesSent).toBeLessThanOrEqual(2 * PART_SIZE + PART_SIZE / 2);
    expect(await batchStatus(batchId)).toBe('LOADING');
    // The cut part left nothing behind: the Platform holds the two whole parts only.
    expect((await upstreamHead(batchId, 'sized.json')).range).toBe(`bytes=0-${2 * PART_SIZE - 1}`);
    console.log(`client with size announced cut after ${2 * PART_SIZE + PART_SIZE / 2} of ${file.length} bytes: logged bytesSent ${String(logged.bytesSent)}, bytesReceivedUpstream ${String(logged.bytesReceivedUpstream)}; batch LOADING`);
  });

  it('should answer UPLOAD_INCOMPLETE with the byte figures when the multipart body ends inside the file', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(8 * 1024, 'TRUNC');
    const half = file.subarray(0, 4_000);
    const { head } = multipartBytes({ query: UPLOAD, variables: { input: { batchId, file: null } } }, 'truncated.json', file, 'trunc-boundary');
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { ...KEY, 'apollo-require-preflight': 'true', 'content-type': 'multipart/form-data; boundary=trunc-boundary' },
      body: Buffer.concat([head, half]),
    });
    const body = (await res.json()) as { errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors?.[0]?.extensions, body.errors?.[0]?.message).toMatchObject({ code: 'UPLOAD_INCOMPLETE', fileName: 'truncated.json', bytesReceivedUpstream: 0, batchId });
    expect(body.errors?.[0]?.extensions.bytesSent).toBeLessThanOrEqual(half.length);
    expect(await batchStatus(batchId)).toBe('LOADING');
    expect((await upstreamHead(batchId, 'truncated.json')).status).toBe(404);
    console.log(`a multipart body ending after ${half.length} file bytes: ${body.errors?.[0]?.message}`);
  });
});

describe('the Platform failing a part past its retries', () => {
  it('should report the bytes the Platform holds, keep the batch open, and complete after the file is sent again', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(5 * PART_SIZE + 1_000, 'LARGE');
    const boundary = 'parts-boundary';
    const operation = { query: UPLOAD, variables: { input: { batchId, file: null, fileName: 'large.json' } } };
    const { head, tail } = multipartBytes(operation, 'large.json', file, boundary);
    emulator.resetCounters();
    emulator.faults.clear();
    const patches = () => Object.entries(emulator.counters()).filter(([route]) => route.startsWith('PATCH ')).reduce((sum, [, n]) => sum + n, 0);

    // The body goes in two steps: two parts and a half, then (once two parts are stored) the rest,
    // with every PATCH failing from then on: the third part fails past the client's 4 attempts.
    const firstCut = 2 * PART_SIZE + PART_SIZE / 2;
    let sendRest!: () => void;
    const restAllowed = new Promise<void>((resolve) => (sendRest = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(Buffer.concat([head, file.subarray(0, firstCut)])));
        await restAllowed;
        controller.enqueue(new Uint8Array(Buffer.concat([file.subarray(firstCut), tail])));
        controller.close();
      },
    });
    const answer = fetch(gw.url, {
      method: 'POST',
      headers: { ...KEY, 'apollo-require-preflight': 'true', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    await expect.poll(patches, { timeout: 10_000 }).toBe(2);
    emulator.faults.set([{ method: 'PATCH', path: '**/files/**', respond: 503, retryAfterSeconds: 0 }]);
    sendRest();
    const res = await answer;
    const failed = (await res.json()) as { errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
    emulator.faults.clear();
    const extensions = failed.errors?.[0]?.extensions ?? {};
    expect(extensions).toMatchObject({ code: 'UPLOAD_INCOMPLETE', fileName: 'large.json', batchId, bytesReceivedUpstream: 2 * PART_SIZE, causeCode: 'UPSTREAM_UNAVAILABLE' });
    expect(extensions.bytesSent).toBeGreaterThanOrEqual(3 * PART_SIZE);
    expect(extensions.bytesSent).toBeLessThanOrEqual(file.length);
    // Two stored parts, then the third tried 4 times.
    expect(patches()).toBe(2 + 4);
    expect(await batchStatus(batchId)).toBe('LOADING');
    expect((await upstreamHead(batchId, 'large.json')).range).toBe(`bytes=0-${2 * PART_SIZE - 1}`);

    // The same file name again replaces what was there.
    const retried = await gw.upload<{ uploadBatchFile: { file: { bytes: number; sha256: string; protocol: string } } }>(operation, [{ path: 'variables.input.file', name: 'large.json', content: file }]);
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.uploadBatchFile.file).toMatchObject({ bytes: file.length, sha256: sha256(file), protocol: 'LARGE' });
    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');
    const stored = await storedRecords(batchId);
    expect(sha256(JSON.stringify(stored))).toBe(sha256(JSON.stringify(recordsOf(file))));
    console.log(
      `PATCH failing past retries: UPLOAD_INCOMPLETE bytesSent ${String(extensions.bytesSent)}, bytesReceivedUpstream ${String(extensions.bytesReceivedUpstream)} of ${file.length}; ` +
        `batch LOADING; resent: ${file.length} bytes, batch SUCCESS, ${stored.length} records read back, sha256 equal`,
    );
  });

  it('should report a connection the Platform resets, and take the file again', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(3 * PART_SIZE, 'RESET');
    const operation = { query: UPLOAD, variables: { input: { batchId, file: null } } };
    // The large-file INITIALIZE is not repeatable, so a reset is not retried.
    emulator.faults.set([{ method: 'POST', path: '**/files/**', respond: 'reset', count: 1 }]);
    const failed = await gw.upload(operation, [{ path: 'variables.input.file', name: 'reset.json', content: file }]);
    emulator.faults.clear();
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'UPLOAD_INCOMPLETE', fileName: 'reset.json', batchId, bytesReceivedUpstream: 0, causeCode: 'UPSTREAM_UNAVAILABLE' });
    expect(await batchStatus(batchId)).toBe('LOADING');
    const again = await gw.upload<{ uploadBatchFile: { file: { bytes: number; sha256: string } } }>(operation, [{ path: 'variables.input.file', name: 'reset.json', content: file }]);
    expect(again.data?.uploadBatchFile.file).toMatchObject({ bytes: file.length, sha256: sha256(file) });
    expect((await upstreamHead(batchId, 'reset.json')).range).toBe(`bytes=0-${file.length - 1}`);
    console.log(`INITIALIZE reset by the Platform: UPLOAD_INCOMPLETE bytesSent ${String(failed.errors?.[0]?.extensions?.bytesSent)}, bytesReceivedUpstream 0, batch LOADING; sent again: ${file.length} bytes held whole`);
  });

  it('should never complete an ingestFiles batch with a file missing, and complete it once the file is resent', async () => {
    const small = loyaltyMembersJsonl(2_000, 'SMALL');
    const large = loyaltyMembersJsonl(3 * PART_SIZE, 'BIG');
    emulator.faults.set([{ method: 'PATCH', path: '**/files/**', respond: 500, retryAfterSeconds: 0 }]);
    const result = await gw.upload<{ ingestFiles: unknown }>(
      { query: INGEST, variables: { input: { datasetId, format: 'JSON', files: [null, null] } } },
      [
        { path: 'variables.input.files.0', name: 'small.json', content: small },
        { path: 'variables.input.files.1', name: 'large.json', content: large },
      ],
    );
    emulator.faults.clear();
    const extensions = result.errors?.[0]?.extensions ?? {};
    expect(extensions).toMatchObject({ code: 'UPLOAD_INCOMPLETE', fileName: 'large.json', bytesReceivedUpstream: 0, causeCode: 'UPSTREAM_UNAVAILABLE' });
    expect(extensions.missingFiles).toEqual([{ fileName: 'large.json', bytesSent: extensions.bytesSent, bytesReceivedUpstream: 0, causeCode: 'UPSTREAM_UNAVAILABLE' }]);
    const batchId = String(extensions.batchId);
    expect(await batchStatus(batchId)).toBe('LOADING');
    expect((await upstreamHead(batchId, 'small.json')).range).toBe(`bytes=0-${small.length - 1}`);

    const resent = await gw.upload(
      { query: UPLOAD, variables: { input: { batchId, file: null } } },
      [{ path: 'variables.input.file', name: 'large.json', content: large }],
    );
    expect(resent.errors).toBeUndefined();
    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');
    const stored = await storedRecords(batchId);
    const sent = recordsOf(small, large);
    const key = (record: unknown) => JSON.stringify(record);
    expect(sha256(stored.map(key).sort().join('\n'))).toBe(sha256(sent.map(key).sort().join('\n')));
    console.log(`ingestFiles with large.json failing upstream: UPLOAD_INCOMPLETE, missingFiles [large.json], batch LOADING (small.json held whole); resent, SUCCESS, ${stored.length} of ${sent.length} records, sha256 equal`);
  });

  it('should complete an ingestFiles batch only after HEAD shows every file whole', async () => {
    const file = loyaltyMembersJsonl(3_000, 'OK');
    emulator.resetCounters();
    const result = await gw.upload<{ ingestFiles: { batch: { id: string }; files: Array<{ fileName: string; bytes: number; sha256: string }> } }>(
      { query: INGEST, variables: { input: { datasetId, format: 'JSON', files: [null] } } },
      [{ path: 'variables.input.files.0', name: 'ok.json', content: file }],
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.ingestFiles.files).toEqual([{ fileName: 'ok.json', bytes: file.length, sha256: sha256(file) }]);
    const heads = Object.entries(emulator.counters()).filter(([route]) => route.startsWith('HEAD ')).reduce((sum, [, n]) => sum + n, 0);
    expect(heads).toBe(1);
    console.log(`ingestFiles of one ${file.length} byte file: ${heads} HEAD before COMPLETE, sha256 ${sha256(file).slice(0, 12)}...`);
  });
});
