// Catalog-side batch writes over plain HTTP: create (with or without an id),
// PUT, PATCH and the deprecated DELETE with If-Match, answered with the
// documented reference arrays; the import API's FAIL action.
import { describe, expect, it } from 'vitest';
import { loadContract } from '../helpers/openapi-contract.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { CATALOG, IMPORT, call, createBatch, createDataset, json, loyaltySchemaId, upload, waitForBatch } from './emulator-batch-helpers.ts';

const emulator = await startEmulator({ processingDelayMs: 10 });
const catalog = loadContract('catalog');
const bad = (status: number, title: string, detail: string) => ({ type: '/placeholder/type/uri', status, title, detail });
type Keyed = Record<string, Record<string, unknown>>;

describe('Catalog batch writes', () => {
  it('should create a batch with 201, a Location and Catalog-generated fields, and require a status', async () => {
    const created = await call(emulator, 'POST', `${CATALOG}/batches`, { body: { status: 'staged', externalId: 'ext-1', tags: { team: ['a'] } } });
    expect(created.status).toBe(201);
    expect(catalog.check('POST', '/batches', 201, created.json())).toBeNull();
    const id = (created.json() as string[])[0]!.replace('@/batches/', '');
    expect(created.headers.location).toBe(`${emulator.url}${CATALOG}/batches/${id}`);
    const stored = await json<Keyed>(call(emulator, 'GET', `${CATALOG}/batches/${id}`));
    expect(stored[id]).toMatchObject({ id, status: 'staged', externalId: 'ext-1', tags: { team: ['a'] }, version: '1.0.0', imsOrg: emulator.settings.orgId, relatedObjects: [] });

    const missing = await call(emulator, 'POST', `${CATALOG}/batches`, { body: { externalId: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual(bad(400, 'BadRequestError', expect.stringMatching(/^status is required and must be one of processing, success, /) as unknown as string));
    const readOnly = await call(emulator, 'POST', `${CATALOG}/batches`, { body: { status: 'staged', imsOrg: 'x' } });
    expect(readOnly.json()).toEqual(bad(400, 'BadRequestError', "The property 'imsOrg' is read-only and cannot be set"));
  });

  it('should create with a given id, PUT, PATCH with If-Match and DELETE', async () => {
    const id = 'catalogbatch0000000000001';
    const created = await call(emulator, 'POST', `${CATALOG}/batches/${id}`, { body: { status: 'loading' } });
    expect(created.status).toBe(200);
    expect(created.json()).toEqual([`@/batches/${id}`]);
    const again = await call(emulator, 'POST', `${CATALOG}/batches/${id}`, { body: { status: 'loading' } });
    expect(again.status).toBe(409);
    expect(again.json()).toEqual(bad(409, 'ConflictError', `Batch ${id} already exists`));

    const put = await call(emulator, 'PUT', `${CATALOG}/batches/${id}`, { body: { status: 'success', recordCount: 3 }, headers: { 'if-match': '"1.0.0"' } });
    expect(put.status).toBe(200);
    expect(catalog.check('PUT', '/batches/{BATCH_ID}', 200, put.json())).toBeNull();
    const stale = await call(emulator, 'PATCH', `${CATALOG}/batches/${id}`, { body: { recordCount: 4 }, headers: { 'if-match': '"1.0.0"' } });
    expect(stale.status).toBe(412);
    expect(stale.json()).toEqual(bad(412, 'PreconditionFailedError', 'The object version 1.0.1 does not match the If-Match header "1.0.0"'));
    const patched = await call(emulator, 'PATCH', `${CATALOG}/batches/${id}`, { body: { recordCount: 4 }, headers: { 'if-match': '"1.0.1"' } });
    expect(catalog.check('PATCH', '/batches/{BATCH_ID}', 200, patched.json())).toBeNull();
    const looked = await call(emulator, 'GET', `${CATALOG}/batches/${id}`);
    expect(looked.headers['e-tag']).toBe('"1.0.2"');
    expect((looked.json() as Keyed)[id]).toMatchObject({ status: 'success', recordCount: 4, version: '1.0.2' });

    const deleted = await call(emulator, 'DELETE', `${CATALOG}/batches/${id}`);
    expect(catalog.check('DELETE', '/batches/{BATCH_ID}', 200, deleted.json())).toBeNull();
    expect(deleted.json()).toEqual([`@/batches/${id}`]);
    expect((await call(emulator, 'GET', `${CATALOG}/batches/${id}`)).status).toBe(404);
    expect((await call(emulator, 'DELETE', `${CATALOG}/batches/${id}`)).json()).toEqual([]);
  });

  it('should leave import batches to the import API while they ingest, and take no files into a Catalog-only batch', async () => {
    const datasetId = await createDataset(emulator, await loyaltySchemaId(emulator));
    const batchId = await createBatch(emulator, datasetId);
    const busy = await call(emulator, 'PATCH', `${CATALOG}/batches/${batchId}`, { body: { status: 'success' } });
    expect(busy.status).toBe(409);
    expect(busy.json()).toEqual(bad(409, 'ConflictError', `Batch ${batchId} is being ingested (status loading): change it through the import API`));
    const refusedDelete = await call(emulator, 'DELETE', `${CATALOG}/batches/${batchId}`);
    expect(refusedDelete.json()).toEqual(bad(409, 'ConflictError', `Batch ${batchId} holds ingested data: remove it with the import API's action=REVERT`));

    const catalogOnly = ((await json<string[]>(call(emulator, 'POST', `${CATALOG}/batches`, { body: { status: 'loading' } }), 201))[0]!).replace('@/batches/', '');
    const refused = await upload(emulator, catalogOnly, datasetId, 'a.json', '{}\n');
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual(bad(400, 'BadRequestError', `Batch ${catalogOnly} was not created through the import API`));
  });
});

describe('the FAIL action', () => {
  it('should mark a batch that is not finalized failed, with its reason, and refuse it afterwards', async () => {
    const datasetId = await createDataset(emulator, await loyaltySchemaId(emulator), 'fail');
    const batchId = await createBatch(emulator, datasetId);
    expect((await upload(emulator, batchId, datasetId, 'a.json', '{"_aeplocal":{"loyalty":{"loyaltyId":"x"}}}\n')).status).toBe(200);
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${batchId}?action=FAIL`)).status).toBe(200);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch).toMatchObject({ status: 'failed', errors: [{ code: 'FAIL', description: 'The batch was marked failed by its producer.' }] });
    const again = await call(emulator, 'POST', `${IMPORT}/batches/${batchId}?action=FAIL`);
    expect(again.status).toBe(400);
    expect(again.json()).toEqual(bad(400, 'BadRequestError', `Batch ${batchId} cannot be failed in status failed`));
  });
});
