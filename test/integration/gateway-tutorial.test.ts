// The Platform's tutorial, end to end through the gateway: look up the schema,
// create a dataset, create batches, upload Parquet, JSON and CSV files,
// complete, follow each batch to SUCCESS, read the rows back, evolve the
// schema additively, ingest a file with the new field, read it back.
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';

const emulator = await startEmulator({ processingDelayMs: 20 });
const gw = await startGateway({ emulator });
afterAll(() => gw.close());

interface Member {
  loyaltyId: string;
  loyaltyLevel: string;
  loyaltyPoints: number;
  tier?: string;
}

const row = (member: Member) => ({ _aeplocal: { loyalty: member } });

function parquetOf(members: Member[]): Buffer {
  const bytes = parquetWriteBuffer({ columnData: [{ name: '_aeplocal', data: members.map((m) => row(m)._aeplocal) }] });
  return Buffer.from(bytes);
}

/** The loyalty part of the rows read back, in a stable order. */
function members(rows: unknown[]): Member[] {
  return rows
    .map((r) => (r as { _aeplocal?: { loyalty?: Member } })._aeplocal?.loyalty)
    .filter((m): m is Member => m !== undefined)
    .map((m) => ({ ...m, loyaltyPoints: Number(m.loyaltyPoints) }))
    .sort((a, b) => a.loyaltyId.localeCompare(b.loyaltyId));
}

const state = { schemaId: '', datasetId: '' };

describe('the tutorial', () => {
  it('should find the Loyalty Members schema and its fields', async () => {
    const list = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
    const summary = list.schemas.nodes.find((s) => s.title === 'Loyalty Members');
    expect(summary).toBeDefined();
    state.schemaId = summary!.id;
    const detail = await gw.gqlOk<{ schema: { altId: string; class: string; fields: Array<{ path: string; type: string }> } }>(
      'query ($id: ID!) { schema(id: $id) { altId class fields(under: "_aeplocal.loyalty") { path type } } }',
      { id: state.schemaId },
    );
    expect(detail.schema.class).toBe('https://ns.adobe.com/xdm/context/profile');
    const byPath = Object.fromEntries(detail.schema.fields.map((f) => [f.path, f.type]));
    expect(byPath['_aeplocal.loyalty.loyaltyId']).toBe('STRING');
    expect(Object.keys(byPath)).toEqual(expect.arrayContaining(['_aeplocal.loyalty.loyaltyLevel', '_aeplocal.loyalty.loyaltyPoints', '_aeplocal.loyalty.memberSince']));
    // The altId names the same schema.
    const byAltId = await gw.gqlOk<{ schema: { id: string } }>('query ($id: ID!) { schema(id: $id) { id } }', { id: detail.schema.altId });
    expect(byAltId.schema.id).toBe(state.schemaId);
  });

  it('should create a dataset on it', async () => {
    const created = await gw.gqlOk<{ createDataset: { dataset: { id: string; name: string; profileEnabled: boolean; schema: { id: string } } } }>(
      'mutation ($schemaId: ID!) { createDataset(input: { name: "Loyalty members", description: "tutorial", schemaId: $schemaId, profileEnabled: true }) { dataset { id name profileEnabled schema { id } } } }',
      { schemaId: state.schemaId },
    );
    expect(created.createDataset.dataset).toMatchObject({ name: 'Loyalty members', profileEnabled: true, schema: { id: state.schemaId } });
    state.datasetId = created.createDataset.dataset.id;
  });

  const uploads: Array<{ format: 'PARQUET' | 'JSON' | 'CSV'; name: string; content: (m: Member[]) => Buffer }> = [
    { format: 'PARQUET', name: 'members.parquet', content: parquetOf },
    { format: 'JSON', name: 'members.json', content: (ms) => Buffer.from(ms.map((m) => JSON.stringify(row(m))).join('\n')) },
    {
      format: 'CSV',
      name: 'members.csv',
      content: (ms) =>
        Buffer.from(
          ['_aeplocal.loyalty.loyaltyId,_aeplocal.loyalty.loyaltyLevel,_aeplocal.loyalty.loyaltyPoints', ...ms.map((m) => `${m.loyaltyId},${m.loyaltyLevel},${m.loyaltyPoints}`)].join('\n'),
        ),
    },
  ];

  for (const [index, upload] of uploads.entries()) {
    it(`should ingest a ${upload.format} file: create, upload, complete, SUCCESS, rows read back`, async () => {
      const sent: Member[] = [
        { loyaltyId: `${upload.format}-1`, loyaltyLevel: 'gold', loyaltyPoints: 100 + index },
        { loyaltyId: `${upload.format}-2`, loyaltyLevel: 'silver', loyaltyPoints: 200 + index },
      ];
      const batch = await gw.gqlOk<{ createBatch: { batch: { id: string; status: string; inputFormat: string; datasetId: string } } }>(
        'mutation ($input: CreateBatchInput!) { createBatch(input: $input) { batch { id status inputFormat datasetId } } }',
        { input: { datasetId: state.datasetId, format: upload.format } },
      );
      expect(batch.createBatch.batch).toMatchObject({ status: 'LOADING', inputFormat: upload.format, datasetId: state.datasetId });
      const batchId = batch.createBatch.batch.id;

      const bytes = upload.content(sent);
      const uploaded = await gw.upload<{ uploadBatchFile: { file: { fileName: string; bytes: number; protocol: string } } }>(
        {
          query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes sha256 protocol } } }',
          variables: { input: { batchId, file: null } },
        },
        [{ path: 'variables.input.file', name: upload.name, content: bytes }],
      );
      expect(uploaded.errors).toBeUndefined();
      expect(uploaded.data?.uploadBatchFile.file).toMatchObject({ fileName: upload.name, bytes: bytes.length, protocol: 'SINGLE' });

      const completed = await gw.gqlOk<{ completeBatch: { batch: { id: string } } }>('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
      expect(completed.completeBatch.batch.id).toBe(batchId);
      expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');

      const readBack = await gw.gqlOk<{ batch: { rows: unknown[]; metrics: { recordsWritten: number | null } | null; files: Array<{ id: string }> } }>(
        'query ($id: ID!) { batch(id: $id) { rows(limit: 10) metrics { recordsWritten } files { id } } }',
        { id: batchId },
      );
      expect(members(readBack.batch.rows)).toEqual(sent);
      expect(readBack.batch.files.length).toBeGreaterThan(0);
    });
  }

  it('should show the dataset with its last batch and all rows', async () => {
    const data = await gw.gqlOk<{ dataset: { lastBatch: { status: string } | null; batches: { nodes: Array<{ status: string }> }; rows: unknown[] } }>(
      'query ($id: ID!) { dataset(id: $id) { lastBatch { status } batches(first: 10) { nodes { status } } rows(limit: 100) } }',
      { id: state.datasetId },
    );
    expect(data.dataset.lastBatch?.status).toBe('SUCCESS');
    expect(data.dataset.batches.nodes).toHaveLength(3);
    expect(members(data.dataset.rows)).toHaveLength(6);
  });

  it('should evolve the schema additively and ingest a file with the new field', async () => {
    const before = await gw.gqlOk<{ schema: { version: string } }>('query ($id: ID!) { schema(id: $id) { version } }', { id: state.schemaId });
    const evolved = await gw.gqlOk<{ addSchemaFields: { addedPaths: string[]; schema: { version: string; fields: Array<{ path: string; type: string }> } } }>(
      'mutation ($id: ID!) { addSchemaFields(input: { schemaId: $id, fields: [{ path: "loyalty.tier", type: STRING, title: "Tier" }, { path: "loyalty.loyaltyId", type: STRING }] }) { addedPaths schema { version fields(under: "_aeplocal.loyalty") { path type } } } }',
      { id: state.schemaId },
    );
    expect(evolved.addSchemaFields.addedPaths).toEqual(['_aeplocal.loyalty.tier']);
    expect(evolved.addSchemaFields.schema.fields).toContainEqual({ path: '_aeplocal.loyalty.tier', type: 'STRING' });
    expect(evolved.addSchemaFields.schema.version).not.toBe(before.schema.version);

    const sent: Member[] = [{ loyaltyId: 'TIER-1', loyaltyLevel: 'gold', loyaltyPoints: 7, tier: 'platinum' }];
    const ingested = await gw.upload<{ ingestFiles: { batch: { id: string }; files: Array<{ fileName: string; protocol: string }> } }>(
      {
        query: 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } files { fileName protocol } } }',
        variables: { input: { datasetId: state.datasetId, format: 'PARQUET', files: [null] } },
      },
      [{ path: 'variables.input.files.0', name: 'with-tier.parquet', content: parquetOf(sent) }],
    );
    expect(ingested.errors).toBeUndefined();
    expect(ingested.data?.ingestFiles.files).toEqual([{ fileName: 'with-tier.parquet', protocol: 'SINGLE' }]);
    const batchId = ingested.data!.ingestFiles.batch.id;
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');
    const readBack = await gw.gqlOk<{ batch: { rows: unknown[] } }>('query ($id: ID!) { batch(id: $id) { rows } }', { id: batchId });
    expect(members(readBack.batch.rows)).toEqual(sent);
  });
});
