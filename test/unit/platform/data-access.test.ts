import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonRecords } from '../../../src/platform/data-access.ts';
import { SCOPE, mockPlatform, type MockPlatform } from './mock-platform.ts';

const mocks: MockPlatform[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.agent.close()));
});
function setup(options: { maxDownloadBytes?: number } = {}) {
  const mock = mockPlatform(options);
  mocks.push(mock);
  return { ...mock, platformApi: mock.client.scoped(SCOPE) };
}
const E = '/data/foundation/export';
const entry = (i: number) => ({ dataSetFileId: `B1-${i}`, dataSetViewId: 'v', version: '1.0.0', created: '1558522305708', isValid: true });

describe('data access', () => {
  it('should follow pages of batch files until a short page', async () => {
    const { platform, platformApi, calls } = setup();
    const page = (from: number, n: number, next: boolean) => JSON.stringify({ data: Array.from({ length: n }, (_, i) => entry(from + i)), _page: { limit: 100, count: 230 }, _links: next ? { next: { href: 'https://platform.adobe.io:443/elsewhere' } } : {} });
    platform.intercept({ path: `${E}/batches/B1/files?start=0&limit=100`, method: 'GET' }).reply(200, page(0, 100, true));
    platform.intercept({ path: `${E}/batches/B1/files?start=100&limit=100`, method: 'GET' }).reply(200, page(100, 100, true));
    platform.intercept({ path: `${E}/batches/B1/files?start=200&limit=100`, method: 'GET' }).reply(200, page(200, 30, false));
    const files = await platformApi.dataAccess.listBatchFiles('B1');
    expect(files).toHaveLength(230);
    expect(files[229]!.dataSetFileId).toBe('B1-229');
    expect(calls).toHaveLength(3);
  });

  it('should give just one page when start or limit is given', async () => {
    const { platform, platformApi } = setup();
    platform.intercept({ path: `${E}/batches/B1/files?start=1&limit=1`, method: 'GET' }).reply(200, JSON.stringify({ data: [entry(1)], _page: { limit: 1, count: 6 }, _links: { next: { href: 'x' } } }));
    expect(await platformApi.dataAccess.listBatchFiles('B1', { start: 1, limit: 1 })).toEqual([entry(1)]);
  });

  it('should list a file and download it whole', async () => {
    const { platform, platformApi } = setup();
    platform.intercept({ path: `${E}/files/B1-1`, method: 'GET' }).reply(200, JSON.stringify({ data: [{ name: 'part 0.parquet', length: '5' }], _page: { limit: 100, count: 1 } }));
    platform.intercept({ path: `${E}/files/B1-1?path=part%200.parquet`, method: 'GET' }).reply(200, Buffer.from('PAR1!'), { headers: { 'content-type': 'application/parquet' } });
    const [object] = await platformApi.dataAccess.listFile('B1-1');
    expect(object).toMatchObject({ name: 'part 0.parquet', length: '5' });
    expect((await platformApi.dataAccess.downloadFile('B1-1', object!.name)).toString()).toBe('PAR1!');
  });

  it('should refuse a download over the limit and surface a 404', async () => {
    const { platform, platformApi } = setup({ maxDownloadBytes: 4 });
    platform.intercept({ path: `${E}/files/B1-1?path=a`, method: 'GET' }).reply(200, Buffer.from('12345'));
    await expect(platformApi.dataAccess.downloadFile('B1-1', 'a')).rejects.toMatchObject({ status: 413 });
    platform.intercept({ path: `${E}/files/B1-9?path=a`, method: 'GET' }).reply(404, '{"type":"/placeholder/type/uri","status":404,"title":"NotFoundError","detail":"File not found"}');
    await expect(platformApi.dataAccess.downloadFile('B1-9', 'a')).rejects.toMatchObject({ status: 404, detail: 'File not found' });
  });

  it('should read failed rows from every failed-records file up to the limit', async () => {
    const { platform, platformApi } = setup();
    platform.intercept({ path: `${E}/batches/B1/failed`, method: 'GET' }).reply(200, JSON.stringify({
      data: [{ name: '_SUCCESS', length: '0' }, { name: 'part-0.json', length: '60' }, { name: 'part-1.json', length: '60' }],
      _page: { limit: 100, count: 3 },
    }));
    platform.intercept({ path: `${E}/batches/B1/failed?path=part-0.json`, method: 'GET' }).reply(200, '{"a":1,"_validationErrors":[]}\n{"a":2}\n');
    platform.intercept({ path: `${E}/batches/B1/failed?path=part-1.json`, method: 'GET' }).reply(200, '{"a":3}\n{"a":4}\n');
    expect(await platformApi.dataAccess.failedRows('B1', { limit: 3 })).toEqual([{ a: 1, _validationErrors: [] }, { a: 2 }, { a: 3 }]);
  });

  it('should give no failed rows when the batch has none', async () => {
    const { platform, platformApi } = setup();
    platform.intercept({ path: `${E}/batches/B2/failed`, method: 'GET' }).reply(404, '');
    expect(await platformApi.dataAccess.failedRows('B2')).toEqual([]);
  });

  it('should parse JSON lines, a JSON array, and keep unreadable lines', () => {
    expect(parseJsonRecords('')).toEqual([]);
    expect(parseJsonRecords('[{"a":1},{"b":2}]')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseJsonRecords('{"a":1}\n\n{bad\n3')).toEqual([{ a: 1 }, { _raw: '{bad' }, { value: 3 }]);
  });
});

describe('sandboxes', () => {
  it('should list the active sandboxes and get one, or null', async () => {
    const { platform, platformApi } = setup();
    platform.intercept({ path: '/data/foundation/sandbox-management/', method: 'GET' }).reply(200, '{"sandboxes":[{"name":"prod","isDefault":true},{"name":"dev"}]}');
    expect((await platformApi.sandboxes.listSandboxes()).map((s) => s.name)).toEqual(['prod', 'dev']);
    platform.intercept({ path: '/data/foundation/sandbox-management/sandboxes/dev', method: 'GET' }).reply(200, '{"name":"dev","state":"active"}');
    expect(await platformApi.sandboxes.getSandbox('dev')).toMatchObject({ name: 'dev', state: 'active' });
    platform.intercept({ path: '/data/foundation/sandbox-management/sandboxes/none', method: 'GET' }).reply(404, '{"status":404,"title":"Sandbox not found","type":"http://ns.adobe.com/aep/errors/SMS-1001-404"}');
    expect(await platformApi.sandboxes.getSandbox('none')).toBeNull();
    platform.intercept({ path: '/data/foundation/sandbox-management/sandboxes/secret', method: 'GET' }).reply(403, '{"status":403,"title":"Forbidden","type":"http://ns.adobe.com/aep/errors/SMS-1002-403"}');
    await expect(platformApi.sandboxes.getSandbox('secret')).rejects.toMatchObject({ status: 403, aepCode: 'SMS-1002-403' });
  });
});
