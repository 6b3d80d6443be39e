// Catalog over plain HTTP: id-keyed lists with paging, ordering, projection
// and filters; lookups of one or many; dataset writes with E-Tag/If-Match,
// validate-only and reserved tags; refusals with their exact bodies.
import { beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { CATALOG, IMPORT, call, createBatch, createDataset, json, loyaltySchemaId } from './emulator-batch-helpers.ts';

const emulator = await startEmulator({ processingDelayMs: 10 });
const schemaId = await loyaltySchemaId(emulator);
const bad = (status: number, title: string, detail: string) => ({ type: '/placeholder/type/uri', status, title, detail });

type Keyed = Record<string, Record<string, unknown>>;
const list = (query = '', sandbox?: string) => json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSets${query}`, sandbox ? { sandbox } : {}));

describe('listing datasets', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    for (const [i, name] of ['delta', 'alpha', 'charlie', 'bravo', 'test*star'].entries()) {
      ids.push(await createDataset(emulator, schemaId, name, { description: `number ${i}`, tags: { team: [i % 2 === 0 ? 'even' : 'odd'], owner: ['me'] } }));
    }
  });

  it('should answer an object keyed by id, 20 by default, with start and limit', async () => {
    const all = await list();
    expect(Object.keys(all)).toEqual(ids);
    expect(all[ids[0]!]).toMatchObject({ name: 'delta', version: '1.0.0', imsOrg: emulator.settings.orgId });
    expect(Object.keys(await list('?limit=2&start=1'))).toEqual(ids.slice(1, 3));
    expect(await list('?start=50')).toEqual({});
  });

  it('should refuse a limit outside 1..100 stating the range, and a bad start', async () => {
    for (const limit of ['0', '101', 'x', '-1']) {
      const reply = await call(emulator, 'GET', `${CATALOG}/dataSets?limit=${limit}`);
      expect(reply.status).toBe(400);
      expect(reply.json()).toEqual(bad(400, 'BadRequestError', `Invalid limit value '${limit}': it must be an integer between 1 and 100`));
    }
    expect((await call(emulator, 'GET', `${CATALOG}/dataSets?start=-3`)).json()).toEqual(bad(400, 'BadRequestError', "Invalid start value '-3': it must be an integer of at least 0"));
  });

  it('should order by a property, ascending or descending, and project properties', async () => {
    const asc = await list('?orderBy=asc:name&properties=name');
    expect(Object.values(asc).map((d) => d.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'test*star']);
    expect(Object.values(asc)[0]).toEqual({ name: 'alpha' });
    const desc = await list('?orderBy=desc:name&limit=2');
    expect(Object.values(desc).map((d) => d.name)).toEqual(['test*star', 'delta']);
    const none = await list('?properties=nothingHere&limit=1');
    expect(Object.values(none)).toEqual([{}]);
  });

  it('should apply simple filters, negation, OR lists and name wildcards', async () => {
    expect(Object.values(await list('?name=alpha')).map((d) => d.name)).toEqual(['alpha']);
    expect(Object.values(await list('?name=alpha,bravo&orderBy=name')).map((d) => d.name)).toEqual(['alpha', 'bravo']);
    expect(Object.values(await list('?name=!alpha,bravo&orderBy=name')).map((d) => d.name)).toEqual(['charlie', 'delta', 'test*star']);
    expect(Object.values(await list('?name=*a*&orderBy=name')).map((d) => d.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'test*star']);
    expect(Object.values(await list('?name=test**star')).map((d) => d.name)).toEqual(['test*star']);
    expect(Object.values(await list('?name=test**')).map((d) => d.name)).toEqual([]);
  });

  it('should apply property= conditions and tag filters', async () => {
    expect(Object.values(await list('?property=name~^b')).map((d) => d.name)).toEqual(['bravo']);
    expect(Object.values(await list('?property=name==charlie')).map((d) => d.name)).toEqual(['charlie']);
    expect(Object.values(await list('?property=name>c&property=name<e&orderBy=name')).map((d) => d.name)).toEqual(['charlie', 'delta']);
    expect(Object.keys(await list('?property=description'))).toHaveLength(5);
    expect(Object.keys(await list('?property=!description'))).toHaveLength(0);
    expect(Object.values(await list('?tags=team:odd&orderBy=name')).map((d) => d.name)).toEqual(['alpha', 'bravo']);
    expect(Object.keys(await list('?tags=team:odd,owner:me'))).toHaveLength(2);
    expect(Object.keys(await list('?tags=team:o*'))).toHaveLength(2);
    expect(Object.keys(await list('?tags=owner:*'))).toHaveLength(5);
    expect((await call(emulator, 'GET', `${CATALOG}/dataSets?tags=nocolon`)).json()).toEqual(bad(400, 'BadRequestError', "Invalid tags filter 'nocolon': expected {TAG}:{VALUE}"));
  });

  it('should filter by creation time, exclusive', async () => {
    const all = await list();
    const created = Object.values(all).map((d) => d.created as number);
    const first = Math.min(...created);
    expect(Object.keys(await list(`?createdAfter=${first - 1}`))).toHaveLength(5);
    expect(Object.keys(await list(`?createdBefore=${first}`))).toHaveLength(0);
  });

  it('should take filters sent as headers, with the query parameter winning over the header', async () => {
    const viaHeaders = (query: string, headers: Record<string, string>) => json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSets${query}`, { headers }));
    expect(Object.values(await viaHeaders('', { name: 'alpha' })).map((d) => d.name)).toEqual(['alpha']);
    expect(Object.values(await viaHeaders('', { orderBy: 'desc:name', limit: '2', properties: 'name' }))).toEqual([{ name: 'test*star' }, { name: 'delta' }]);
    expect(Object.values(await viaHeaders('', { property: 'name~^c' })).map((d) => d.name)).toEqual(['charlie']);
    expect(Object.values(await viaHeaders('?name=bravo', { name: 'alpha' })).map((d) => d.name)).toEqual(['bravo']);
    expect(Object.keys(await viaHeaders('?limit=1', { limit: '3' }))).toHaveLength(1);
    const reply = await call(emulator, 'GET', `${CATALOG}/dataSets`, { headers: { limit: '0' } });
    expect(reply.status).toBe(400);
    expect(reply.json()).toEqual(bad(400, 'BadRequestError', "Invalid limit value '0': it must be an integer between 1 and 100"));
  });

  it('should allow at most 20 datasets per page when observableSchema is projected', async () => {
    const reply = await call(emulator, 'GET', `${CATALOG}/dataSets?properties=name,observableSchema&limit=21`);
    expect(reply.status).toBe(400);
    expect(reply.json()).toEqual(bad(400, 'BadRequestError', "Invalid limit value '21': it must be an integer between 1 and 20"));
    expect(Object.keys(await list('?properties=name,observableSchema&limit=20'))).toHaveLength(5);
    expect(Object.keys(await list('?properties=name&limit=21'))).toHaveLength(5);
  });

  it('should keep sandboxes apart', async () => {
    const devSchema = await loyaltySchemaId(emulator, 'dev');
    const before = Object.keys(await list('', 'dev')).length;
    await json(call(emulator, 'POST', `${CATALOG}/dataSets`, { sandbox: 'dev', body: { name: 'dev only', schemaRef: { id: devSchema, contentType: 'application/vnd.adobe.xed-full+json;version=1' } } }), 201);
    expect(Object.keys(await list('', 'dev'))).toHaveLength(before + 1);
    expect(Object.values(await list()).map((d) => d.name)).not.toContain('dev only');
  });
});

describe('looking datasets up', () => {
  it('should look up one with an E-Tag, or many at once, and answer 404 when none exists', async () => {
    const a = await createDataset(emulator, schemaId, 'lookup a');
    const b = await createDataset(emulator, schemaId, 'lookup b');
    const one = await call(emulator, 'GET', `${CATALOG}/dataSets/${a}`);
    expect(one.status).toBe(200);
    expect(one.headers['e-tag']).toBe('"1.0.0"');
    const many = await json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSets/${a},${b},000000000000000000000000?properties=name`));
    expect(many).toEqual({ [a]: { name: 'lookup a' }, [b]: { name: 'lookup b' } });
    const missing = await call(emulator, 'GET', `${CATALOG}/dataSets/000000000000000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual(bad(404, 'NotFoundError', 'No dataSets found with id(s) 000000000000000000000000'));
  });
});

describe('writing datasets', () => {
  it('should create with 201, a Location and Catalog-generated fields', async () => {
    const reply = await call(emulator, 'POST', `${CATALOG}/dataSets?requestDataSource=true`, {
      body: { name: 'created', schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' }, tags: { unifiedProfile: ['enabled:true'] } },
    });
    expect(reply.status).toBe(201);
    const [ref] = reply.json() as string[];
    const id = ref!.replace('@/dataSets/', '');
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(reply.headers.location).toBe(`${emulator.url}${CATALOG}/dataSets/${id}`);
    const body = (await json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSets/${id}`)))[id]!;
    expect(body.viewId).toBe((BigInt(`0x${id}`) + 1n).toString(16).padStart(24, '0'));
    expect(body).toMatchObject({
      name: 'created',
      version: '1.0.0',
      files: `@/dataSets/${id}/views/${String(body.viewId)}/files`,
      tags: { unifiedProfile: ['enabled:true'] },
      createdClient: 'aep-local',
    });
    expect(body.created).toBe(body.updated);
  });

  it('should refuse an unknown schema, reserved tag namespaces, read-only fields and a missing content type', async () => {
    const unknown = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'x', schemaRef: { id: 'https://ns.adobe.com/aeplocal/schemas/nope', contentType: 'application/vnd.adobe.xed+json;version=1' } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toEqual(bad(400, 'BadRequestError', 'There was a problem retrieving xdm schema'));
    const reserved = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'x', schemaRef: { id: schemaId }, tags: { 'adobe/pqs/table': ['t'] } } });
    expect(reserved.status).toBe(403);
    expect(reserved.json()).toEqual(bad(403, 'ForbiddenError', 'Not permitted to create or modify tags for namespace(adobe/pqs/table).'));
    const readOnly = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'x', schemaRef: { id: schemaId }, version: '9.9.9' } });
    expect(readOnly.json()).toEqual(bad(400, 'BadRequestError', "The property 'version' is read-only and cannot be set"));
    const noType = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: '{"name":"x"}' });
    expect(noType.json()).toEqual(bad(400, 'BadRequestError', 'A valid content-type must be specified'));
    const malformed = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed.json()).toEqual(bad(400, 'BadRequestError', 'Malformed JSON in request body'));
  });

  it('should validate without storing under Pragma: validate-only', async () => {
    const before = Object.keys(await list('?limit=100')).length;
    const reply = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'dry run', schemaRef: { id: schemaId } }, headers: { pragma: 'validate-only' } });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual([]);
    expect(Object.keys(await list('?limit=100'))).toHaveLength(before);
    const invalid = await call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'dry run', schemaRef: { id: 'nope' } }, headers: { pragma: 'validate-only' } });
    expect(invalid.status).toBe(400);
  });

  it('should merge a PATCH, apply a JSON Patch, replace with PUT, bump the version and honour If-Match', async () => {
    const id = await createDataset(emulator, schemaId, 'to change', { description: 'first' });
    const path = `${CATALOG}/dataSets/${id}`;
    expect(await json(call(emulator, 'PATCH', path, { body: { description: 'second' } }))).toEqual([`@/dataSets/${id}`]);
    let body = (await json<Keyed>(call(emulator, 'GET', path)))[id]!;
    expect(body).toMatchObject({ name: 'to change', description: 'second', version: '1.0.1' });

    const patch = await call(emulator, 'PATCH', path, {
      body: JSON.stringify([{ op: 'add', path: '/tags/unifiedProfile', value: ['enabled:true'] }]),
      headers: { 'content-type': 'application/json-patch+json' },
    });
    expect(patch.status).toBe(200);
    body = (await json<Keyed>(call(emulator, 'GET', path)))[id]!;
    expect(body).toMatchObject({ tags: { unifiedProfile: ['enabled:true'] }, version: '1.0.2' });

    const stale = await call(emulator, 'PATCH', path, { body: { description: 'late' }, headers: { 'if-match': '"1.0.1"' } });
    expect(stale.status).toBe(412);
    expect(stale.json()).toEqual(bad(412, 'PreconditionFailedError', 'The object version 1.0.2 does not match the If-Match header "1.0.1"'));
    expect((await call(emulator, 'PATCH', path, { body: { description: 'fresh' }, headers: { 'if-match': '"1.0.2"' } })).status).toBe(200);

    expect((await call(emulator, 'PUT', path, { body: { name: 'replaced', schemaRef: { id: schemaId } } })).status).toBe(200);
    body = (await json<Keyed>(call(emulator, 'GET', path)))[id]!;
    expect(body.name).toBe('replaced');
    expect(body.description).toBeUndefined();
    expect(body.version).toBe('1.0.4');

    const badPatch = await call(emulator, 'PATCH', path, { body: JSON.stringify([{ op: 'replace', path: '/nothing/here', value: 1 }]), headers: { 'content-type': 'application/json-patch+json' } });
    expect(badPatch.status).toBe(400);
    const readOnly = await call(emulator, 'PATCH', path, { body: { viewId: 'abc' } });
    expect(readOnly.json()).toEqual(bad(400, 'BadRequestError', "The property 'viewId' is read-only and cannot be set"));
    const forbidden = await call(emulator, 'PATCH', path, { body: JSON.stringify([{ op: 'add', path: '/tags', value: { 'adobe/pqs/table': ['x'] } }]), headers: { 'content-type': 'application/json-patch+json' } });
    expect(forbidden.status).toBe(403);
    expect((await call(emulator, 'PATCH', `${CATALOG}/dataSets/000000000000000000000000`, { body: { name: 'x' } })).status).toBe(404);
  });

  it('should delete with 200 and the reference, answer [] for an unknown id, and 404 afterwards', async () => {
    const id = await createDataset(emulator, schemaId, 'to delete');
    expect(await json(call(emulator, 'DELETE', `${CATALOG}/dataSets/${id}`))).toEqual([`@/dataSets/${id}`]);
    expect(await json(call(emulator, 'DELETE', `${CATALOG}/dataSets/${id}`))).toEqual([]);
    expect((await call(emulator, 'GET', `${CATALOG}/dataSets/${id}`)).status).toBe(404);
  });
});

describe('batches and dataSetFiles', () => {
  it('should list batches by id and dataset, look them up, and list dataSetFiles of a batch or dataset', async () => {
    const datasetId = await createDataset(emulator, schemaId, 'with batches');
    const first = await createBatch(emulator, datasetId);
    const second = await createBatch(emulator, datasetId);
    const byId = await json<Keyed>(call(emulator, 'GET', `${CATALOG}/batches?batch=${first}`));
    expect(Object.keys(byId)).toEqual([first]);
    expect(byId[first]).toMatchObject({ status: 'loading', relatedObjects: [{ type: 'dataSet', id: datasetId }] });
    expect(Object.keys(await json<Keyed>(call(emulator, 'GET', `${CATALOG}/batches?dataSet=${datasetId}&orderBy=desc:created,desc:id`)))).toEqual(
      [first, second].sort().reverse(),
    );
    const one = await call(emulator, 'GET', `${CATALOG}/batches/${first}`);
    expect(one.headers['e-tag']).toBe('"1.0.0"');
    expect(Object.keys(await json<Keyed>(call(emulator, 'GET', `${CATALOG}/batches/${first},${second}`))).sort()).toEqual([first, second].sort());
    expect((await call(emulator, 'GET', `${CATALOG}/batches/01AAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);

    await call(emulator, 'PUT', `${IMPORT}/batches/${first}/datasets/${datasetId}/files/a.json`, {
      body: Buffer.from(JSON.stringify({ personID: 'p', _aeplocal: { loyalty: { loyaltyId: 'L' } } })),
      headers: { 'content-type': 'application/octet-stream' },
    });
    await call(emulator, 'POST', `${IMPORT}/batches/${first}?action=COMPLETE`);
    for (let i = 0; i < 200; i++) {
      const b = await json<Keyed>(call(emulator, 'GET', `${CATALOG}/batches/${first}`));
      if (b[first]!.status === 'success') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const byBatch = await json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSetFiles?batchId=${first}`));
    expect(Object.keys(byBatch)).toEqual([`${first}-1`]);
    expect(byBatch[`${first}-1`]).toMatchObject({ id: `${first}-1`, batchId: first, version: '1.0.0', records: 1 });
    expect(Object.keys(await json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSetFiles?dataSetId=${datasetId}`)))).toEqual([`${first}-1`]);
    const dataset = (await json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSets/${datasetId}`)))[datasetId]!;
    const filesLink = String(dataset.files).replace(/^@/, '');
    expect(Object.keys(await json<Keyed>(call(emulator, 'GET', `${CATALOG}${filesLink}`)))).toEqual([`${first}-1`]);
    expect(Object.keys(await json<Keyed>(call(emulator, 'GET', `${CATALOG}/dataSetFiles/${first}-1`)))).toEqual([`${first}-1`]);

    const last = await json<Keyed>(call(emulator, 'GET', `${CATALOG}/lastBatches?dataSetId=${datasetId},000000000000000000000000`));
    expect(Object.keys(last)).toEqual([datasetId]);
    expect(last[datasetId]).toMatchObject({ lastBatchId: first, lastBatchStatus: 'success', lastSuccessfulBatchId: first });
    expect((await call(emulator, 'GET', `${CATALOG}/lastBatches`)).json()).toEqual(bad(400, 'BadRequestError', 'The dataSetId query parameter is required'));
  });
});
