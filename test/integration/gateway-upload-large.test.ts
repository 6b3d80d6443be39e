// A file past the small-file limit goes up through the large-file protocol
// (initialize, PATCH parts, complete), streamed part by part: the emulator
// receives the expected number of parts (the gateway holds one part at a
// time), a file of exactly the size sent whose sha256 the client computed on
// the way, and every record of it comes back from the stored Parquet.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { createJsonBatch, createLoyaltyDataset, loyaltyMembersJsonl } from '../helpers/loyalty-uploads.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';

const SMALL_FILE_LIMIT = 32 * 1024;
const PART_SIZE = 16 * 1024;

const emulator = await startEmulator({ faults: true, processingDelayMs: 20, smallFileLimit: SMALL_FILE_LIMIT });
const gw = await startGateway({ emulator, smallFileLimit: SMALL_FILE_LIMIT, uploadPartSize: PART_SIZE, maxFileSize: 4 * 1024 * 1024 });
afterAll(() => gw.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function partRequests(): number {
  return Object.entries(emulator.counters())
    .filter(([route]) => route.startsWith('PATCH ') && route.includes('/import/'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** A JSON batch on a new Loyalty Members dataset named `name`. */
async function newBatch(name: string): Promise<string> {
  return createJsonBatch(gw, await createLoyaltyDataset(gw, name));
}

describe('large file upload', () => {
  it('should stream a file past the small-file limit in parts and store exactly its bytes', async () => {
    const batchId = await newBatch('large');

    const file = loyaltyMembersJsonl(5 * PART_SIZE + 1_000);
    const expectedParts = Math.ceil(file.length / PART_SIZE);
    emulator.resetCounters();
    const uploaded = await gw.upload<{ uploadBatchFile: { file: { bytes: number; sha256: string; protocol: string } } }>(
      {
        query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { bytes sha256 protocol } } }',
        variables: { input: { batchId, file: null, fileName: 'big/members.json' } },
      },
      [{ path: 'variables.input.file', name: 'members.json', content: file }],
    );
    expect(uploaded.errors).toBeUndefined();
    expect(uploaded.data?.uploadBatchFile.file).toEqual({ bytes: file.length, sha256: sha256(file), protocol: 'LARGE' });
    // Memory stays bounded by one part: the file went up as parts of PART_SIZE.
    expect(partRequests()).toBe(expectedParts);

    await gw.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');

    // What the Platform received: one input file of exactly the size sent ...
    const meta = await fetch(`${emulator.url}/data/foundation/export/batches/${batchId}/meta?path=input_files/fileMetaData1.json`, { headers: await emulator.headers() });
    expect(meta.status).toBe(200);
    const inputs = (await meta.text()).trim().split('\n').map((line) => JSON.parse(line) as { path: string; size: number });
    expect(inputs).toEqual([{ path: 'big/members.json', size: file.length }]);
    // ... holding exactly the records sent, every one of them (the Platform stores them as Parquet).
    const stored = await gw.gqlOk<{ batch: { rows: unknown[]; metrics: { recordsWritten: number | null } | null } }>('query ($id: ID!) { batch(id: $id) { rows(limit: 1000) metrics { recordsWritten } } }', {
      id: batchId,
    });
    const sentRecords = file.toString('utf8').split('\n').map((line) => JSON.parse(line) as unknown);
    expect(stored.batch.metrics?.recordsWritten).toBe(sentRecords.length);
    expect(sha256(Buffer.from(JSON.stringify(stored.batch.rows)))).toBe(sha256(Buffer.from(JSON.stringify(sentRecords))));
  });

  it('should refuse a file over MAX_FILE_SIZE', async () => {
    const batchId = await newBatch('too large');
    const result = await gw.upload(
      {
        query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { bytes } } }',
        variables: { input: { batchId, file: null } },
      },
      [{ path: 'variables.input.file', name: 'huge.json', content: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) }],
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('MAX_FILE_SIZE');
  });
});
