// CSV reading options over plain HTTP: a file without a header row (columns
// in the schema's field order) described on the dataset, and the batch's own
// delimiter, quote and nullMarker.
import { describe, expect, it } from 'vitest';
import { schemaColumns } from '../../src/emulator/ingest/schema-columns.ts';
import type { XdmFieldSchema } from '../../src/emulator/ingest/xdm-field.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { call, complete, createBatch, createDataset, json, loyaltySchemaId, upload, waitForBatch } from './emulator-batch-helpers.ts';

const emulator = await startEmulator({ processingDelayMs: 10 });
const schemaId = await loyaltySchemaId(emulator);
const fullSchema = await json<XdmFieldSchema>(
  call(emulator, 'GET', `/data/foundation/schemaregistry/tenant/schemas/${encodeURIComponent(schemaId)}`, { headers: { accept: 'application/vnd.adobe.xed-full+json; version=1' } }),
);
const columns = schemaColumns(fullSchema).map((path) => path.join('.'));

/** One headerless row: the given values in their schema columns, the rest empty. */
function headerlessRow(values: Record<string, string>, delimiter: string): string {
  return columns.map((column) => values[column] ?? '').join(delimiter);
}

async function ingest(datasetExtra: object, inputFormat: object, text: string) {
  const datasetId = await createDataset(emulator, schemaId, 'csv options', datasetExtra);
  const batchId = await createBatch(emulator, datasetId, { inputFormat: { format: 'csv', ...inputFormat } });
  expect((await upload(emulator, batchId, datasetId, 'members.csv', text)).status).toBe(200);
  await complete(emulator, batchId);
  return (await waitForBatch(emulator, batchId)).batch;
}

describe('CSV without a header row', () => {
  it('should list the schema leaves in the resolved schema order', () => {
    expect(columns).toContain('_aeplocal.loyalty.loyaltyId');
    expect(columns.indexOf('_aeplocal.loyalty.loyaltyId')).toBeLessThan(columns.indexOf('_aeplocal.loyalty.loyaltyLevel'));
    expect(columns).not.toContain('_aeplocal');
  });

  it('should map the cells by the schema field order when the dataset says header false, with its delimiter and null marker', async () => {
    const fileDescription = { format: 'csv', header: false, delimiters: [';'], nullMarkers: ['NULL'] };
    const row = headerlessRow({ '_aeplocal.loyalty.loyaltyId': 'L-1', '_aeplocal.loyalty.loyaltyPoints': '12', '_aeplocal.loyalty.loyaltyLevel': 'NULL' }, ';');
    const ok = await ingest({ fileDescription }, {}, `${row}\n`);
    expect(ok).toMatchObject({ status: 'success', recordCount: 1 });

    // The same cell read as loyaltyLevel: a value outside its enum fails the only row.
    const wrong = headerlessRow({ '_aeplocal.loyalty.loyaltyId': 'L-2', '_aeplocal.loyalty.loyaltyLevel': 'diamond' }, ';');
    const failed = await ingest({ fileDescription }, {}, `${wrong}\n`);
    expect(failed.status).toBe('failed');
  });

  it("should take the batch's header false over the dataset's default", async () => {
    const row = headerlessRow({ '_aeplocal.loyalty.loyaltyId': 'L-3' }, ',');
    expect(await ingest({}, { header: false }, `${row}\n`)).toMatchObject({ status: 'success', recordCount: 1 });
  });
});

describe('CSV options of the batch', () => {
  it('should read with the given delimiter and quote', async () => {
    const text = "_aeplocal.loyalty.loyaltyId|_aeplocal.loyalty.loyaltyLevel\n'L|4'|gold\n";
    expect(await ingest({}, { delimiter: '|', quote: "'" }, text)).toMatchObject({ status: 'success', recordCount: 1 });
  });

  it('should refuse a header that is not a boolean and a nullMarker that is not a string', async () => {
    const datasetId = await createDataset(emulator, schemaId, 'csv refusals');
    const bad = (detail: string) => ({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail });
    const header = await call(emulator, 'POST', '/data/foundation/import/batches', { body: { datasetId, inputFormat: { format: 'csv', header: 'no' } } });
    expect(header.json()).toEqual(bad('inputFormat.header must be a boolean'));
    const nullMarker = await call(emulator, 'POST', '/data/foundation/import/batches', { body: { datasetId, inputFormat: { format: 'csv', nullMarker: 0 } } });
    expect(nullMarker.json()).toEqual(bad('inputFormat.nullMarker must be a string'));
  });
});
