// A file sent with its size (`uploadBatchFile`'s `size`) goes upstream without
// the gateway holding it: one PUT with that Content-Length, or, past the
// small-file limit, one PATCH per part whose Content-Length equals the range
// it names. What reached the Platform is read from a proxy in front of the
// emulator (the headers) and from the emulator itself (HEAD ranges, records).
// A file of another size than announced never leaves a whole-looking file.
// `ingestFiles` takes the sizes of its files the same way.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { createJsonBatch, createLoyaltyDataset, loyaltyMembersJsonl, upstreamHead as headUpstream } from '../helpers/loyalty-uploads.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import { startRecordingProxy } from '../helpers/recording-proxy.ts';

const SMALL_FILE_LIMIT = 32 * 1024;
const PART_SIZE = 16 * 1024;
const MAX_FILE_SIZE = 4 * 1024 * 1024;
const UPLOAD = 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes sha256 protocol } } }';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20, smallFileLimit: SMALL_FILE_LIMIT });
const proxy = await startRecordingProxy(emulator.url);
afterAll(() => proxy.close());
const gw = await startGateway({ emulator: { url: proxy.url, settings: emulator.settings }, smallFileLimit: SMALL_FILE_LIMIT, uploadPartSize: PART_SIZE, maxFileSize: MAX_FILE_SIZE });
afterAll(() => gw.close());

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let datasetId = '';
beforeAll(async () => {
  datasetId = await createLoyaltyDataset(gw, 'streamed uploads');
});

const newBatch = () => createJsonBatch(gw, datasetId);

type Uploaded = { uploadBatchFile: { file: { fileName: string; bytes: number; sha256: string; protocol: string } } };

function upload(batchId: string, name: string, content: Buffer, size: number) {
  return gw.upload<Uploaded>({ query: UPLOAD, variables: { input: { batchId, file: null, size } } }, [{ path: 'variables.input.file', name, content }]);
}

/** The file requests the gateway sent upstream for one file, in order. */
function fileRequests(batchId: string, name: string) {
  return proxy.requests.filter((r) => r.path.includes(`/import/batches/${batchId}/`) && r.path.split('?')[0]!.endsWith(`/files/${name}`) && r.method !== 'HEAD');
}

const upstreamHead = (batchId: string, name: string) => headUpstream(emulator, batchId, datasetId, name);

describe('a file sent with its size', () => {
  it('should go past the small-file limit as parts whose Content-Length is exactly the range each names, and arrive byte-exact', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(5 * PART_SIZE + 1_000, 'PARTS');
    const result = await upload(batchId, 'parts.json', file, file.length);
    expect(result.errors).toBeUndefined();
    expect(result.data?.uploadBatchFile.file).toEqual({ fileName: 'parts.json', bytes: file.length, sha256: sha256(file), protocol: 'LARGE' });

    const sent = fileRequests(batchId, 'parts.json');
    const expected: string[] = [];
    for (let first = 0; first < file.length; first += PART_SIZE) {
      const last = Math.min(first + PART_SIZE, file.length) - 1;
      expected.push(`PATCH bytes ${first}-${last}/${file.length} length ${last - first + 1}`);
    }
    expect(sent.map((r) => (r.method === 'PATCH' ? `PATCH ${String(r.headers['content-range'])} length ${String(r.headers['content-length'])}` : `${r.method} ${r.path.split('?')[1] ?? ''}`))).toEqual([
      'POST action=INITIALIZE',
      ...expected,
      'POST action=COMPLETE',
    ]);
    // A declared length on every part, never a chunked body.
    expect(sent.some((r) => r.headers['transfer-encoding'] !== undefined)).toBe(false);
    expect(await upstreamHead(batchId, 'parts.json')).toEqual({ status: 200, range: `bytes=0-${file.length - 1}` });

    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');
    const stored = await gw.gqlOk<{ batch: { rows: unknown[] } }>('query ($id: ID!) { batch(id: $id) { rows(limit: 1000) } }', { id: batchId });
    const records = file.toString('utf8').split('\n').map((line) => JSON.parse(line) as unknown);
    expect(sha256(JSON.stringify(stored.batch.rows))).toBe(sha256(JSON.stringify(records)));
    console.log(`${file.length} bytes with their size: ${expected.length} PATCH parts, each Content-Length equal to its range; ${records.length} records read back, sha256 equal`);
  });

  it('should hash the file only for a client that selects sha256, also through a fragment', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(3 * PART_SIZE, 'DIGEST');
    const plain = await gw.upload<Uploaded>(
      { query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes protocol } } }', variables: { input: { batchId, file: null, size: file.length } } },
      [{ path: 'variables.input.file', name: 'plain.json', content: file }],
    );
    expect(plain.errors).toBeUndefined();
    expect(plain.data?.uploadBatchFile.file).toEqual({ fileName: 'plain.json', bytes: file.length, protocol: 'LARGE' });
    const fragment = await gw.upload<{ uploadBatchFile: { file: { digest: string } } }>(
      {
        query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { ...Sent } } fragment Sent on UploadBatchFilePayload { file { ... on UploadedFile { digest: sha256 } } }',
        variables: { input: { batchId, file: null } },
      },
      [{ path: 'variables.input.file', name: 'fragment.json', content: file }],
    );
    expect(fragment.errors).toBeUndefined();
    expect(fragment.data?.uploadBatchFile.file).toEqual({ digest: sha256(file) });
  });

  it('should go within the small-file limit as one PUT with that Content-Length', async () => {
    const batchId = await newBatch();
    const file = loyaltyMembersJsonl(SMALL_FILE_LIMIT - 2_000, 'SINGLE');
    const result = await upload(batchId, 'single.json', file, file.length);
    expect(result.data?.uploadBatchFile.file).toEqual({ fileName: 'single.json', bytes: file.length, sha256: sha256(file), protocol: 'SINGLE' });
    expect(fileRequests(batchId, 'single.json').map((r) => `${r.method} ${String(r.headers['content-length'])}`)).toEqual([`PUT ${file.length}`]);
    expect(await upstreamHead(batchId, 'single.json')).toEqual({ status: 200, range: `bytes=0-${file.length - 1}` });
  });

  it('should answer UPLOAD_INCOMPLETE, keep the batch open and leave no whole-looking file when the bytes do not match the size', async () => {
    const batchId = await newBatch();
    const small = loyaltyMembersJsonl(4_000, 'SHORT');
    const large = loyaltyMembersJsonl(3 * PART_SIZE + 500, 'LONG');
    const cases = [
      // Fewer bytes than announced, then more, in one PUT; fewer, then more, past the limit.
      { name: 'short.json', content: small, size: small.length + 10, held: null },
      { name: 'long.json', content: small, size: small.length - 10, held: null },
      { name: 'short-large.json', content: large, size: large.length + 10, held: `bytes=0-${3 * PART_SIZE - 1}` },
      { name: 'long-large.json', content: large, size: large.length - 10, held: `bytes=0-${3 * PART_SIZE - 1}` },
    ];
    for (const { name, content, size, held } of cases) {
      const result = await upload(batchId, name, content, size);
      const error = result.errors?.[0];
      expect(error?.extensions, `${name}: ${error?.message}`).toMatchObject({ code: 'UPLOAD_INCOMPLETE', fileName: name, batchId, causeCode: 'UPLOAD_INCOMPLETE' });
      expect(error?.message).toMatch(size > content.length ? /ended after/ : /more than/);
      const head = await upstreamHead(batchId, name);
      // A single PUT leaves nothing; past the limit, the whole parts before the mismatch stay, and COMPLETE was never sent.
      if (held === null) expect(head.status).toBe(404);
      else expect(head.range).toBe(held);
      expect(fileRequests(batchId, name).some((r) => r.path.endsWith('?action=COMPLETE'))).toBe(false);
    }
    const status = await gw.gqlOk<{ batch: { status: string } }>('query ($id: ID!) { batch(id: $id) { status } }', { id: batchId });
    expect(status.batch.status).toBe('LOADING');
  });

  it('should refuse a size that is not a whole number of bytes, or past MAX_FILE_SIZE, before anything goes upstream, and take the next request', async () => {
    const batchId = await newBatch();
    // Larger than the socket buffers: a refused file left unread would hold the parser, and the client's next request after it.
    const file = loyaltyMembersJsonl(3 * 1024 * 1024, 'REFUSED');
    for (const size of [-1, 1.5, MAX_FILE_SIZE + 1]) {
      const result = await upload(batchId, 'refused.json', file, size);
      expect(result.errors?.[0]?.extensions?.code, String(size)).toBe('BAD_USER_INPUT');
    }
    // The same for a name refused.
    const badName = await gw.upload({ query: UPLOAD, variables: { input: { batchId, file: null, fileName: '../refused.json', size: file.length } } }, [{ path: 'variables.input.file', name: 'refused.json', content: file }]);
    expect(badName.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fileRequests(batchId, 'refused.json')).toEqual([]);
    const accepted = await upload(batchId, 'accepted.json', file.subarray(0, 10_000), 10_000);
    expect(accepted.data?.uploadBatchFile.file).toMatchObject({ bytes: 10_000, protocol: 'SINGLE' });
  });
});

describe('ingestFiles with the files\' sizes', () => {
  const INGEST = 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id status } files { fileName bytes sha256 protocol } } }';

  it('should stream each file with its size and complete the batch', async () => {
    const first = loyaltyMembersJsonl(2 * PART_SIZE + 700, 'MANY-A');
    const second = loyaltyMembersJsonl(SMALL_FILE_LIMIT + 300, 'MANY-B');
    const result = await gw.upload<{ ingestFiles: { batch: { id: string }; files: Array<{ fileName: string; bytes: number; sha256: string; protocol: string }> } }>(
      { query: INGEST, variables: { input: { datasetId, format: 'JSON', files: [null, null], sizes: [first.length, second.length] } } },
      [
        { path: 'variables.input.files.0', name: 'many-a.json', content: first },
        { path: 'variables.input.files.1', name: 'many-b.json', content: second },
      ],
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.ingestFiles.files).toEqual([
      { fileName: 'many-a.json', bytes: first.length, sha256: sha256(first), protocol: 'LARGE' },
      { fileName: 'many-b.json', bytes: second.length, sha256: sha256(second), protocol: 'LARGE' },
    ]);
    const batchId = result.data!.ingestFiles.batch.id;
    // Every part named its total: the sizes were known up front, so nothing was read ahead into memory.
    const patches = [...fileRequests(batchId, 'many-a.json'), ...fileRequests(batchId, 'many-b.json')].filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => String(r.headers['content-range']))).toEqual([
      `bytes 0-${PART_SIZE - 1}/${first.length}`,
      `bytes ${PART_SIZE}-${2 * PART_SIZE - 1}/${first.length}`,
      `bytes ${2 * PART_SIZE}-${first.length - 1}/${first.length}`,
      `bytes 0-${PART_SIZE - 1}/${second.length}`,
      `bytes ${PART_SIZE}-${2 * PART_SIZE - 1}/${second.length}`,
      `bytes ${2 * PART_SIZE}-${second.length - 1}/${second.length}`,
    ]);
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');
  });

  it('should refuse sizes that do not pair with the files before a batch exists', async () => {
    const before = proxy.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/import/batches')).length;
    const file = loyaltyMembersJsonl(1_000, 'PAIR');
    const result = await gw.upload(
      { query: INGEST, variables: { input: { datasetId, format: 'JSON', files: [null], sizes: [file.length, 10] } } },
      [{ path: 'variables.input.files.0', name: 'pair.json', content: file }],
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(proxy.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/import/batches')).length).toBe(before);
  });
});
