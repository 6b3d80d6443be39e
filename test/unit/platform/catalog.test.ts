import { afterEach, describe, expect, it } from 'vitest';
import { chunkIds, keyedToArray, MAX_URL_LENGTH } from '../../../src/platform/catalog.ts';
import { BASE_URL, SCOPE, headerObject, keyed, mockPlatform, type MockPlatform } from './mock-platform.ts';

const mocks: MockPlatform[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.agent.close()));
});
function setup() {
  const mock = mockPlatform();
  mocks.push(mock);
  return { ...mock, catalog: mock.client.scoped(SCOPE).catalog };
}
const ids = (n: number, prefix = 'ds') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('catalog lists', () => {
  it('should ask for limit+1 items, return limit, and report hasMore', async () => {
    const { platform, catalog } = setup();
    const paths: string[] = [];
    platform.intercept({ path: (p) => p.startsWith('/data/foundation/catalog/dataSets?'), method: 'GET' }).reply((opts) => {
      paths.push(opts.path);
      return { statusCode: 200, data: JSON.stringify(keyed(ids(3))) };
    });
    const page = await catalog.listDataSets({ limit: 2, start: 4, orderBy: 'desc:created', properties: ['name', 'schemaRef'], filters: { name: 'a b', status: 'success,failed' } });
    expect(paths[0]).toBe('/data/foundation/catalog/dataSets?start=4&limit=3&orderBy=desc:created&properties=name,schemaRef&name=a%20b&status=success,failed');
    expect(page).toEqual({ items: [{ id: 'ds000', name: 'name-ds000' }, { id: 'ds001', name: 'name-ds001' }], start: 4, hasMore: true });
  });

  it('should say hasMore false on a short last page', async () => {
    const { platform, catalog } = setup();
    platform.intercept({ path: '/data/foundation/catalog/batches?start=0&limit=21', method: 'GET' }).reply(200, JSON.stringify(keyed(ids(5, 'b'))));
    const page = await catalog.listBatches();
    expect(page.items.map((b) => b.id)).toEqual(ids(5, 'b'));
    expect(page.hasMore).toBe(false);
  });

  it('should keep the server order and fill in ids', async () => {
    const { platform, catalog } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSetFiles?start=0&limit=11', method: 'GET' }).reply(200, '{"z9":{"batchId":"b"},"a1":{"id":"a1","batchId":"b"},"m5":{}}');
    const page = await catalog.listDataSetFiles({ limit: 10 });
    expect(page.items).toEqual([{ id: 'z9', batchId: 'b' }, { id: 'a1', batchId: 'b' }, { id: 'm5' }]);
  });

  it('should probe with one item when a full page of 100 was asked for', async () => {
    const { platform, catalog, calls } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSets?start=0&limit=100', method: 'GET' }).reply(200, JSON.stringify(keyed(ids(100))));
    platform.intercept({ path: '/data/foundation/catalog/dataSets?start=100&limit=1', method: 'GET' }).reply(200, JSON.stringify(keyed(['x'])));
    const page = await catalog.listDataSets({ limit: 100 });
    expect(page.items).toHaveLength(100);
    expect(page.hasMore).toBe(true);
    expect(calls).toHaveLength(2);

    platform.intercept({ path: '/data/foundation/catalog/dataSets?start=100&limit=100', method: 'GET' }).reply(200, JSON.stringify(keyed(ids(100))));
    platform.intercept({ path: '/data/foundation/catalog/dataSets?start=200&limit=1', method: 'GET' }).reply(200, '{}');
    expect((await catalog.listDataSets({ limit: 500, start: 100 })).hasMore).toBe(false);
  });

  it('should skip the probe when asked, reporting that more may follow', async () => {
    const { platform, catalog, calls } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSets?start=0&limit=100', method: 'GET' }).reply(200, JSON.stringify(keyed(ids(100))));
    const page = await catalog.listDataSets({ limit: 100, probe: false });
    expect(page.hasMore).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('should clamp bad limits and offsets into what Catalog accepts', async () => {
    const { platform, catalog } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSets?start=0&limit=2', method: 'GET' }).reply(200, '{}');
    await expect(catalog.listDataSets({ limit: 0, start: -5 })).resolves.toEqual({ items: [], start: 0, hasMore: false });
  });

  it('should read an empty or odd body as no items', () => {
    expect(keyedToArray(null)).toEqual([]);
    expect(keyedToArray([] as never)).toEqual([]);
  });
});

describe('catalog lookups', () => {
  it('should look up many ids in one call and leave out the missing', async () => {
    const { platform, catalog, calls } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSets/a,b,c?properties=name', method: 'GET' }).reply(200, JSON.stringify(keyed(['a', 'c'])));
    const found = await catalog.getDataSets(['a', 'b', 'c', 'a'], { properties: ['name'] });
    expect([...found.keys()]).toEqual(['a', 'c']);
    expect(found.get('c')).toEqual({ id: 'c', name: 'name-c' });
    expect(calls).toHaveLength(1);
  });

  it('should split more than 100 ids into chunks of at most 100', async () => {
    const { platform, catalog } = setup();
    const asked: string[][] = [];
    platform
      .intercept({ path: (p) => p.startsWith('/data/foundation/catalog/batches/'), method: 'GET' })
      .reply((opts) => {
        const chunk = opts.path.slice('/data/foundation/catalog/batches/'.length).split(',');
        asked.push(chunk);
        return { statusCode: 200, data: JSON.stringify(keyed(chunk)) };
      })
      .persist();
    const all = ids(250, 'b');
    const found = await catalog.getBatches(all);
    expect(asked.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(asked.flat()).toEqual(all);
    expect(found.size).toBe(250);
  });

  it('should keep every lookup URL within 2000 characters', () => {
    const long = Array.from({ length: 60 }, (_, i) => `${'x'.repeat(60)}${i}`);
    const fixed = `${BASE_URL}/data/foundation/catalog/dataSets/`.length;
    const chunks = chunkIds(long, fixed);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(fixed + chunk.join(',').length).toBeLessThanOrEqual(MAX_URL_LENGTH);
    expect(chunks.flat()).toEqual(long);
    expect(chunkIds([], fixed)).toEqual([]);
  });

  it('should percent-encode ids and treat a 404 as nothing found', async () => {
    const { platform, catalog, calls } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSets/a%2Fb,c%20d', method: 'GET' }).reply(404, '{"type":"/placeholder/type/uri","status":404,"title":"NotFoundError"}');
    expect((await catalog.getDataSets(['a/b', 'c d'])).size).toBe(0);
    expect(await catalog.getDataSets([])).toEqual(new Map());
    expect(calls).toHaveLength(1);
  });

  it('should give a batch by id, or null on 404', async () => {
    const { platform, catalog } = setup();
    platform.intercept({ path: '/data/foundation/catalog/batches/B1', method: 'GET' }).reply(200, '{"B1":{"status":"success"}}');
    platform.intercept({ path: '/data/foundation/catalog/batches/B2', method: 'GET' }).reply(404, '');
    expect(await catalog.getBatch('B1')).toEqual({ id: 'B1', status: 'success' });
    expect(await catalog.getBatch('B2')).toBeNull();
  });

  it('should give one dataset, or null', async () => {
    const { platform, catalog } = setup();
    platform.intercept({ path: '/data/foundation/catalog/dataSets/d1?properties=name', method: 'GET' }).reply(200, '{"d1":{"name":"n"}}');
    platform.intercept({ path: '/data/foundation/catalog/dataSets/d2', method: 'GET' }).reply(404, '');
    expect(await catalog.getDataSet('d1', { properties: ['name'] })).toEqual({ id: 'd1', name: 'n' });
    expect(await catalog.getDataSet('d2')).toBeNull();
  });
});

describe('catalog writes', () => {
  it('should create a dataset and read its id from the reference, without retrying', async () => {
    const { platform, catalog, calls } = setup();
    let sent = '';
    platform.intercept({ path: '/data/foundation/catalog/dataSets', method: 'POST' }).reply((opts) => {
      sent = String(opts.body);
      expect(headerObject(opts.headers)['content-type']).toBe('application/json');
      return { statusCode: 201, data: '["@/dataSets/5c8c3c555033b814b69f947f"]' };
    });
    const body = { name: 'Loyalty', schemaRef: { id: 'https://ns.adobe.com/x/schemas/1', contentType: 'application/vnd.adobe.xed-full+json;version=1' } };
    expect(await catalog.createDataSet(body)).toBe('5c8c3c555033b814b69f947f');
    expect(JSON.parse(sent)).toEqual(body);

    platform.intercept({ path: '/data/foundation/catalog/dataSets', method: 'POST' }).reply(503, '');
    await expect(catalog.createDataSet(body)).rejects.toMatchObject({ status: 503 });
    platform.intercept({ path: '/data/foundation/catalog/dataSets', method: 'POST' }).reply(201, '[]');
    await expect(catalog.createDataSet(body)).rejects.toThrow('reference');
    expect(calls).toHaveLength(3);
  });

  it('should patch with If-Match and delete', async () => {
    const { platform, catalog } = setup();
    let ifMatch: string | undefined;
    platform.intercept({ path: '/data/foundation/catalog/dataSets/d1', method: 'PATCH' }).reply((opts) => {
      ifMatch = headerObject(opts.headers)['if-match'];
      return { statusCode: 200, data: '["@/dataSets/d1"]' };
    });
    await catalog.updateDataSet('d1', { description: 'x' }, { ifMatch: '"1.0.2"' });
    expect(ifMatch).toBe('"1.0.2"');
    platform.intercept({ path: '/data/foundation/catalog/dataSets/d1', method: 'PATCH' }).reply(412, '{"type":"/placeholder/type/uri","status":412,"title":"PreconditionFailedError"}');
    await expect(catalog.updateDataSet('d1', {}, { ifMatch: 'old' })).rejects.toMatchObject({ status: 412 });
    platform.intercept({ path: '/data/foundation/catalog/dataSets/d1', method: 'DELETE' }).reply(200, '["@/dataSets/d1"]');
    await catalog.deleteDataSet('d1');
  });
});
