import { afterEach, describe, expect, it } from 'vitest';
import { containerOf } from '../../../src/platform/schema-registry.ts';
import { SCOPE, headerObject, mockPlatform, type MockPlatform } from './mock-platform.ts';

const mocks: MockPlatform[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.agent.close()));
});
function setup() {
  const mock = mockPlatform();
  mocks.push(mock);
  return { ...mock, registry: mock.client.scoped(SCOPE).schemaRegistry };
}
const R = '/data/foundation/schemaregistry';
const schema = (id: string) => ({ $id: id, 'meta:altId': '_x', version: '1.0', title: 'T' });

describe('schema registry', () => {
  it('should list with the id media type and no version', async () => {
    const { platform, registry } = setup();
    let accept: string | undefined;
    platform.intercept({ path: `${R}/tenant/schemas`, method: 'GET' }).reply((opts) => {
      accept = headerObject(opts.headers).accept;
      return { statusCode: 200, data: JSON.stringify({ results: [schema('a')], _page: { next: null, count: 1 }, _links: { next: null } }) };
    });
    const page = await registry.listSchemas({ container: 'tenant' });
    expect(accept).toBe('application/vnd.adobe.xed-id+json');
    expect(page.results).toHaveLength(1);
  });

  it('should send orderby with start and limit, defaulting it to title', async () => {
    const { platform, registry } = setup();
    platform.intercept({ path: `${R}/global/schemas?orderby=title&start=Hotels&limit=2`, method: 'GET' }).reply(200, '{"results":[],"_page":{"next":null,"count":0},"_links":{"next":null}}');
    await registry.listSchemas({ container: 'global', start: 'Hotels', limit: 2 });
    platform.intercept({ path: `${R}/global/schemas?orderby=-title&limit=5`, method: 'GET' }).reply(200, '{"results":[],"_page":{"next":null,"count":0},"_links":{"next":null}}');
    await registry.listSchemas({ container: 'global', orderby: '-title', limit: 5 });
  });

  it('should follow _page.next through every page', async () => {
    const { platform, registry, calls } = setup();
    const page = (ids: string[], next: string | null) => JSON.stringify({ results: ids.map(schema), _page: { orderby: 'title', next, count: ids.length }, _links: { next: next ? { href: 'x' } : null } });
    platform.intercept({ path: `${R}/tenant/schemas?orderby=title&limit=2`, method: 'GET' }).reply(200, page(['a', 'b'], 'B'));
    platform.intercept({ path: `${R}/tenant/schemas?orderby=title&start=B&limit=2`, method: 'GET' }).reply(200, page(['c', 'd'], 'D'));
    platform.intercept({ path: `${R}/tenant/schemas?orderby=title&start=D&limit=2`, method: 'GET' }).reply(200, page(['e'], null));
    const all = await registry.listAllSchemas({ container: 'tenant', orderby: 'title', limit: 2 });
    expect(all.map((s) => s.$id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(calls).toHaveLength(3);
  });

  it('should stop when the server repeats a page token', async () => {
    const { platform, registry } = setup();
    const page = JSON.stringify({ results: [schema('a')], _page: { next: 'A', count: 1 }, _links: { next: null } });
    platform.intercept({ path: (p) => p.startsWith(`${R}/tenant/schemas`), method: 'GET' }).reply(200, page).persist();
    expect(await registry.listAllSchemas({ container: 'tenant' })).toHaveLength(2);
  });

  it('should look up by encoded $id with xed-full, raw xed, or give null on 404', async () => {
    const { platform, registry } = setup();
    const id = 'https://ns.adobe.com/aeplocal/schemas/abc';
    const accepts: string[] = [];
    platform
      .intercept({ path: `${R}/tenant/schemas/${encodeURIComponent(id)}`, method: 'GET' })
      .reply((opts) => {
        accepts.push(headerObject(opts.headers).accept!);
        return { statusCode: 200, data: JSON.stringify(schema(id)) };
      })
      .times(2);
    expect(await registry.getSchema(id, { full: true })).toMatchObject({ $id: id });
    await registry.getSchema(id);
    expect(accepts).toEqual(['application/vnd.adobe.xed-full+json; version=1', 'application/vnd.adobe.xed+json; version=1']);

    platform
      .intercept({ path: `${R}/tenant/schemas/_aeplocal.schemas.missing`, method: 'GET' })
      .reply(404, JSON.stringify({ type: 'http://ns.adobe.com/aep/errors/XDM-1010-404', title: 'Resource not found', status: 404 }));
    expect(await registry.getSchema('_aeplocal.schemas.missing')).toBeNull();
  });

  it('should send Adobe standard resources to the global container', async () => {
    const { platform, registry } = setup();
    platform.intercept({ path: `${R}/global/classes/${encodeURIComponent('https://ns.adobe.com/xdm/context/profile')}`, method: 'GET' }).reply(200, JSON.stringify(schema('p')));
    expect(await registry.getClass('https://ns.adobe.com/xdm/context/profile')).toMatchObject({ $id: 'p' });
    platform.intercept({ path: `${R}/tenant/fieldgroups/_xdm.context.profile-person-details`, method: 'GET' }).reply(200, JSON.stringify(schema('f')));
    expect(await registry.getFieldGroup('_xdm.context.profile-person-details', { container: 'tenant' })).toMatchObject({ $id: 'f' });
    expect(containerOf('_xdm.context.profile')).toBe('global');
    expect(containerOf('_aeplocal.schemas.1')).toBe('tenant');
  });

  it('should create and patch as application/json, surfacing shape A errors', async () => {
    const { platform, registry, calls } = setup();
    const sent: Array<[string, string | undefined, unknown]> = [];
    platform
      .intercept({ path: (p) => p.startsWith(`${R}/tenant/`), method: (m) => m === 'POST' || m === 'PATCH' })
      .reply((opts) => {
        sent.push([`${opts.method} ${opts.path}`, headerObject(opts.headers)['content-type'], JSON.parse(String(opts.body))]);
        return { statusCode: opts.method === 'POST' ? 201 : 200, data: JSON.stringify(schema('s')) };
      })
      .times(4);
    await registry.createSchema({ title: 'T' });
    await registry.patchSchema('_aeplocal.schemas.1', [{ op: 'add', path: '/allOf/-', value: { $ref: 'x' } }]);
    await registry.createFieldGroup({ title: 'F' });
    await registry.patchFieldGroup('https://ns.adobe.com/aeplocal/mixins/1', [{ op: 'remove', path: '/x' }]);
    expect(sent.map(([what, type]) => `${what} ${type}`)).toEqual([
      `POST ${R}/tenant/schemas application/json`,
      `PATCH ${R}/tenant/schemas/_aeplocal.schemas.1 application/json`,
      `POST ${R}/tenant/fieldgroups application/json`,
      `PATCH ${R}/tenant/fieldgroups/https%3A%2F%2Fns.adobe.com%2Faeplocal%2Fmixins%2F1 application/json`,
    ]);
    platform.intercept({ path: `${R}/tenant/schemas`, method: 'POST' }).reply(503, '');
    await expect(registry.createSchema({ title: 'T' })).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(5);
    platform.intercept({ path: `${R}/tenant/schemas`, method: 'POST' }).reply(400, JSON.stringify({ type: 'http://ns.adobe.com/aep/errors/XDM-1521-400', title: 'Title not unique', status: 400, report: { registryRequestId: 'r1', 'detailed-message': 'Object titles must be unique.' }, detail: 'Object titles must be unique.' }));
    await expect(registry.createSchema({ title: 'T' })).rejects.toMatchObject({ status: 400, aepCode: 'XDM-1521-400', requestId: 'r1' });
  });

  it('should read the tenant id from /stats', async () => {
    const { platform, registry } = setup();
    platform.intercept({ path: `${R}/stats`, method: 'GET' }).reply(200, '{"imsOrg":"o","tenantId":"aeplocal","counts":{}}');
    expect(await registry.getTenantId()).toBe('aeplocal');
    platform.intercept({ path: `${R}/stats`, method: 'GET' }).reply(200, '{}');
    await expect(registry.getTenantId()).rejects.toThrow('tenantId');
  });
});
