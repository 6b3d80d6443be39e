// The Platform's tutorial, end to end over plain HTTP: token, schema,
// dataset, batch, upload, complete, poll, then read the data back through
// Data Access and compare it with what went in - for each input format.
import { describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { startEmulator } from '../helpers/start-emulator.ts';
import { EXPORT, call, complete, createBatch, createDataset, json, loyaltySchemaId, plainRow, upload, waitForBatch } from './emulator-batch-helpers.ts';

const emulator = await startEmulator({ processingDelayMs: 20 });

const MEMBERS = [
  {
    personID: 'p-1',
    person: { name: { firstName: 'Ada', lastName: 'Lovelace' } },
    personalEmail: { address: 'ada@example.com' },
    _aeplocal: { loyalty: { loyaltyId: 'L-1', loyaltyLevel: 'gold', loyaltyPoints: 1200, memberSince: '2020-01-15' } },
  },
  {
    personID: 'p-2',
    person: { name: { firstName: 'Grace' } },
    _aeplocal: { loyalty: { loyaltyId: 'L-2', loyaltyLevel: 'silver', loyaltyPoints: 80 } },
  },
  { personID: 'p-3', _aeplocal: { loyalty: { loyaltyId: 'L-3', memberSince: '2023-07-01' } } },
];

function membersParquet(): ArrayBuffer {
  const column = (name: string, data: unknown[]) => ({ name, data: data as never[] });
  const loyalty = MEMBERS.map((m) => ({
    loyalty: {
      loyaltyId: m._aeplocal.loyalty.loyaltyId,
      loyaltyLevel: m._aeplocal.loyalty.loyaltyLevel ?? null,
      loyaltyPoints: m._aeplocal.loyalty.loyaltyPoints ?? null,
      memberSince: m._aeplocal.loyalty.memberSince ? new Date(`${m._aeplocal.loyalty.memberSince}T00:00:00Z`) : null,
    },
  }));
  return parquetWriteBuffer({
    columnData: [
      column('personID', MEMBERS.map((m) => m.personID)),
      column('person', MEMBERS.map((m) => (m.person ? { name: { firstName: m.person.name.firstName, lastName: m.person.name.lastName ?? null } } : null))),
      column('personalEmail', MEMBERS.map((m) => (m.personalEmail ? { address: m.personalEmail.address } : null))),
      column('_aeplocal', loyalty),
    ],
    schema: [
      { name: 'root', num_children: 4 },
      { name: 'personID', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'person', repetition_type: 'OPTIONAL', num_children: 1 },
      { name: 'name', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'firstName', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'lastName', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'personalEmail', repetition_type: 'OPTIONAL', num_children: 1 },
      { name: 'address', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: '_aeplocal', repetition_type: 'OPTIONAL', num_children: 1 },
      { name: 'loyalty', repetition_type: 'OPTIONAL', num_children: 4 },
      { name: 'loyaltyId', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'loyaltyLevel', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'loyaltyPoints', type: 'INT32', repetition_type: 'OPTIONAL' },
      { name: 'memberSince', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
    ],
  });
}

function membersCsv(): string {
  const header = 'personID,person.name.firstName,person.name.lastName,personalEmail.address,_aeplocal.loyalty.loyaltyId,_aeplocal.loyalty.loyaltyLevel,_aeplocal.loyalty.loyaltyPoints,_aeplocal.loyalty.memberSince';
  const rows = MEMBERS.map((m) =>
    [
      m.personID,
      m.person?.name.firstName ?? '',
      m.person?.name.lastName ?? '',
      m.personalEmail?.address ?? '',
      m._aeplocal.loyalty.loyaltyId,
      m._aeplocal.loyalty.loyaltyLevel ?? '',
      m._aeplocal.loyalty.loyaltyPoints ?? '',
      m._aeplocal.loyalty.memberSince ?? '',
    ].join(','),
  );
  return `${header}\n${rows.join('\n')}\n`;
}

const FORMATS = [
  { label: 'Parquet', inputFormat: { format: 'parquet' }, file: 'members.parquet', bytes: () => new Uint8Array(membersParquet()) },
  { label: 'JSON Lines', inputFormat: { format: 'json' }, file: 'members.json', bytes: () => MEMBERS.map((m) => JSON.stringify(m)).join('\n') },
  { label: 'multi-line JSON', inputFormat: { format: 'JSON', isMultiLineJson: true }, file: 'in/members.json', bytes: () => JSON.stringify(MEMBERS, null, 2) },
  { label: 'CSV', inputFormat: { format: 'csv' }, file: 'members.csv', bytes: () => membersCsv() },
];

describe('the tutorial over plain HTTP', () => {
  for (const format of FORMATS) {
    it(`should ingest ${format.label} and read the same rows back through Data Access`, async () => {
      const schemaId = await loyaltySchemaId(emulator);
      const datasetId = await createDataset(emulator, schemaId, `Loyalty ${format.label}`);
      const batchId = await createBatch(emulator, datasetId, { inputFormat: format.inputFormat });
      expect(batchId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

      const put = await upload(emulator, batchId, datasetId, format.file, format.bytes());
      expect(put.status).toBe(200);
      await complete(emulator, batchId);

      const { batch, seen } = await waitForBatch(emulator, batchId);
      expect(batch.status, JSON.stringify(batch.errors)).toBe('success');
      expect(seen[seen.length - 1]).toBe('success');
      expect(seen).toContain('processing');
      expect(batch.recordCount).toBe(3);
      expect(batch.failedRecordCount).toBe(0);
      expect(batch.metrics).toMatchObject({ inputRecordCount: 3, outputRecordCount: 3, failedRecordCount: 0, inputFileCount: 1, recordsRead: 3, recordsWritten: 3 });
      expect(batch.errors).toEqual([]);

      const files = await json<{ data: Array<{ dataSetFileId: string; created: string; _links: { self: { href: string } } }> }>(
        call(emulator, 'GET', `${EXPORT}/batches/${batchId}/files`),
      );
      expect(files.data).toHaveLength(1);
      const entry = files.data[0]!;
      expect(entry.dataSetFileId).toBe(`${batchId}-1`);
      expect(typeof entry.created).toBe('string');
      expect(entry._links.self.href).toBe(`${emulator.url}${EXPORT}/files/${batchId}-1`);

      const listing = await json<{ data: Array<{ name: string; length: string; _links: { self: { href: string } } }> }>(
        call(emulator, 'GET', new URL(entry._links.self.href).pathname),
      );
      expect(listing.data).toHaveLength(1);
      const download = await call(emulator, 'GET', new URL(listing.data[0]!._links.self.href).pathname + new URL(listing.data[0]!._links.self.href).search);
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toBe('application/parquet');
      expect(String(download.body.length)).toBe(listing.data[0]!.length);

      const rows = await parquetReadObjects({ file: new Uint8Array(download.body).buffer });
      expect(rows.map(plainRow)).toEqual(MEMBERS);

      const dataset = await json<Record<string, Record<string, unknown>>>(call(emulator, 'GET', `/data/foundation/catalog/dataSets/${datasetId}`));
      expect(dataset[datasetId]).toMatchObject({ lastBatchId: batchId, lastBatchStatus: 'success', lastSuccessfulBatch: batchId });
    });
  }

  it('should lock the schema to additive changes once data was ingested with it', async () => {
    const schemaId = await loyaltySchemaId(emulator);
    const reply = await call(emulator, 'DELETE', `/data/foundation/schemaregistry/tenant/schemas/${encodeURIComponent(schemaId)}`);
    expect(reply.status).toBe(400);
    expect(await loyaltySchemaId(emulator)).toBe(schemaId);
  });

  it('should ingest a field added to the schema after data was ingested with it', async () => {
    const groups = await json<{ results: Array<{ $id: string; title: string }> }>(
      call(emulator, 'GET', '/data/foundation/schemaregistry/tenant/fieldgroups', { headers: { accept: 'application/vnd.adobe.xed-id+json' } }),
    );
    const loyaltyGroup = groups.results.find((g) => g.title === 'Loyalty Details')!;
    const evolve = await call(emulator, 'PATCH', `/data/foundation/schemaregistry/tenant/fieldgroups/${encodeURIComponent(loyaltyGroup.$id)}`, {
      body: [{ op: 'add', path: '/definitions/loyalty/properties/_aeplocal/properties/loyalty/properties/favoriteStore', value: { title: 'Favorite Store', type: 'string' } }],
    });
    expect(evolve.status, evolve.body.toString()).toBe(200);

    const schemaId = await loyaltySchemaId(emulator);
    const datasetId = await createDataset(emulator, schemaId, 'Loyalty evolved');
    const batchId = await createBatch(emulator, datasetId);
    const row = { personID: 'p-9', _aeplocal: { loyalty: { loyaltyId: 'L-9', favoriteStore: 'Basel' } } };
    await upload(emulator, batchId, datasetId, 'evolved.json', JSON.stringify(row));
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch.status, JSON.stringify(batch.errors)).toBe('success');
    const preview = await json<{ data: unknown[] }>(call(emulator, 'GET', `${EXPORT}/datasets/${datasetId}/preview`));
    expect(preview.data).toEqual([row]);
  });

  it('should preview the dataset rows through Data Access', async () => {
    const schemaId = await loyaltySchemaId(emulator);
    const datasetId = await createDataset(emulator, schemaId, 'Loyalty preview');
    const batchId = await createBatch(emulator, datasetId);
    await upload(emulator, batchId, datasetId, 'members.json', MEMBERS.map((m) => JSON.stringify(m)).join('\n'));
    await complete(emulator, batchId);
    await waitForBatch(emulator, batchId);
    const preview = await json<{ data: unknown[] }>(call(emulator, 'GET', `${EXPORT}/datasets/${datasetId}/preview`));
    expect(preview.data).toEqual(MEMBERS);
  });
});
