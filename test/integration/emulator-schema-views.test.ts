// The Schema Registry's descriptor views and field deprecation over plain
// HTTP (platform-api.md §2.2, §2.13): `xed-full-desc` embeds a schema's
// descriptors under `meta:descriptors`, `xed-deprecatefield` marks the
// fields a deprecation descriptor names, and a custom field is deprecated by
// a PATCH that sets `meta:status: "deprecated"`, also on a schema holding data.
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { IMPORT, call as platformCall, complete, createBatch, createDataset, upload, waitForBatch } from './emulator-batch-helpers.ts';
import { PROFILE, fieldGroupBody, registryCaller, schemaBody } from './emulator-registry-helpers.ts';
import type { Json } from './emulator-registry-helpers.ts';

const FULL = 'application/vnd.adobe.xed-full+json; version=1';
const FULL_DESC = 'application/vnd.adobe.xed-full-desc+json; version=1';
const DEPRECATE_FIELD = 'application/vnd.adobe.xed-deprecatefield+json; version=1';
const RAW = 'application/vnd.adobe.xed+json; version=1';

describe('emulator Schema Registry views and field deprecation', async () => {
  const emulator = await startEmulator({ processingDelayMs: 10 });
  const tenant = emulator.settings.tenantId;

  const call = registryCaller(emulator);

  async function created(path: string, body: unknown): Promise<Json> {
    const res = await call('POST', path, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  const fieldGroup = (title: string, fields: Json) => fieldGroupBody(tenant, title, fields);
  const schemaOf = schemaBody;

  const lookup = async (id: string, accept: string) => {
    const res = await call('GET', `/tenant/schemas/${encodeURIComponent(id)}`, { accept });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('should embed a schema’s descriptors on their fields and at the root with xed-full-desc, and only there', async () => {
    const fg = await created('/tenant/fieldgroups', fieldGroup('Desc Fields', { crmId: { title: 'CRM ID', type: 'string' } }));
    const schema = await created('/tenant/schemas', schemaOf('Desc Schema', fg.$id));
    const identity = await created('/tenant/descriptors', {
      '@type': 'xdm:descriptorIdentity',
      'xdm:sourceSchema': schema.$id,
      'xdm:sourceVersion': 1,
      'xdm:sourceProperty': `/_${tenant}/crmId`,
      'xdm:namespace': 'CRMID',
      'xdm:property': 'xdm:code',
      'xdm:isPrimary': true,
    });
    const displayName = await created('/tenant/descriptors', {
      '@type': 'xdm:alternateDisplayInfo',
      'xdm:sourceSchema': schema.$id,
      'xdm:sourceVersion': 1,
      'xdm:title': { en_us: 'Members' },
    });
    // A descriptor of another schema stays out.
    const other = await created('/tenant/schemas', schemaOf('Other Desc Schema'));
    await created('/tenant/descriptors', { '@type': 'xdm:descriptorIdentity', 'xdm:sourceSchema': other.$id, 'xdm:sourceProperty': '/personID', 'xdm:namespace': 'Email' });

    const res = await call('GET', `/tenant/schemas/${schema['meta:altId']}`, { accept: FULL_DESC });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(FULL_DESC);
    expect(res.body['meta:descriptors']).toEqual([displayName]);
    expect(res.body.properties[`_${tenant}`].properties.crmId).toMatchObject({ type: 'string', 'meta:xdmType': 'string', 'meta:descriptors': [identity] });
    expect(res.body.properties.personID['meta:descriptors']).toBeUndefined();
    // The other views and a field group lookup carry none.
    for (const accept of [FULL, DEPRECATE_FIELD]) expect(JSON.stringify(await lookup(schema.$id, accept))).not.toContain('meta:descriptors');
    const group = await call('GET', `/tenant/fieldgroups/${fg['meta:altId']}`, { accept: FULL_DESC });
    expect(JSON.stringify(group.body)).not.toContain('meta:descriptors');
    // A descriptor whose field went away has nowhere to go.
    const patched = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, {
      body: [{ op: 'remove', path: `/definitions/main/properties/_${tenant}/properties/crmId` }],
    });
    expect(patched.status).toBe(200);
    const after = await lookup(schema.$id, FULL_DESC);
    expect(after.properties[`_${tenant}`]?.properties?.crmId).toBeUndefined();
    expect(after['meta:descriptors']).toEqual([displayName]);
  });

  it('should deprecate a custom field with a PATCH, show it in every view, and keep taking data for it', async () => {
    const fg = await created('/tenant/fieldgroups', fieldGroup('Deprecation Fields', { faxNumber: { title: 'Fax', type: 'string' }, phone: { type: 'string' } }));
    const schema = await created('/tenant/schemas', schemaOf('Deprecation Schema', fg.$id));
    const datasetId = await createDataset(emulator, schema.$id, 'Deprecation Dataset');
    const ingest = async (row: Json) => {
      const batchId = await createBatch(emulator, datasetId);
      expect((await upload(emulator, batchId, datasetId, 'rows.json', JSON.stringify(row))).status).toBe(200);
      await complete(emulator, batchId);
      return (await waitForBatch(emulator, batchId)).batch;
    };
    expect((await ingest({ personID: 'p1', [`_${tenant}`]: { faxNumber: '555' } })).status).toBe('success');
    expect(emulator.schemaRegistry.isSchemaInUse(emulator.scopeFor('prod'), schema.$id)).toBe(true);

    // The schema holds data: deprecating is allowed all the same (it is not a breaking change).
    const path = `/definitions/main/properties/_${tenant}/properties/faxNumber/meta:status`;
    const deprecated = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, { body: [{ op: 'add', path, value: 'deprecated' }] });
    expect(deprecated.status).toBe(200);
    expect(deprecated.body.version).toBe('1.1');
    expect(deprecated.body.definitions.main.properties[`_${tenant}`].properties.faxNumber).toEqual({ title: 'Fax', type: 'string', 'meta:status': 'deprecated' });
    for (const accept of [FULL, FULL_DESC, DEPRECATE_FIELD]) {
      const fields = (await lookup(schema.$id, accept)).properties[`_${tenant}`].properties;
      expect(fields.faxNumber['meta:status'], accept).toBe('deprecated');
      expect(fields.phone['meta:status'], accept).toBeUndefined();
    }
    expect((await ingest({ personID: 'p2', [`_${tenant}`]: { faxNumber: '556' } })).status).toBe('success');

    // A status the standard does not know is refused; so is a deprecated field's removal once data exists.
    const wrong = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, { body: [{ op: 'replace', path, value: 'retired' }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({
      type: 'http://ns.adobe.com/aep/errors/XDM-1000-400',
      title: 'Invalid request payload',
      detail: `meta:status of #/definitions/main/_${tenant}/faxNumber must be one of stable, experimental, deprecated.`,
    });
    const removed = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, {
      body: [{ op: 'remove', path: `/definitions/main/properties/_${tenant}/properties/faxNumber` }],
    });
    expect(removed.body.type).toBe('http://ns.adobe.com/aep/errors/XDM-1536-400');
    // Undeprecating is a non-breaking change too.
    const restored = await call('PATCH', `/tenant/fieldgroups/${fg['meta:altId']}`, { body: [{ op: 'remove', path }] });
    expect(restored.status).toBe(200);
    expect((await lookup(schema.$id, FULL)).properties[`_${tenant}`].properties.faxNumber['meta:status']).toBeUndefined();
  });

  it('should deprecate standard fields of one schema through xdm:descriptorDeprecated, shown only by xed-deprecatefield', async () => {
    const schema = await created('/tenant/schemas', {
      ...schemaOf('Standard Deprecations'),
      allOf: [{ $ref: PROFILE }, { $ref: 'https://ns.adobe.com/xdm/context/profile-personal-details' }],
    });
    const descriptor = await created('/tenant/descriptors', {
      '@type': 'xdm:descriptorDeprecated',
      'xdm:sourceSchema': schema.$id,
      'xdm:sourceVersion': 1,
      'xdm:sourceProperty': ['/mobilePhone', '/homeAddress/city'],
    });
    expect(descriptor).toMatchObject({ '@type': 'xdm:descriptorDeprecated', 'xdm:sourceProperty': ['/mobilePhone', '/homeAddress/city'], 'meta:containerId': 'tenant' });
    const view = await lookup(schema.$id, DEPRECATE_FIELD);
    expect(view.properties.mobilePhone['meta:status']).toBe('deprecated');
    expect(view.properties.homeAddress.properties.city['meta:status']).toBe('deprecated');
    expect(view.properties.homeAddress['meta:status']).toBeUndefined();
    expect(view.properties.homeAddress.properties.street1['meta:status']).toBeUndefined();
    const full = await lookup(schema.$id, FULL);
    expect(full.properties.mobilePhone['meta:status']).toBeUndefined();
    // The raw view keeps the schema as stored.
    expect(JSON.stringify(await lookup(schema.$id, RAW))).not.toContain('deprecated');
    // The standard field group itself is unchanged for every other schema.
    const global = await call('GET', `/global/fieldgroups/${encodeURIComponent('https://ns.adobe.com/xdm/context/profile-personal-details')}`, { accept: FULL });
    expect(JSON.stringify(global.body)).not.toContain('deprecated');

    for (const sourceProperty of [[], ['/nope'], ['mobilePhone'], [42]]) {
      const bad = await call('POST', '/tenant/descriptors', { body: { '@type': 'xdm:descriptorDeprecated', 'xdm:sourceSchema': schema.$id, 'xdm:sourceProperty': sourceProperty } });
      expect(bad.status, JSON.stringify(sourceProperty)).toBe(400);
      expect(bad.body.type).toBe('http://ns.adobe.com/aep/errors/XDM-1000-400');
    }
    // Only deprecation descriptors take a list of fields.
    const listIdentity = await call('POST', '/tenant/descriptors', {
      body: { '@type': 'xdm:descriptorIdentity', 'xdm:sourceSchema': schema.$id, 'xdm:sourceProperty': ['/personID'], 'xdm:namespace': 'Email' },
    });
    expect(listIdentity.status).toBe(400);
  });

  it('should refuse a descriptor view without version=1 like any lookup', async () => {
    const schema = await created('/tenant/schemas', schemaOf('Version Rules'));
    const missing = await call('GET', `/tenant/schemas/${schema['meta:altId']}`, { accept: 'application/vnd.adobe.xed-full-desc+json' });
    expect(missing.status).toBe(400);
    expect(missing.body.type).toBe('http://ns.adobe.com/aep/errors/XDM-1007-400');
    const two = await call('GET', `/tenant/schemas/${schema['meta:altId']}`, { accept: 'application/vnd.adobe.xed-deprecatefield+json; version=2' });
    expect(two.status).toBe(406);
  });

  // Rows reach the dataset through the import API in the caller's sandbox.
  it('should read rows of a deprecated field back from the dataset', async () => {
    const fg = await created('/tenant/fieldgroups', fieldGroup('Readback Fields', { oldCode: { type: 'string', 'meta:status': 'deprecated' } }));
    const schema = await created('/tenant/schemas', schemaOf('Readback Schema', fg.$id));
    const datasetId = await createDataset(emulator, schema.$id, 'Readback Dataset');
    const batchId = await createBatch(emulator, datasetId);
    expect((await upload(emulator, batchId, datasetId, 'rows.json', JSON.stringify({ personID: 'p9', [`_${tenant}`]: { oldCode: 'x' } }))).status).toBe(200);
    await complete(emulator, batchId);
    const { batch } = await waitForBatch(emulator, batchId);
    expect(batch).toMatchObject({ status: 'success', recordCount: 1, failedRecordCount: 0 });
    expect((await platformCall(emulator, 'GET', `${IMPORT}/batches/${batchId}/datasets/${datasetId}/preview?format=json`)).status).toBe(200);
  });
});
