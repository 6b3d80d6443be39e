import { describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { call, complete, createBatch, createDataset, json, loyaltySchemaId, upload, waitForBatch } from './emulator-batch-helpers.ts';
import { PROFILE, REGISTRY as BASE, fieldGroupBody, registryCaller, schemaBody } from './emulator-registry-helpers.ts';
import type { Json } from './emulator-registry-helpers.ts';

const IDS = 'application/vnd.adobe.xed-id+json';
const RAW = 'application/vnd.adobe.xed+json; version=1';
const FULL = 'application/vnd.adobe.xed-full+json; version=1';

describe('emulator Schema Registry', async () => {
  const emulator = await startEmulator();
  const tenant = emulator.settings.tenantId;

  const call = registryCaller(emulator);
  const fieldGroup = (title: string, fields: Json) => fieldGroupBody(tenant, title, fields);
  const schema = schemaBody;

  function expectShapeA(body: Json, code: string) {
    expect(body.type).toBe(`http://ns.adobe.com/aep/errors/${code}`);
    expect(body.status).toBe(Number(code.slice(-3)));
    expect(body.report).toMatchObject({ registryRequestId: expect.any(String), 'sub-errors': [] });
    expect(body.report.timestamp).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
    expect(body.detail).toBe(body.report['detailed-message']);
  }

  describe('Accept rules', () => {
    it('should refuse a listing without Accept, with an unknown type, or with a version (XDM-1006-400)', async () => {
      for (const accept of [undefined, 'application/json', `${IDS}; version=1`, RAW]) {
        const res = await call('GET', '/tenant/schemas', { accept });
        expect(res.status).toBe(400);
        expectShapeA(res.body, 'XDM-1006-400');
        expect(res.body.title).toBe('Accept header invalid');
      }
    });

    it('should refuse a lookup without a version (XDM-1007-400) and with another version (406)', async () => {
      const missing = await call('GET', `/global/classes/${encodeURIComponent(PROFILE)}`, { accept: 'application/vnd.adobe.xed+json' });
      expect(missing.status).toBe(400);
      expectShapeA(missing.body, 'XDM-1007-400');
      expect(missing.body.detail).toContain('(Version should be specified)');
      expect((await call('GET', `/global/classes/${encodeURIComponent(PROFILE)}`)).status).toBe(400);
      const other = await call('GET', `/global/classes/${encodeURIComponent(PROFILE)}`, { accept: 'application/vnd.adobe.xed+json; version=2' });
      expect(other.status).toBe(406);
    });

    it('should list ids with xed-id and whole resources with xed', async () => {
      const ids = await call('GET', '/global/classes', { accept: IDS });
      expect(ids.status).toBe(200);
      expect(ids.body.results).toContainEqual({ $id: PROFILE, 'meta:altId': '_xdm.context.profile', version: '1.0', title: 'XDM Individual Profile' });
      const full = await call('GET', '/global/classes', { accept: 'application/vnd.adobe.xed+json' });
      expect(full.body.results.find((r: Json) => r.$id === PROFILE).allOf).toBeDefined();
    });

    it('should answer /stats with the tenant id and counts', async () => {
      const stats = await call('GET', '/stats');
      expect(stats.status).toBe(200);
      expect(stats.body).toMatchObject({ tenantId: tenant, imsOrg: emulator.settings.orgId, counts: { schemas: expect.any(Number), mixins: expect.any(Number) } });
    });
  });

  describe('the seed', () => {
    it('should resolve Loyalty Members into one schema with xed-full', async () => {
      const list = await call('GET', '/tenant/schemas', { accept: IDS });
      const loyalty = list.body.results.find((r: Json) => r.title === 'Loyalty Members');
      expect(loyalty.$id).toMatch(new RegExp(`^https://ns\\.adobe\\.com/${tenant}/schemas/[0-9a-f]{32}$`));
      const full = await call('GET', `/tenant/schemas/${loyalty['meta:altId']}`, { accept: FULL });
      expect(full.status).toBe(200);
      expect(full.headers.get('content-type')).toContain('application/vnd.adobe.xed-full+json');
      expect(full.body.allOf).toBeUndefined();
      expect(full.body['meta:class']).toBe(PROFILE);
      const fields = full.body.properties;
      expect(fields._id['meta:xdmType']).toBe('string');
      expect(fields.person.properties.name.properties.firstName['meta:xdmType']).toBe('string');
      expect(fields.person.properties.name['meta:referencedFrom']).toBe('https://ns.adobe.com/xdm/context/person-name');
      expect(fields.personalEmail.properties.address.type).toBe('string');
      expect(fields.identityMap['meta:xdmType']).toBe('map');
      const loyaltyFields = fields[`_${tenant}`].properties.loyalty;
      expect(loyaltyFields.required).toEqual(['loyaltyId']);
      expect(loyaltyFields.properties.loyaltyId['meta:xdmType']).toBe('string');
      expect(loyaltyFields.properties.loyaltyLevel.enum).toEqual(['bronze', 'silver', 'gold', 'platinum']);
      expect(loyaltyFields.properties.loyaltyPoints['meta:xdmType']).toBe('int');
      expect(loyaltyFields.properties.memberSince['meta:xdmType']).toBe('date');
      const raw = await call('GET', `/tenant/schemas/${encodeURIComponent(loyalty.$id)}`, { accept: RAW });
      expect(raw.body.allOf).toHaveLength(5);
      expect(raw.body.properties).toBeUndefined();
      const notext = await call('GET', `/tenant/schemas/${loyalty['meta:altId']}`, { accept: 'application/vnd.adobe.xed-full-notext+json; version=1' });
      expect(notext.body.properties.person.title).toBeUndefined();
      expect(notext.body.title).toBe('Loyalty Members');
    });

    it('should give the same resolved view to other emulator modules', () => {
      const scope = emulator.scopeFor('prod');
      const loyalty = emulator.schemaRegistry.list(scope, 'tenant', 'schemas').find((s) => s.title === 'Loyalty Members')!;
      const resolved = emulator.schemaRegistry.resolveSchema(scope, loyalty['meta:altId']);
      expect(resolved?.properties[`_${tenant}`]?.properties?.loyalty?.properties?.loyaltyPoints?.['meta:xdmType']).toBe('int');
      expect(emulator.schemaRegistry.resolveSchema(scope, 'https://ns.adobe.com/nope/schemas/1')).toBeNull();
    });
  });

  describe('writes', () => {
    it('should create, look up by altId and $id, patch, replace and delete a field group and a schema', async () => {
      const created = await call('POST', '/tenant/fieldgroups', { body: fieldGroup('Hotel Details', { hotelName: { type: 'string', title: 'Hotel Name' } }) });
      expect(created.status).toBe(201);
      const fg = created.body;
      expect(fg.$id).toMatch(new RegExp(`^https://ns\\.adobe\\.com/${tenant}/mixins/[0-9a-f]{32}$`));
      expect(fg).toMatchObject({
        'meta:altId': fg.$id.replace('https://ns.adobe.com/', '_').replaceAll('/', '.'),
        'meta:resourceType': 'mixins',
        version: '1.0',
        'meta:containerId': 'tenant',
        'meta:tenantNamespace': `_${tenant}`,
        'meta:sandboxType': 'production',
        imsOrg: emulator.settings.orgId,
      });
      expect(fg['meta:registryMetadata'].eTag).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof fg['meta:registryMetadata']['repo:createdDate']).toBe('number');
      // The deprecated alias reaches the same resource.
      expect((await call('GET', `/tenant/mixins/${fg['meta:altId']}`, { accept: RAW })).body.$id).toBe(fg.$id);

      const made = await call('POST', '/tenant/schemas', { body: schema('Hotel Guests', fg.$id) });
      expect(made.status).toBe(201);
      const s = made.body;
      expect(s['meta:class']).toBe(PROFILE);
      expect(s['meta:extends']).toEqual(expect.arrayContaining([PROFILE, fg.$id]));
      expect(s.allOf[0]).toEqual({ $ref: PROFILE, type: 'object', 'meta:xdmType': 'object' });
      const byId = await call('GET', `/tenant/schemas/${encodeURIComponent(s.$id)}`, { accept: RAW });
      expect(byId.body['meta:altId']).toBe(s['meta:altId']);

      const patched = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, {
        body: [{ op: 'add', path: `/definitions/main/properties/_${tenant}/properties/stars`, value: { type: 'integer', title: 'Stars', minimum: 0, maximum: 5 } }],
      });
      expect(patched.status).toBe(200);
      expect(patched.body.version).toBe('1.1');
      const full = await call('GET', `/tenant/schemas/${s['meta:altId']}`, { accept: FULL });
      expect(full.body.properties[`_${tenant}`].properties.stars['meta:xdmType']).toBe('byte');

      const replaced = await call('PUT', `/tenant/schemas/${s['meta:altId']}`, { body: { ...schema('Hotel Guests', fg.$id), description: 'changed' } });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ $id: s.$id, description: 'changed', version: '1.1' });

      // A field group a schema uses cannot go first.
      const early = await call('DELETE', `/tenant/fieldgroups/${fg['meta:altId']}`);
      expect(early.status).toBe(400);
      expectShapeA(early.body, 'XDM-1535-400');
      expect((await call('DELETE', `/tenant/schemas/${s['meta:altId']}`)).status).toBe(204);
      const gone = await call('GET', `/tenant/schemas/${s['meta:altId']}`, { accept: RAW });
      expect(gone.status).toBe(404);
      expectShapeA(gone.body, 'XDM-1010-404');
      expect(gone.body.title).toBe('Resource not found');
      expect((await call('DELETE', `/tenant/fieldgroups/${fg['meta:altId']}`)).status).toBe(204);
      expect((await call('DELETE', `/tenant/fieldgroups/${fg['meta:altId']}`)).status).toBe(404);
    });

    it('should create data types and classes and resolve a data type reference', async () => {
      const dt = await call('POST', '/tenant/datatypes', {
        body: { title: 'Room', type: 'object', properties: { number: { type: 'string' }, floor: { type: 'integer' } } },
      });
      expect(dt.status).toBe(201);
      expect(dt.body['meta:resourceType']).toBe('datatypes');
      const cls = await call('POST', '/tenant/classes', {
        body: {
          title: 'Hotel Stay',
          type: 'object',
          description: 'A stay',
          definitions: { stay: { properties: { [`_${tenant}`]: { type: 'object', properties: { room: { $ref: dt.body.$id } } } } } },
          allOf: [{ $ref: 'https://ns.adobe.com/xdm/data/record' }, { $ref: '#/definitions/stay' }],
        },
      });
      expect(cls.status).toBe(201);
      const full = await call('GET', `/tenant/classes/${cls.body['meta:altId']}`, { accept: FULL });
      const room = full.body.properties[`_${tenant}`].properties.room;
      expect(room['meta:referencedFrom']).toBe(dt.body.$id);
      expect(room.properties.floor['meta:xdmType']).toBe('long');
      const noBehavior = await call('POST', '/tenant/classes', { body: { title: 'No Behavior', type: 'object', allOf: [] } });
      expect(noBehavior.status).toBe(400);
    });

    it('should refuse a second resource with the same title (XDM-1521-400), across kinds', async () => {
      const first = await call('POST', '/tenant/fieldgroups', { body: fieldGroup('Unique Title', { a: { type: 'string' } }) });
      expect(first.status).toBe(201);
      const again = await call('POST', '/tenant/datatypes', { body: { title: 'Unique Title', type: 'object', properties: {} } });
      expect(again.status).toBe(400);
      expectShapeA(again.body, 'XDM-1521-400');
      expect(again.body.title).toBe('Title not unique');
      expect(again.body.detail).toContain(first.body.$id);
    });

    it('should refuse custom fields outside the tenant namespace (XDM-1020..1024-400)', async () => {
      const outside = await call('POST', '/tenant/fieldgroups', {
        body: { ...fieldGroup('Outside', {}), definitions: { main: { properties: { loose: { type: 'string' } } } } },
      });
      expect(outside.status).toBe(400);
      expectShapeA(outside.body, 'XDM-1020-400');
      expect(outside.body.title).toBe('Namespace validation error');
      const underscore = await call('POST', '/tenant/fieldgroups', { body: fieldGroup('Underscore', { _secret: { type: 'string' } }) });
      expectShapeA(underscore.body, 'XDM-1022-400');
      const notObject = await call('POST', '/tenant/fieldgroups', {
        body: { ...fieldGroup('Not Object', {}), definitions: { main: { properties: { [`_${tenant}`]: { type: 'string' } } } } },
      });
      expectShapeA(notObject.body, 'XDM-1021-400');
    });

    it('should refuse bad bodies, bad JSON, wrong content types and the global container', async () => {
      const badJson = await call('POST', '/tenant/schemas', { body: '{"title": ' });
      expect(badJson.status).toBe(400);
      expect(badJson.body).toMatchObject({ type: '/placeholder/type/uri', title: 'BadRequestError' });
      const noType = await call('POST', '/tenant/schemas', { body: schema('Typed'), contentType: 'text/plain' });
      expect(noType.body).toEqual({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' });
      const arrayBody = await call('POST', '/tenant/schemas', { body: [] });
      expectShapeA(arrayBody.body, 'XDM-1000-400');
      const noClass = await call('POST', '/tenant/schemas', { body: { title: 'No Class', type: 'object', allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/identitymap' }] } });
      expectShapeA(noClass.body, 'XDM-1000-400');
      const wrongClass = await call('POST', '/tenant/schemas', {
        body: { title: 'Wrong Class', type: 'object', allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/experienceevent' }, { $ref: 'https://ns.adobe.com/xdm/context/identitymap' }] },
      });
      expectShapeA(wrongClass.body, 'XDM-1000-400');
      expect(wrongClass.body.detail).toContain('cannot be used with the class');
      const dangling = await call('POST', '/tenant/schemas', { body: schema('Dangling', `https://ns.adobe.com/${tenant}/mixins/ffff`) });
      expectShapeA(dangling.body, 'XDM-1000-400');
      const unknown = await call('PATCH', `/tenant/schemas/_${tenant}.schemas.ffff`, { body: [] });
      expect(unknown.status).toBe(404);
      const loyalty = (await call('GET', '/tenant/schemas', { accept: IDS })).body.results[0];
      const notPatch = await call('PATCH', `/tenant/schemas/${loyalty['meta:altId']}`, { body: { op: 'add' } });
      expectShapeA(notPatch.body, 'XDM-1529-400');
      const global = await call('POST', '/global/schemas', { body: schema('Global') });
      expect(global.status).toBe(403);
      expectShapeA(global.body, 'XDM-1001-403');
    });

    it('should refuse a JSON Patch that cannot apply, and a removed immutable tag', async () => {
      const s = (await call('POST', '/tenant/schemas', { body: schema('Patch Target', 'https://ns.adobe.com/xdm/context/identitymap') })).body;
      const bad = await call('PATCH', `/tenant/schemas/${s['meta:altId']}`, { body: [{ op: 'remove', path: '/nothing/here' }] });
      expect(bad.status).toBe(400);
      expectShapeA(bad.body, 'XDM-1529-400');
      const tagged = await call('PATCH', `/tenant/schemas/${s['meta:altId']}`, { body: [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }] });
      expect(tagged.status).toBe(200);
      const untag = await call('PATCH', `/tenant/schemas/${s['meta:altId']}`, { body: [{ op: 'remove', path: '/meta:immutableTags' }] });
      expectShapeA(untag.body, 'XDM-1530-400');
    });
  });

  describe('paging', () => {
    it('should page by title with orderby, limit and start, following _page.next', async () => {
      for (const n of [1, 2, 3, 4, 5]) {
        expect((await call('POST', '/tenant/datatypes', { body: { title: `Paged ${n}`, type: 'object', properties: {} } })).status).toBe(201);
      }
      const seen: string[] = [];
      let start: string | null = null;
      for (let i = 0; i < 10; i++) {
        const qs: string = `?orderby=title&limit=2&property=title~^Paged${start === null ? '' : `&start=${encodeURIComponent(start)}`}`;
        const page = await call('GET', `/tenant/datatypes${qs}`, { accept: IDS });
        expect(page.status).toBe(200);
        expect(page.body._page.count).toBe(page.body.results.length);
        seen.push(...page.body.results.map((r: Json) => r.title));
        start = page.body._page.next;
        if (start === null) {
          expect(page.body._links.next).toBeNull();
          break;
        }
        expect(new URL(page.body._links.next.href).searchParams.get('start')).toBe(start);
      }
      expect(seen).toEqual(['Paged 1', 'Paged 2', 'Paged 3', 'Paged 4', 'Paged 5']);
      const desc = await call('GET', '/tenant/datatypes?orderby=-title&property=title~^Paged', { accept: IDS });
      expect(desc.body.results[0].title).toBe('Paged 5');
    });

    it('should refuse limit or start without orderby, and a bad limit', async () => {
      expectShapeA((await call('GET', '/tenant/schemas?limit=2', { accept: IDS })).body, 'XDM-1002-400');
      expectShapeA((await call('GET', '/tenant/schemas?orderby=title&limit=x', { accept: IDS })).body, 'XDM-1002-400');
      const capped = await call('GET', '/tenant/schemas?orderby=title&limit=500', { accept: IDS });
      expect(capped.status).toBe(200);
    });
  });

  describe('schemas holding data', () => {
    it('should accept additive changes and refuse breaking ones after markSchemaInUse', async () => {
      const fg = (
        await call('POST', '/tenant/fieldgroups', {
          body: fieldGroup('Locked Fields', { tier: { type: 'string', enum: ['a', 'b'] }, code: { type: 'string' }, extra: { type: 'string' } }),
        })
      ).body;
      const s = (await call('POST', '/tenant/schemas', { body: schema('Locked Schema', fg.$id) })).body;
      const path = `/definitions/main/properties/_${tenant}/properties`;
      // Before data, anything goes.
      expect((await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, { body: [{ op: 'remove', path: `${path}/extra` }] })).status).toBe(200);

      emulator.schemaRegistry.markSchemaInUse(emulator.scopeFor('prod'), s['meta:altId']);
      expect(emulator.schemaRegistry.isSchemaInUse(emulator.scopeFor('prod'), s.$id)).toBe(true);

      const added = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, {
        body: [
          { op: 'add', path: `${path}/newField`, value: { type: 'string' } },
          { op: 'add', path: `${path}/tier/enum/-`, value: 'c' },
        ],
      });
      expect(added.status).toBe(200);
      for (const ops of [
        [{ op: 'remove', path: `${path}/code` }],
        [{ op: 'replace', path: `${path}/code/type`, value: 'integer' }],
        [{ op: 'replace', path: `${path}/tier/enum`, value: ['a'] }],
        [{ op: 'add', path: `${path}/code/enum`, value: ['x'] }],
      ]) {
        const refused = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, { body: ops });
        expect(refused.status).toBe(400);
        expectShapeA(refused.body, 'XDM-1536-400');
        expect(refused.body.title).toBe('Breaking change not allowed');
      }
      const dropGroup = await call('PATCH', `/tenant/schemas/${s['meta:altId']}`, { body: [{ op: 'remove', path: '/allOf/1' }] });
      expectShapeA(dropGroup.body, 'XDM-1536-400');
      const deleted = await call('DELETE', `/tenant/schemas/${s['meta:altId']}`);
      expectShapeA(deleted.body, 'XDM-1536-400');
      const renamed = await call('PATCH', `/tenant/schemas/${s['meta:altId']}`, { body: [{ op: 'replace', path: '/description', value: 'still fine' }] });
      expect(renamed.status).toBe(200);
    });
  });

  describe('descriptors and unions', () => {
    it('should create, list, look up, replace and delete an identity descriptor', async () => {
      const fg = (await call('POST', '/tenant/fieldgroups', { body: fieldGroup('Identity Fields', { memberId: { type: 'string' } }) })).body;
      const s = (await call('POST', '/tenant/schemas', { body: schema('Identity Schema', fg.$id) })).body;
      const body = {
        '@type': 'xdm:descriptorIdentity',
        'xdm:sourceSchema': s.$id,
        'xdm:sourceVersion': 1,
        'xdm:sourceProperty': `/_${tenant}/memberId`,
        'xdm:namespace': 'Email',
        'xdm:property': 'xdm:code',
        'xdm:isPrimary': true,
      };
      const created = await call('POST', '/tenant/descriptors', { body });
      expect(created.status).toBe(201);
      const id = created.body['@id'];
      expect(id).toMatch(/^[0-9a-f]{40}$/);
      expect(created.body).toMatchObject({ 'meta:containerId': 'tenant', 'xdm:namespace': 'Email', imsOrg: emulator.settings.orgId });

      const secondPrimary = await call('POST', '/tenant/descriptors', { body: { ...body, 'xdm:sourceProperty': '/personID' } });
      expectShapeA(secondPrimary.body, 'XDM-1000-400');
      const missingField = await call('POST', '/tenant/descriptors', { body: { ...body, 'xdm:isPrimary': false, 'xdm:sourceProperty': '/nope' } });
      expectShapeA(missingField.body, 'XDM-1000-400');
      const unknownSchema = await call('POST', '/tenant/descriptors', { body: { ...body, 'xdm:sourceSchema': `https://ns.adobe.com/${tenant}/schemas/none` } });
      expectShapeA(unknownSchema.body, 'XDM-1000-400');

      const ids = await call('GET', '/tenant/descriptors', { accept: 'application/vnd.adobe.xdm-id+json' });
      expect(ids.body).toEqual({ 'xdm:descriptorIdentity': [id] });
      const links = await call('GET', '/tenant/descriptors', { accept: 'application/vnd.adobe.xdm-link+json' });
      expect(links.body['xdm:descriptorIdentity']).toEqual([`/tenant/descriptors/${id}`]);
      const badAccept = await call('GET', '/tenant/descriptors', { accept: IDS });
      expectShapeA(badAccept.body, 'XDM-1008-400');
      expect((await call('GET', `/tenant/descriptors/${id}`)).body['@id']).toBe(id);
      expectShapeA((await call('GET', `/tenant/descriptors/${id}`, { accept: RAW })).body, 'XDM-1009-400');

      const replaced = await call('PUT', `/tenant/descriptors/${id}`, { body: { ...body, 'xdm:namespace': 'ECID' } });
      expect(replaced).toMatchObject({ status: 201, body: { '@id': id } });
      expect((await call('GET', `/tenant/descriptors/${id}`)).body['xdm:namespace']).toBe('ECID');
      expect((await call('DELETE', `/tenant/descriptors/${id}`)).status).toBe(204);
      const gone = await call('GET', `/tenant/descriptors/${id}`);
      expect(gone.status).toBe(404);
      expectShapeA(gone.body, 'XDM-1014-404');
    });

    it('should build the Profile union from schemas tagged union', async () => {
      const loyalty = (await call('GET', '/tenant/schemas?property=title==Loyalty Members', { accept: IDS })).body.results[0];
      const tagged = await call('PATCH', `/tenant/schemas/${loyalty['meta:altId']}`, { body: [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }] });
      expect(tagged.status).toBe(200);
      const unions = await call('GET', '/tenant/unions', { accept: IDS });
      expect(unions.body.results).toEqual([expect.objectContaining({ $id: `${PROFILE}__union`, 'meta:altId': '_xdm.context.profile__union' })]);
      const union = await call('GET', '/tenant/unions/_xdm.context.profile__union', { accept: FULL });
      expect(union.status).toBe(200);
      expect(union.body.properties[`_${tenant}`].properties.loyalty.properties.loyaltyId['meta:xdmType']).toBe('string');
      expect((await call('GET', '/stats')).body.counts.unions).toBe(1);
    });
  });

  describe('sandbox isolation', () => {
    it('should keep resources of one sandbox invisible in another', async () => {
      const made = await call('POST', '/tenant/datatypes', { sandbox: 'dev', body: { title: 'Dev Only', type: 'object', properties: {} } });
      expect(made.status).toBe(201);
      expect(made.body['meta:sandboxType']).toBe('development');
      const inDev = await call('GET', `/tenant/datatypes/${made.body['meta:altId']}`, { sandbox: 'dev', accept: RAW });
      expect(inDev.status).toBe(200);
      const inProd = await call('GET', `/tenant/datatypes/${made.body['meta:altId']}`, { sandbox: 'prod', accept: RAW });
      expect(inProd.status).toBe(404);
      const prodList = await call('GET', '/tenant/datatypes', { sandbox: 'prod', accept: IDS });
      expect(prodList.body.results.map((r: Json) => r.title)).not.toContain('Dev Only');
      // Titles are unique per sandbox, not across sandboxes.
      expect((await call('POST', '/tenant/datatypes', { sandbox: 'prod', body: { title: 'Dev Only', type: 'object', properties: {} } })).status).toBe(201);
    });
  });
});

describe('emulator Schema Registry after ingestion', async () => {
  const emulator = await startEmulator({ processingDelayMs: 0 });
  const tenant = emulator.settings.tenantId;

  it('should lock the schema of a dataset once a batch succeeded: additive changes only', async () => {
    const schemaId = await loyaltySchemaId(emulator);
    const datasetId = await createDataset(emulator, schemaId);
    const patchLoyaltyDetails = async (ops: unknown[]) => {
      const groups = await json<{ results: Array<{ 'meta:altId': string; title: string }> }>(
        call(emulator, 'GET', `${BASE}/tenant/fieldgroups`, { headers: { accept: IDS } }),
      );
      const group = groups.results.find((g) => g.title === 'Loyalty Details')!;
      return call(emulator, 'PATCH', `${BASE}/tenant/fieldgroups/${group['meta:altId']}`, { body: ops });
    };
    const enumPath = `/definitions/loyalty/properties/_${tenant}/properties/loyalty/properties/loyaltyLevel/enum`;

    // No data yet: narrowing is still allowed (and undone).
    expect((await patchLoyaltyDetails([{ op: 'replace', path: enumPath, value: ['bronze', 'silver', 'gold'] }])).status).toBe(200);
    expect((await patchLoyaltyDetails([{ op: 'add', path: `${enumPath}/-`, value: 'platinum' }])).status).toBe(200);

    const batchId = await createBatch(emulator, datasetId);
    const row = { _id: 'r1', personID: 'p1', [`_${tenant}`]: { loyalty: { loyaltyId: 'L-1', loyaltyLevel: 'gold', loyaltyPoints: 10 } } };
    expect((await upload(emulator, batchId, datasetId, 'rows.json', `${JSON.stringify(row)}\n`)).status).toBe(200);
    await complete(emulator, batchId);
    expect((await waitForBatch(emulator, batchId)).batch.status).toBe('success');
    expect(emulator.schemaRegistry.isSchemaInUse(emulator.scopeFor('prod'), schemaId)).toBe(true);

    const narrowed = await patchLoyaltyDetails([{ op: 'replace', path: enumPath, value: ['bronze', 'silver', 'gold'] }]);
    expect(narrowed.status).toBe(400);
    expect(narrowed.json()).toMatchObject({ type: 'http://ns.adobe.com/aep/errors/XDM-1536-400', title: 'Breaking change not allowed' });
    const added = await patchLoyaltyDetails([
      { op: 'add', path: `/definitions/loyalty/properties/_${tenant}/properties/loyalty/properties/tier`, value: { type: 'string', title: 'Tier' } },
    ]);
    expect(added.status).toBe(200);
  });
});
