// Batch Ingestion over plain HTTP: the large-file protocol, refusals with
// their exact bodies, failing and partially ingested batches with their row
// errors, unreadable files, interrupted uploads, and restarts.
import { request as httpRequest } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Client } from 'undici';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { createEmulator } from '../../src/emulator/server.ts';
import { fetchToken, startEmulator, tempDataDir } from '../helpers/start-emulator.ts';
import type { TestEmulator } from '../helpers/start-emulator.ts';
import { CATALOG, EXPORT, IMPORT, call, complete, createBatch, createDataset, json, loyaltySchemaId, upload, waitForBatch } from './emulator-batch-helpers.ts';

const emulator = await startEmulator({ processingDelayMs: 10, smallFileLimit: 64 * 1024 });
const schemaId = await loyaltySchemaId(emulator);

const member = (id: string, extra: object = {}) => ({ personID: id, _aeplocal: { loyalty: { loyaltyId: `L-${id}`, ...extra } } });
const jsonLines = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const bad = (detail: string, status = 400) => ({
  type: '/placeholder/type/uri',
  status,
  title: { 400: 'BadRequestError', 404: 'NotFoundError', 413: 'PayloadTooLargeError', 415: 'UnsupportedMediaTypeError' }[status],
  detail,
});

async function freshBatch(extra: object = {}): Promise<{ datasetId: string; batchId: string; files: string }> {
  const datasetId = await createDataset(emulator, schemaId, `ds-${Math.random()}`);
  const batchId = await createBatch(emulator, datasetId, extra);
  return { datasetId, batchId, files: `${IMPORT}/batches/${batchId}/datasets/${datasetId}/files` };
}

function octets(range?: string): Record<string, string> {
  return { 'content-type': 'application/octet-stream', ...(range ? { 'content-range': range } : {}) };
}

describe('creating a batch', () => {
  it('should answer 201 with the batch in the Platform shape', async () => {
    const datasetId = await createDataset(emulator, schemaId, 'create shape');
    const batch = await json<Record<string, unknown>>(
      call(emulator, 'POST', `${IMPORT}/batches`, { body: { datasetId, inputFormat: { format: 'JSON' }, enableErrorDiagnostics: true, partialIngestionPercentage: 5 } }),
      201,
    );
    const id = batch.id as string;
    expect(batch).toMatchObject({
      status: 'loading',
      relatedObjects: [{ type: 'dataSet', id: datasetId }],
      version: '1.0.0',
      externalId: id,
      inputFormat: { format: 'json', isMultiLineJson: false },
      tags: { acp_producer: ['aep-local'], acp_stagePath: [`aep-local/stage/${id}`], acp_enableErrorDiagnostics: ['true'], acp_partialIngestionPercent: ['5'] },
    });
    expect(typeof batch.created).toBe('number');
  });

  it('should refuse an unknown dataset, a bad format and a bad threshold', async () => {
    const datasetId = await createDataset(emulator, schemaId, 'create refusals');
    expect((await call(emulator, 'POST', `${IMPORT}/batches`, { body: { datasetId: '000000000000000000000000' } })).json()).toEqual(
      bad('Dataset 000000000000000000000000 not found'),
    );
    expect((await call(emulator, 'POST', `${IMPORT}/batches`, { body: { datasetId, inputFormat: { format: 'avro' } } })).json()).toEqual(
      bad("Unsupported inputFormat.format 'avro': use parquet, json or csv"),
    );
    expect((await call(emulator, 'POST', `${IMPORT}/batches`, { body: { datasetId, partialIngestionPercent: 150 } })).status).toBe(400);
    expect((await call(emulator, 'POST', `${IMPORT}/batches`, { body: {} })).json()).toEqual(bad('datasetId is required'));
    const noType = await call(emulator, 'POST', `${IMPORT}/batches`, { body: JSON.stringify({ datasetId }) });
    expect(noType.json()).toEqual(bad('A valid content-type must be specified'));
  });
});

describe('small-file uploads', () => {
  it('should refuse other media types with 415 and files above the small-file limit with 413', async () => {
    const { files } = await freshBatch();
    const wrongType = await call(emulator, 'PUT', `${files}/a.json`, { body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json()).toEqual(bad("Unsupported media type 'application/json': file uploads must be sent as application/octet-stream", 415));
    const big = await call(emulator, 'PUT', `${files}/big.json`, { body: Buffer.alloc(64 * 1024 + 1, 0x20), headers: octets() });
    expect(big.status).toBe(413);
    expect(big.json()).toEqual(
      bad('The file is larger than 65536 bytes: upload it with the large-file protocol (action=INITIALIZE, PATCH parts with Content-Range, action=COMPLETE)', 413),
    );
    expect((await call(emulator, 'HEAD', `${files}/big.json`)).status).toBe(404);
  });

  it('should answer 413 to a chunked upload that passes the limit without announcing its size', async () => {
    const { files } = await freshBatch();
    const chunks = Readable.from((function* () {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(8 * 1024, 0x20);
    })());
    // One connection for both requests: the second must not be read from the refused body's leftovers.
    const connection = new Client(emulator.url, { pipelining: 1 });
    try {
      const reply = await connection.request({ path: `${files}/chunked.json`, method: 'PUT', headers: { ...(await emulator.headers()), ...octets() }, body: chunks });
      const body = (await reply.body.json()) as { status: number };
      expect(reply.statusCode).toBe(413);
      expect(body.status).toBe(413);
      // The rest of the body is not read: the connection closes after the answer.
      expect(reply.headers.connection).toBe('close');
      const after = await connection.request({ path: `${files}/chunked.json`, method: 'HEAD', headers: await emulator.headers() });
      await after.body.dump();
      expect(after.statusCode).toBe(404);
    } finally {
      await connection.close();
    }
  });

  it('should refuse file names that leave their folder', async () => {
    const { files } = await freshBatch();
    const dotdot = await call(emulator, 'PUT', `${files}/a/..%2F..%2F..%2Fescape.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(dotdot.status).toBe(400);
    expect(dotdot.json()).toEqual(bad('Invalid file name: ".." is not allowed'));
    const nul = await call(emulator, 'PUT', `${files}/a%00b.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(nul.json()).toEqual(bad('Invalid file name: control characters are not allowed'));
    const backslash = await call(emulator, 'PUT', `${files}/..%5Cx.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(backslash.json()).toEqual(bad('Invalid file name: backslashes are not allowed'));
  });

  it('should answer 404 for an unknown batch or dataset and 400 when the batch belongs to another dataset', async () => {
    const { datasetId, batchId } = await freshBatch();
    const other = await createDataset(emulator, schemaId, 'other dataset');
    const unknownBatch = await call(emulator, 'PUT', `${IMPORT}/batches/01AAAAAAAAAAAAAAAAAAAAAAAA/datasets/${datasetId}/files/a.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(unknownBatch.json()).toEqual(bad('Batch 01AAAAAAAAAAAAAAAAAAAAAAAA not found', 404));
    const unknownDataset = await call(emulator, 'PUT', `${IMPORT}/batches/${batchId}/datasets/000000000000000000000000/files/a.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(unknownDataset.json()).toEqual(bad('Dataset 000000000000000000000000 not found', 404));
    const mismatch = await call(emulator, 'PUT', `${IMPORT}/batches/${batchId}/datasets/${other}/files/a.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(mismatch.json()).toEqual(bad(`Batch ${batchId} does not belong to dataset ${other}`));
  });

  it('should replace a file uploaded again under the same name', async () => {
    const { batchId, datasetId, files } = await freshBatch();
    await upload(emulator, batchId, datasetId, 'same.json', jsonLines([member('1')]));
    const second = jsonLines([member('2'), member('3')]);
    expect((await upload(emulator, batchId, datasetId, 'same.json', second)).status).toBe(200);
    expect((await call(emulator, 'HEAD', `${files}/same.json`)).headers.range).toBe(`bytes=0-${Buffer.byteLength(second) - 1}`);
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.metrics).toMatchObject({ inputFileCount: 1, inputRecordCount: 2, outputRecordCount: 2 });
  });

  it('should refuse uploads after COMPLETE', async () => {
    const { batchId, datasetId, files } = await freshBatch();
    expect((await upload(emulator, batchId, datasetId, 'a.json', jsonLines([member('1')]))).status).toBe(200);
    await complete(emulator, batchId);
    const late = await call(emulator, 'PUT', `${files}/b.json`, { body: Buffer.from('{}'), headers: octets() });
    expect(late.status).toBe(400);
    expect((late.json() as { detail: string }).detail).toMatch(new RegExp(`^Batch ${batchId} is no longer accepting files`));
    // COMPLETE again is fine: it is idempotent.
    await complete(emulator, batchId);
    expect((await waitForBatch(emulator, batchId)).batch.status).toBe('success');
  });

  it('should store nothing when an upload is cut off mid-body', async () => {
    const { batchId, datasetId, files } = await freshBatch();
    const headers = { ...(await emulator.headers()), 'content-type': 'application/octet-stream', 'content-length': '10000' };
    const { hostname, port } = new URL(emulator.url);
    await new Promise<void>((resolve) => {
      const req = httpRequest({ hostname, port, method: 'PUT', path: `${files}/cut.json`, headers });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(2000, 0x20), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    // Let the server notice the reset.
    for (let i = 0; i < 50 && readdirSync(join(emulator.dataDir, 'files', '.tmp')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await call(emulator, 'HEAD', `${files}/cut.json`)).status).toBe(404);
    expect(readdirSync(join(emulator.dataDir, 'files', '.tmp'))).toEqual([]);
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.status).toBe('failed');
    expect(batch.metrics).toMatchObject({ inputFileCount: 0 });
    void datasetId;
  });
});

describe('the large-file protocol', () => {
  const rows = Array.from({ length: 300 }, (_, i) => member(String(i), { loyaltyPoints: i }));
  const bytes = Buffer.from(jsonLines(rows));

  it('should assemble parts sent in any order, replacing a part sent twice, and report the received range', async () => {
    const { batchId, files } = await freshBatch();
    const url = `${files}/big/members.json`;
    expect((await call(emulator, 'POST', `${url}?action=INITIALIZE`)).status).toBe(201);
    const cut = 5000;
    const second = await call(emulator, 'PATCH', url, { body: bytes.subarray(cut), headers: octets(`bytes ${cut}-${bytes.length - 1}/${bytes.length}`) });
    expect(second.status).toBe(200);
    expect(second.headers.range).toBe(`bytes=${cut}-${bytes.length - 1}`);
    const head = await call(emulator, 'HEAD', url);
    expect(head.headers.range).toBe(`bytes=${cut}-${bytes.length - 1}`);
    // A wrong first part, then the same range again with the right bytes.
    expect((await call(emulator, 'PATCH', url, { body: Buffer.alloc(cut, 0x21), headers: octets(`bytes 0-${cut - 1}`) })).status).toBe(200);
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, cut), headers: octets(`bytes 0-${cut - 1}`) })).status).toBe(200);
    expect((await call(emulator, 'HEAD', url)).headers.range).toBe(`bytes=0-${bytes.length - 1}`);
    const done = await call(emulator, 'POST', `${url}?action=COMPLETE`);
    expect(done.status).toBe(201);
    expect(done.json()).toEqual({ name: 'big/members.json', sizeInBytes: bytes.length });
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.status).toBe('success');
    expect(batch.metrics).toMatchObject({ inputByteSize: bytes.length, inputRecordCount: 300, outputRecordCount: 300 });
  });

  it('should keep every part received whole when a part written in place, or one sent again over it, is cut off', async () => {
    const { batchId, files } = await freshBatch();
    const name = 'cut/members.json';
    const url = `${files}/${name}`;
    const { hostname, port } = new URL(emulator.url);
    const authHeaders = await emulator.headers();
    /** A PATCH announcing `range` that sends `sent` bytes of 0x21 and breaks off. */
    const cutPatch = (range: [number, number], sent: number) =>
      new Promise<void>((resolve) => {
        const headers = { ...authHeaders, ...octets(`bytes ${range[0]}-${range[1]}/${bytes.length}`), 'content-length': String(range[1] - range[0] + 1) };
        const req = httpRequest({ hostname, port, method: 'PATCH', path: url, headers });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(Buffer.alloc(sent, 0x21), () => setTimeout(() => req.destroy(), 50));
      });
    const settle = async (range: string) => {
      for (let i = 0; i < 50 && (await call(emulator, 'HEAD', url)).headers.range !== range; i++) await new Promise((r) => setTimeout(r, 20));
    };
    const cut = 4000;
    await call(emulator, 'POST', `${url}?action=INITIALIZE`);
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, cut), headers: octets(`bytes 0-${cut - 1}/${bytes.length}`) })).status).toBe(200);
    // The same range again, cut off: the part received stays as it was.
    await cutPatch([0, cut - 1], 1000);
    // The next range, cut off where it would have been written in place: nothing of it is received.
    await cutPatch([cut, bytes.length - 1], 2000);
    await settle(`bytes=0-${cut - 1}`);
    expect((await call(emulator, 'HEAD', url)).headers.range).toBe(`bytes=0-${cut - 1}`);
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(cut), headers: octets(`bytes ${cut}-${bytes.length - 1}/${bytes.length}`) })).status).toBe(200);
    expect((await call(emulator, 'POST', `${url}?action=COMPLETE`)).json()).toEqual({ name, sizeInBytes: bytes.length });
    const db = new Database(join(emulator.dataDir, 'emulator.sqlite'), { readonly: true });
    const stored = db.prepare<unknown[], { blob: string }>("SELECT blob FROM batch_files WHERE batch_id = ? AND area = 'upload' AND name = ?").get(batchId, name);
    db.close();
    expect(readFileSync(join(emulator.dataDir, 'files', stored!.blob)).equals(bytes)).toBe(true);
  });

  it('should refuse gaps and overlaps at COMPLETE', async () => {
    const { files } = await freshBatch();
    const gap = `${files}/gap.json`;
    await call(emulator, 'POST', `${gap}?action=INITIALIZE`);
    await call(emulator, 'PATCH', gap, { body: bytes.subarray(0, 100), headers: octets('bytes 0-99') });
    await call(emulator, 'PATCH', gap, { body: bytes.subarray(200, 300), headers: octets('bytes 200-299') });
    expect((await call(emulator, 'HEAD', gap)).headers.range).toBe('bytes=0-99,200-299');
    const gapReply = await call(emulator, 'POST', `${gap}?action=COMPLETE`);
    expect(gapReply.json()).toEqual(bad('Missing chunk: bytes 100-199 were never uploaded'));

    const overlap = `${files}/overlap.json`;
    await call(emulator, 'POST', `${overlap}?action=INITIALIZE`);
    await call(emulator, 'PATCH', overlap, { body: bytes.subarray(0, 100), headers: octets('bytes 0-99') });
    await call(emulator, 'PATCH', overlap, { body: bytes.subarray(50, 150), headers: octets('bytes 50-149') });
    expect((await call(emulator, 'POST', `${overlap}?action=COMPLETE`)).json()).toEqual(
      bad('Overlapping chunks: bytes 50-149 overlap bytes already received up to 99'),
    );

    const short = `${files}/short.json`;
    await call(emulator, 'POST', `${short}?action=INITIALIZE`);
    await call(emulator, 'PATCH', short, { body: bytes.subarray(0, 100), headers: octets('bytes 0-99/300') });
    expect((await call(emulator, 'POST', `${short}?action=COMPLETE`)).json()).toEqual(bad('Missing chunk: bytes 100-299 were never uploaded'));
  });

  it('should refuse parts without INITIALIZE, with a bad Content-Range, the wrong length or above 512000000 bytes', async () => {
    const { files } = await freshBatch();
    const url = `${files}/parts.json`;
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, 10), headers: octets('bytes 0-9') })).json()).toEqual(
      bad(`File parts.json was not initialized in batch ${files.split('/')[5]}`, 404),
    );
    await call(emulator, 'POST', `${url}?action=INITIALIZE`);
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, 10), headers: octets('items 0-9') })).json()).toEqual(
      bad("Invalid Content-Range 'items 0-9': expected 'bytes {first}-{last}' or 'bytes {first}-{last}/{total}'"),
    );
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, 10), headers: octets('bytes 0-19') })).json()).toEqual(
      bad('Content-Length 10 does not match the 20 bytes of Content-Range bytes 0-19'),
    );
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, 10), headers: octets('bytes 0-512000000') })).status).toBe(413);
    expect((await call(emulator, 'PATCH', url, { body: bytes.subarray(0, 10), headers: { 'content-type': 'text/plain', 'content-range': 'bytes 0-9' } })).status).toBe(415);
  });
});

describe('processing', () => {
  it('should fail a batch with bad rows, listing the errors, the failed rows and the row errors', async () => {
    const { batchId, datasetId } = await freshBatch({ enableErrorDiagnostics: true });
    const text = [
      JSON.stringify(member('ok', { loyaltyLevel: 'gold' })),
      JSON.stringify({ personID: 'no-loyalty-id', _aeplocal: { loyalty: { loyaltyLevel: 'gold' } } }),
      JSON.stringify(member('wrong-type', { loyaltyPoints: 'many' })),
      '{not json',
    ].join('\n');
    await upload(emulator, batchId, datasetId, 'rows.json', text);
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.status).toBe('failed');
    expect(batch.failedRecordCount).toBe(3);
    expect(batch.errors).toEqual([
      { code: 'INGEST-1212-400', description: 'Encountered 3 errors in the data. Successfully ingested 1 rows. Please review the associated diagnostic files for more details.' },
      { code: 'INGEST-1401-400', description: 'The row has corrupted data and cannot be read or parsed. Fix the corrupted data and try again.', recordCount: 1 },
      { code: 'INGEST-1555-400', description: 'A required field is either missing or has a value of null. Add the required field to the input row and try again.', recordCount: 1 },
    ]);
    expect(batch.metrics).toMatchObject({ inputRecordCount: 4, outputRecordCount: 0, failedRecordCount: 3 });
    // A failed batch promotes nothing.
    expect((await json<{ data: unknown[] }>(call(emulator, 'GET', `${EXPORT}/batches/${batchId}/files`))).data).toEqual([]);

    const failed = await json<{ data: Array<{ name: string; length: string; _links: { self: { href: string } } }> }>(call(emulator, 'GET', `${EXPORT}/batches/${batchId}/failed`));
    const part = failed.data.find((f) => f.name.endsWith('.json'))!;
    expect(failed.data.map((f) => f.name)).toContain('_SUCCESS');
    const failedRows = (await call(emulator, 'GET', `${EXPORT}/batches/${batchId}/failed?path=${encodeURIComponent(part.name)}`)).body
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { personID: string; _validationErrors: Array<Record<string, unknown>> });
    expect(failedRows.map((r) => r.personID)).toEqual(['no-loyalty-id', 'wrong-type']);
    expect(failedRows[0]!._validationErrors).toEqual([
      {
        causingExceptions: [],
        keyword: 'required',
        message: 'required key [loyaltyId] not found',
        pointerToViolation: '#/_aeplocal/loyalty',
        schemaLocation: '#/properties/_aeplocal/properties/loyalty',
      },
    ]);
    expect(failedRows[1]!._validationErrors[0]).toMatchObject({ keyword: 'type', message: 'expected type: Integer, found: String', pointerToViolation: '#/_aeplocal/loyalty/loyaltyPoints' });

    const rowErrors = await json<{ data: Array<{ name: string }> }>(call(emulator, 'GET', `${EXPORT}/batches/${batchId}/meta?path=row_errors`));
    expect(rowErrors.data.map((e) => e.name).sort()).toEqual(['conversion_errors_0.json', 'parsing_errors_0.json']);
    const parsing = JSON.parse((await call(emulator, 'GET', `${EXPORT}/batches/${batchId}/meta?path=row_errors%2Fparsing_errors_0.json`)).body.toString('utf8'));
    expect(parsing).toMatchObject({ _corrupt_record: '{not json', _errors: [{ code: '1401', message: 'Row is corrupted and cannot be read, please fix and resend.' }], _filename: 'rows.json' });
    const inputs = (await call(emulator, 'GET', `${EXPORT}/batches/${batchId}/meta?path=input_files%2FfileMetaData1.json`)).body.toString('utf8');
    expect(JSON.parse(inputs.trim())).toMatchObject({ path: 'rows.json' });
    expect((await call(emulator, 'GET', `${EXPORT}/batches/${batchId}/meta?path=nothing`)).status).toBe(404);

    const dataset = await json<Record<string, Record<string, unknown>>>(call(emulator, 'GET', `${CATALOG}/dataSets/${datasetId}`));
    expect(dataset[datasetId]).toMatchObject({ lastBatchId: batchId, lastBatchStatus: 'failed', lastFailedBatch: batchId });
  });

  it('should report bad rows with one generic error when diagnostics are off', async () => {
    const { batchId, datasetId } = await freshBatch();
    await upload(emulator, batchId, datasetId, 'rows.json', jsonLines([member('1'), { personID: true }]));
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.status).toBe('failed');
    expect(batch.errors?.map((e) => e.code)).toEqual(['INGEST-1211-400']);
    expect((await call(emulator, 'GET', `${EXPORT}/batches/${batchId}/failed`)).status).toBe(404);
  });

  it('should succeed below the partial-ingestion threshold and fail above it', async () => {
    const rows = [member('1'), member('2'), member('3'), { personID: 'bad', _aeplocal: { loyalty: {} } }];
    const below = await freshBatch({ enableErrorDiagnostics: true, partialIngestionPercent: 30 });
    await upload(emulator, below.batchId, below.datasetId, 'rows.json', jsonLines(rows));
    await complete(emulator, below.batchId);
    const ok = (await waitForBatch(emulator, below.batchId)).batch;
    expect(ok.status).toBe('success');
    expect(ok.metrics).toMatchObject({ inputRecordCount: 4, outputRecordCount: 3, failedRecordCount: 1 });
    expect(ok.errors?.[0]?.code).toBe('INGEST-1212-400');

    const above = await freshBatch({ enableErrorDiagnostics: true, partialIngestionPercent: 20 });
    await upload(emulator, above.batchId, above.datasetId, 'rows.json', jsonLines(rows));
    await complete(emulator, above.batchId);
    expect((await waitForBatch(emulator, above.batchId)).batch.status).toBe('failed');
  });

  it('should keep every row of a file whose accepted and failed rows pass 1 MiB, in order', async () => {
    // Accepted rows wait in a JSON Lines file of their own until the batch's verdict, written in
    // gathered writes and read back in 1 MiB pieces: lines must survive both the gathering and
    // the cuts between pieces. Every fifth row fails, to fill the failed-rows file as well.
    const large = await startEmulator({ processingDelayMs: 0 });
    try {
      const count = 20_000;
      const rows = Array.from({ length: count }, (_, i) =>
        i % 5 === 4 ? { personID: `bad-ü-${i}`, _aeplocal: { loyalty: { loyaltyLevel: 'gold' } } } : member(`member-✓-${i}`, { loyaltyPoints: i }),
      );
      const text = jsonLines(rows);
      expect(Buffer.byteLength(text)).toBeGreaterThan(1 << 20);
      const datasetId = await createDataset(large, await loyaltySchemaId(large), 'large file');
      const batchId = await createBatch(large, datasetId, { enableErrorDiagnostics: true, partialIngestionPercent: 25 });
      expect((await upload(large, batchId, datasetId, 'rows.json', text)).status).toBe(200);
      await complete(large, batchId);
      const { batch } = await waitForBatch(large, batchId);
      expect(batch.status).toBe('success');
      expect(batch.metrics).toMatchObject({ inputRecordCount: count, outputRecordCount: count * 0.8, failedRecordCount: count * 0.2 });

      const files = await json<{ data: Array<{ _links: { self: { href: string } } }> }>(call(large, 'GET', `${EXPORT}/batches/${batchId}/files`));
      const listing = await json<{ data: Array<{ _links: { self: { href: string } } }> }>(call(large, 'GET', new URL(files.data[0]!._links.self.href).pathname));
      const href = new URL(listing.data[0]!._links.self.href);
      const download = await call(large, 'GET', href.pathname + href.search);
      type Row = { personID: string; _aeplocal: { loyalty: { loyaltyId: string; loyaltyPoints: number } } };
      const stored = (await parquetReadObjects({ file: new Uint8Array(download.body).buffer })) as Row[];
      const accepted = rows.filter((_, i) => i % 5 !== 4) as Row[];
      expect(stored.map((r) => r.personID)).toEqual(accepted.map((r) => r.personID));
      expect(stored.map((r) => [r._aeplocal.loyalty.loyaltyId, Number(r._aeplocal.loyalty.loyaltyPoints)])).toEqual(accepted.map((r) => [r._aeplocal.loyalty.loyaltyId, r._aeplocal.loyalty.loyaltyPoints]));

      const failed = await json<{ data: Array<{ name: string }> }>(call(large, 'GET', `${EXPORT}/batches/${batchId}/failed`));
      const part = failed.data.find((f) => f.name.endsWith('.json'))!;
      const failedRows = (await call(large, 'GET', `${EXPORT}/batches/${batchId}/failed?path=${encodeURIComponent(part.name)}`)).body.toString('utf8').trim().split('\n');
      expect(failedRows.map((line) => (JSON.parse(line) as { personID: string }).personID)).toEqual(rows.filter((_, i) => i % 5 === 4).map((r) => r.personID));
    } finally {
      await large.close();
    }
  });

  it('should fail a truncated Parquet file, a CSV without header and an empty file with their codes', async () => {
    const parquet = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'personID', data: ['a', 'b'], type: 'STRING' }] }));
    const cases = [
      { format: 'parquet', name: 'cut.parquet', bytes: parquet.subarray(0, parquet.length - 12), code: 'INGEST-1401-400' },
      { format: 'csv', name: 'nohead.csv', bytes: Buffer.from('\npersonID\np1\n'), code: '118', description: 'CSV file contains empty header row.' },
      { format: 'json', name: 'empty.json', bytes: Buffer.alloc(0), code: '106', description: 'Dataset file is empty. Please upload file with data.' },
    ];
    for (const c of cases) {
      const { batchId, datasetId } = await freshBatch({ inputFormat: { format: c.format } });
      expect((await upload(emulator, batchId, datasetId, c.name, c.bytes)).status).toBe(200);
      await complete(emulator, batchId);
      const { batch } = await waitForBatch(emulator, batchId);
      expect(batch.status).toBe('failed');
      expect(batch.errors?.[0]?.code).toBe(c.code);
      if (c.description) expect(batch.errors?.[0]).toEqual({ code: c.code, description: c.description, rows: [] });
      else expect(batch.errors?.[0]?.description).toContain(c.name);
    }
  });

  it('should coerce CSV text into the schema types and reject values it cannot convert', async () => {
    const { batchId, datasetId } = await freshBatch({ inputFormat: { format: 'csv' }, enableErrorDiagnostics: true, partialIngestionPercent: 50 });
    const csv = 'personID,_aeplocal.loyalty.loyaltyId,_aeplocal.loyalty.loyaltyPoints,_aeplocal.loyalty.memberSince\np1,L1,42,1531263959000\np2,L2,lots,2020-01-01\n';
    await upload(emulator, batchId, datasetId, 'rows.csv', csv);
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.status).toBe('success');
    expect(batch.metrics).toMatchObject({ outputRecordCount: 1, failedRecordCount: 1 });
    const preview = await json<{ data: unknown[] }>(call(emulator, 'GET', `${EXPORT}/datasets/${datasetId}/preview`));
    expect(preview.data).toEqual([{ personID: 'p1', _aeplocal: { loyalty: { loyaltyId: 'L1', loyaltyPoints: 42, memberSince: '2018-07-10' } } }]);
  });
});

describe('batch actions', () => {
  it('should abort a loading batch only, and revert a finished batch to inactive then deleted', async () => {
    const loading = await freshBatch();
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${loading.batchId}?action=ABORT`)).status).toBe(200);
    expect((await waitForBatch(emulator, loading.batchId)).batch.status).toBe('aborted');
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${loading.batchId}?action=COMPLETE`)).status).toBe(400);

    const done = await freshBatch();
    await upload(emulator, done.batchId, done.datasetId, 'a.json', jsonLines([member('1')]));
    await complete(emulator, done.batchId);
    await waitForBatch(emulator, done.batchId);
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${done.batchId}?action=ABORT`)).json()).toEqual(bad(`Batch ${done.batchId} cannot be aborted in status success after COMPLETE`));
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${done.batchId}?action=REVERT`)).status).toBe(200);
    const statuses = (await waitForBatch(emulator, done.batchId)).seen;
    expect(statuses[statuses.length - 1]).toBe('deleted');
    expect((await json<{ data: unknown[] }>(call(emulator, 'GET', `${EXPORT}/batches/${done.batchId}/files`))).data).toEqual([]);
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${done.batchId}?action=FLY`)).json()).toEqual(bad("Unsupported action 'FLY': use COMPLETE, ABORT, FAIL or REVERT"));
    expect((await call(emulator, 'POST', `${IMPORT}/batches/01AAAAAAAAAAAAAAAAAAAAAAAA?action=COMPLETE`)).status).toBe(404);
  });

  it('should preview an uploaded file with its format parameters', async () => {
    const { batchId, datasetId } = await freshBatch();
    await upload(emulator, batchId, datasetId, 'a.json', jsonLines([member('1'), member('2')]));
    const preview = await json<{ formatParams: Record<string, unknown>; preview: { columns: unknown[]; rows: unknown[] } }>(
      call(emulator, 'GET', `${IMPORT}/batches/${batchId}/datasets/${datasetId}/preview?format=json&nrow=1`),
    );
    expect(preview.formatParams).toMatchObject({ format: 'json', delimiter: ',', header: true });
    expect(preview.preview.columns).toEqual([{ cid: '0', name: 'personID' }, { cid: '1', name: '_aeplocal' }]);
    expect(preview.preview.rows).toEqual([{ personID: '1', _aeplocal: '{"loyalty":{"loyaltyId":"L-1"}}' }]);
    expect((await call(emulator, 'GET', `${IMPORT}/batches/${batchId}/datasets/${datasetId}/preview`)).json()).toEqual(bad('The format query parameter is required'));
  });
});

describe('persistence', () => {
  const asTest = async (e: Awaited<ReturnType<typeof createEmulator>>, dataDir: string): Promise<TestEmulator> => {
    const token = await fetchToken(e.url);
    return Object.assign(Object.create(null) as object, e, {
      dataDir,
      token: async () => token,
      headers: async () => ({ authorization: `Bearer ${token}`, 'x-api-key': 'aep-local', 'x-gw-ims-org-id': e.settings.orgId, 'x-sandbox-name': 'prod' }),
    }) as TestEmulator;
  };

  it('should process again, at the next start, a batch a stopped process left in processing', async () => {
    const dataDir = tempDataDir();
    const first = await createEmulator({ dataDir, processingDelayMs: 5 });
    let batchId: string;
    try {
      const a = await asTest(first, dataDir);
      const datasetId = await createDataset(a, await loyaltySchemaId(a), 'interrupted');
      batchId = await createBatch(a, datasetId);
      await upload(a, batchId, datasetId, 'a.json', jsonLines([member('1'), member('2'), member('3')]));
    } finally {
      await first.close();
    }
    // What a process killed mid-processing leaves behind: COMPLETE accepted, status processing, no outputs.
    const db = new Database(join(dataDir, 'emulator.sqlite'));
    const row = db.prepare("SELECT body, internal FROM catalog_objects WHERE kind = 'batches' AND id = ?").get(batchId) as { body: string; internal: string };
    db.prepare("UPDATE catalog_objects SET body = ?, internal = ?, status = 'processing' WHERE kind = 'batches' AND id = ?").run(
      JSON.stringify({ ...JSON.parse(row.body), status: 'processing' }),
      JSON.stringify({ ...JSON.parse(row.internal), completeRequested: true }),
      batchId,
    );
    db.close();
    const second = await createEmulator({ dataDir, processingDelayMs: 5 });
    try {
      const b = await asTest(second, dataDir);
      const { batch } = await waitForBatch(b, batchId);
      expect(batch.status).toBe('success');
      expect(batch.metrics).toMatchObject({ inputRecordCount: 3, outputRecordCount: 3 });
      expect((await json<{ data: unknown[] }>(call(b, 'GET', `${EXPORT}/batches/${batchId}/files`))).data).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('should keep datasets, batches and files across a restart on the same data dir', async () => {
    const dataDir = tempDataDir();
    const first = await createEmulator({ dataDir, processingDelayMs: 5 });
    let download: Buffer;
    let datasetId: string;
    let batchId: string;
    try {
      const a = await asTest(first, dataDir);
      datasetId = await createDataset(a, await loyaltySchemaId(a), 'kept');
      batchId = await createBatch(a, datasetId);
      await upload(a, batchId, datasetId, 'a.json', jsonLines([member('1'), member('2')]));
      await complete(a, batchId);
      await waitForBatch(a, batchId);
      download = (await call(a, 'GET', `${EXPORT}/files/${batchId}-1?path=part-00000-${batchId}.snappy.parquet`)).body;
      expect(download.length).toBeGreaterThan(0);
    } finally {
      await first.close();
    }
    const second = await createEmulator({ dataDir, processingDelayMs: 5 });
    try {
      const b = await asTest(second, dataDir);
      const dataset = await json<Record<string, Record<string, unknown>>>(call(b, 'GET', `${CATALOG}/dataSets/${datasetId}`));
      expect(dataset[datasetId]).toMatchObject({ name: 'kept', lastBatchStatus: 'success' });
      const batch = await json<Record<string, Record<string, unknown>>>(call(b, 'GET', `${CATALOG}/batches/${batchId}`));
      expect(batch[batchId]).toMatchObject({ status: 'success', recordCount: 2 });
      const again = await call(b, 'GET', `${EXPORT}/files/${batchId}-1?path=part-00000-${batchId}.snappy.parquet`);
      expect(again.body.equals(download)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
