// The emulator's Schema Registry and Sandbox responses, validated against the
// response schemas of Adobe's OpenAPI documents. Where a document is wrong or
// silent, the comment says so and only that part is left out of validation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../helpers/openapi-contract.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { PROFILE, registryCaller } from './emulator-registry-helpers.ts';
import type { Json } from './emulator-registry-helpers.ts';

const IDS = 'application/vnd.adobe.xed-id+json';
const RAW = 'application/vnd.adobe.xed+json; version=1';
const FULL = 'application/vnd.adobe.xed-full+json; version=1';

/**
 * schema-registry.yaml types `_page.next`, `_page.orderby` and `_links.next`
 * as strings, but the documented responses (platform-api.md §2.3) send
 * `null` on the last page and without orderby, and a `{href}` link otherwise.
 * Those three members are left out of validation.
 */
function withoutPagingNulls(body: Json): Json {
  const { next: _next, orderby: _orderby, ...page } = body._page ?? {};
  const { next: _link, ...links } = body._links ?? {};
  return { ...body, _page: page, _links: links };
}

describe('emulator contract: Schema Registry (schema-registry.yaml, Swagger 2.0)', async () => {
  const emulator = await startEmulator();
  const contract = loadContract('schema-registry');
  const tenant = emulator.settings.tenantId;

  const call = registryCaller(emulator);

  it('should have a contract that rejects wrong bodies (the checks are not vacuous)', () => {
    expect(contract.check('GET', '/stats', 200, { tenantId: 42 })).toContain('/tenantId');
    expect(contract.check('GET', '/{CONTAINER_ID}/schemas', 200, { results: [{ version: 1 }] })).not.toBeNull();
    expect(contract.check('GET', '/{CONTAINER_ID}/schemas/{SCHEMA_ID}', 200, { 'meta:extends': 'x' })).not.toBeNull();
  });

  it('should match statsResponse for /stats', async () => {
    const { status, body } = await call('GET', '/stats');
    expect(status).toBe(200);
    expect(contract.check('GET', '/stats', 200, body)).toBeNull();
  });

  it('should match the listing responses', async () => {
    for (const [segment, template] of [
      ['schemas', '/{CONTAINER_ID}/schemas'],
      ['fieldgroups', '/{CONTAINER_ID}/fieldgroups'],
      ['mixins', '/{CONTAINER_ID}/mixins'],
      ['classes', '/{CONTAINER_ID}/classes'],
      ['datatypes', '/{CONTAINER_ID}/datatypes'],
    ] as const) {
      for (const container of ['tenant', 'global']) {
        for (const accept of [IDS, 'application/vnd.adobe.xed+json']) {
          const { status, body } = await call('GET', `/${container}/${segment}?orderby=title&limit=1`, { accept });
          expect(status).toBe(200);
          expect(contract.check('GET', template, 200, withoutPagingNulls(body)), `${container}/${segment} ${accept}`).toBeNull();
        }
      }
    }
    const behaviors = await call('GET', '/global/behaviors', { accept: IDS });
    expect(contract.check('GET', '/global/behaviors', 200, withoutPagingNulls(behaviors.body))).toBeNull();
  });

  it('should match the lookup responses, raw and resolved', async () => {
    const loyalty = (await call('GET', '/tenant/schemas', { accept: IDS })).body.results[0];
    const fieldGroup = (await call('GET', '/tenant/fieldgroups', { accept: IDS })).body.results[0];
    for (const accept of [RAW, FULL]) {
      const schema = await call('GET', `/tenant/schemas/${loyalty['meta:altId']}`, { accept });
      expect(contract.check('GET', '/{CONTAINER_ID}/schemas/{SCHEMA_ID}', 200, schema.body)).toBeNull();
      const group = await call('GET', `/tenant/fieldgroups/${fieldGroup['meta:altId']}`, { accept });
      expect(contract.check('GET', '/{CONTAINER_ID}/fieldgroups/{FIELD_GROUP_ID}', 200, group.body)).toBeNull();
      const cls = await call('GET', `/global/classes/${encodeURIComponent(PROFILE)}`, { accept });
      expect(contract.check('GET', '/{CONTAINER_ID}/classes/{CLASS_ID}', 200, cls.body)).toBeNull();
      const datatype = await call('GET', `/global/datatypes/_xdm.context.person-name`, { accept });
      expect(contract.check('GET', '/{CONTAINER_ID}/datatypes/{DATA_TYPE_ID}', 200, datatype.body)).toBeNull();
      const behavior = await call('GET', `/global/behaviors/_xdm.data.record`, { accept });
      expect(contract.check('GET', '/global/behaviors/{BEHAVIOR_ID}', 200, behavior.body)).toBeNull();
    }
  });

  it('should match the create, replace and patch responses', async () => {
    const datatype = await call('POST', '/tenant/datatypes', { body: { title: 'Contract Type', type: 'object', properties: { a: { type: 'string' } } } });
    expect(datatype.status).toBe(201);
    expect(contract.check('POST', '/tenant/datatypes', 201, datatype.body)).toBeNull();
    const group = await call('POST', '/tenant/fieldgroups', {
      body: {
        title: 'Contract Group',
        type: 'object',
        'meta:intendedToExtend': [PROFILE],
        definitions: { main: { properties: { [`_${tenant}`]: { type: 'object', properties: { b: { $ref: datatype.body.$id } } } } } },
        allOf: [{ $ref: '#/definitions/main' }],
      },
    });
    expect(contract.check('POST', '/tenant/fieldgroups', 201, group.body)).toBeNull();
    const schemaBody = { title: 'Contract Schema', type: 'object', description: 'd', allOf: [{ $ref: PROFILE }, { $ref: group.body.$id }] };
    const schema = await call('POST', '/tenant/schemas', { body: schemaBody });
    expect(contract.check('POST', '/tenant/schemas', 201, schema.body)).toBeNull();
    const cls = await call('POST', '/tenant/classes', {
      body: { title: 'Contract Class', type: 'object', description: 'c', allOf: [{ $ref: 'https://ns.adobe.com/xdm/data/record' }] },
    });
    expect(contract.check('POST', '/tenant/classes', 201, cls.body)).toBeNull();

    const id = schema.body['meta:altId'];
    const put = await call('PUT', `/tenant/schemas/${id}`, { body: { ...schemaBody, description: 'put' } });
    expect(contract.check('PUT', '/tenant/schemas/{SCHEMA_ID}', 200, put.body)).toBeNull();
    const patch = await call('PATCH', `/tenant/schemas/${id}`, { body: [{ op: 'replace', path: '/description', value: 'patched' }] });
    expect(contract.check('PATCH', '/tenant/schemas/{SCHEMA_ID}', 200, patch.body)).toBeNull();
    const patchGroup = await call('PATCH', `/tenant/fieldgroups/${group.body['meta:altId']}`, { body: [{ op: 'replace', path: '/description', value: 'p' }] });
    expect(contract.check('PATCH', '/tenant/fieldgroups/{FIELD_GROUP_ID}', 200, patchGroup.body)).toBeNull();
    const patchType = await call('PATCH', `/tenant/datatypes/${datatype.body['meta:altId']}`, { body: [{ op: 'replace', path: '/description', value: 'p' }] });
    expect(contract.check('PATCH', '/tenant/datatypes/{DATA_TYPE_ID}', 200, patchType.body)).toBeNull();
    const patchClass = await call('PATCH', `/tenant/classes/${cls.body['meta:altId']}`, { body: [{ op: 'replace', path: '/description', value: 'p' }] });
    expect(contract.check('PATCH', '/tenant/classes/{CLASS_ID}', 200, patchClass.body)).toBeNull();
  });

  /**
   * schema-registry.yaml types `xdm:sourceVersion` as a string, while its own
   * examples and the descriptor guide send the number 1 (as the emulator
   * does). That member is checked to be 1 and left out of validation.
   */
  function withoutSourceVersion(descriptor: Json): Json {
    const { 'xdm:sourceVersion': version, ...rest } = descriptor;
    expect(version).toBe(1);
    return rest;
  }

  it('should match the descriptor and union responses', async () => {
    const loyalty = (await call('GET', '/tenant/schemas', { accept: IDS })).body.results[0];
    const created = await call('POST', '/tenant/descriptors', {
      body: {
        '@type': 'xdm:descriptorIdentity',
        'xdm:sourceSchema': loyalty.$id,
        'xdm:sourceVersion': 1,
        'xdm:sourceProperty': `/_${tenant}/loyalty/loyaltyId`,
        'xdm:namespace': 'Email',
        'xdm:property': 'xdm:code',
        'xdm:isPrimary': true,
      },
    });
    expect(created.status).toBe(201);
    expect(contract.check('POST', '/tenant/descriptors', 201, withoutSourceVersion(created.body))).toBeNull();
    const one = await call('GET', `/tenant/descriptors/${created.body['@id']}`);
    expect(contract.check('GET', '/{CONTAINER_ID}/descriptors/{DESCRIPTOR_ID}', 200, withoutSourceVersion(one.body))).toBeNull();
    const all = await call('GET', '/tenant/descriptors', { accept: 'application/vnd.adobe.xdm+json' });
    const grouped = { 'xdm:descriptorIdentity': all.body['xdm:descriptorIdentity'].map(withoutSourceVersion) };
    expect(contract.check('GET', '/{CONTAINER_ID}/descriptors', 200, grouped)).toBeNull();
    await call('PATCH', `/tenant/schemas/${loyalty['meta:altId']}`, { body: [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }] });
    const unions = await call('GET', '/tenant/unions', { accept: IDS });
    expect(contract.check('GET', '/tenant/unions', 200, withoutPagingNulls(unions.body))).toBeNull();
    const union = await call('GET', '/tenant/unions/_xdm.context.profile__union', { accept: FULL });
    expect(contract.check('GET', '/tenant/unions/{UNION_ID}', 200, union.body)).toBeNull();
  });

  it('should match the Accept error responses and the error shape', async () => {
    const list = await call('GET', '/tenant/schemas', { accept: RAW });
    expect(list.status).toBe(400);
    expect(contract.check('GET', '/{CONTAINER_ID}/schemas', 400, list.body)).toBeNull();
    const lookup = await call('GET', `/global/classes/${encodeURIComponent(PROFILE)}`, { accept: 'application/vnd.adobe.xed+json' });
    expect(contract.check('GET', '/{CONTAINER_ID}/classes/{CLASS_ID}', 400, lookup.body)).toBeNull();
    // The 404 response documents no schema; the registry's errors all share errorBasic.
    const missing = await call('GET', `/tenant/schemas/_${tenant}.schemas.none`, { accept: RAW });
    expect(missing.status).toBe(404);
    expect(contract.checkSchema('errorBasic', missing.body)).toBeNull();
  });
});

describe('emulator contract: Sandbox Management (sandbox.yaml, OpenAPI 3)', async () => {
  const emulator = await startEmulator();
  const contract = loadContract('sandbox');
  const get = async (path: string) => {
    const res = await fetch(`${emulator.url}/data/foundation${path}`, { headers: await emulator.headers() });
    return (await res.json()) as Json;
  };

  /**
   * sandbox.yaml declares createdDate/lastModifiedDate as `format: date-time`,
   * but Adobe's Sandbox API guide shows them as "2019-09-04 04:57:24" (no T,
   * no zone), which is what the emulator sends. Those two members are checked
   * against the documented form here and left out of schema validation.
   */
  function withoutDates(sandbox: Json): Json {
    const { createdDate, lastModifiedDate, ...rest } = sandbox;
    for (const date of [createdDate, lastModifiedDate]) expect(date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    return rest;
  }
  const listWithoutDates = (body: Json) => ({ ...body, sandboxes: body.sandboxes.map(withoutDates) });

  it('should match ListAvailableSandboxes, ListSandboxes and RetrieveSandbox', async () => {
    expect(contract.check('GET', '/sandbox-management/', 200, listWithoutDates(await get('/sandbox-management/')))).toBeNull();
    const page = await get('/sandbox-management/sandboxes?limit=1&offset=0');
    expect(contract.check('GET', '/sandbox-management/sandboxes', 200, listWithoutDates(page))).toBeNull();
    const one = await get('/sandbox-management/sandboxes/dev');
    expect(contract.check('GET', '/sandbox-management/sandboxes/{sandboxName}', 200, withoutDates(one))).toBeNull();
  });
});

describe('emulator OpenAPI documents', async () => {
  const emulator = await startEmulator();

  it('should serve the five documents unchanged, with an index and no credentials', async () => {
    const index = (await (await fetch(`${emulator.url}/openapi/`)).json()) as { documents: Array<{ name: string; href: string }> };
    expect(index.documents.map((d) => d.name).sort()).toEqual(['batch-ingestion', 'catalog', 'data-access', 'sandbox', 'schema-registry']);
    for (const { name, href } of index.documents) {
      const res = await fetch(href);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('yaml');
      const served = Buffer.from(await res.arrayBuffer());
      expect(served.equals(readFileSync(new URL(`../../src/emulator/openapi/${name}.yaml`, import.meta.url))), name).toBe(true);
    }
    expect((await fetch(`${emulator.url}/openapi/other.yaml`)).status).toBe(404);
    expect((await fetch(`${emulator.url}/openapi/..%2Femulator.sqlite`)).status).toBe(404);
  });
});
