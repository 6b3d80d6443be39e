// Real-Time Customer Profile rules over plain HTTP (platform-api.md §2.5,
// §2.11, §2.14): a schema joins the union only with an identity
// (XDM-1528-400), and a dataset enabled for Profile locks its schema to
// additive changes as ingested data does.
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { CATALOG, call, json } from './emulator-batch-helpers.ts';
import { PROFILE, REGISTRY } from './emulator-registry-helpers.ts';
import type { Json } from './emulator-registry-helpers.ts';

const IDENTITY_MAP = 'https://ns.adobe.com/xdm/context/identitymap';

describe('emulator Profile rules', async () => {
  const emulator = await startEmulator({ processingDelayMs: 0 });
  const tenant = emulator.settings.tenantId;
  const scope = emulator.scopeFor('prod');

  const created = async (path: string, body: object): Promise<Json> => json<Json>(call(emulator, 'POST', REGISTRY + path, { body }), 201);
  const fieldGroup = (title: string) =>
    created('/tenant/fieldgroups', {
      title,
      type: 'object',
      'meta:intendedToExtend': [PROFILE],
      definitions: { main: { properties: { [`_${tenant}`]: { type: 'object', properties: { code: { type: 'string' }, extra: { type: 'string' } } } } } },
      allOf: [{ $ref: '#/definitions/main' }],
    });
  const schemaOf = (title: string, ...refs: string[]) => ({ title, type: 'object', allOf: [{ $ref: PROFILE }, ...refs.map(($ref) => ({ $ref }))] });
  const tagUnion = (altId: string) => call(emulator, 'PATCH', `${REGISTRY}/tenant/schemas/${altId}`, { body: [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }] });
  const noIdentity = {
    type: 'http://ns.adobe.com/aep/errors/XDM-1528-400',
    title: 'Union descriptor validation error',
    status: 400,
    detail: 'To participate in a union, a schema must include an identityMap fieldgroup or a primary identity descriptor.',
  };

  it('should refuse the union tag on a schema without an identity, on create and on PATCH (XDM-1528-400)', async () => {
    const onCreate = await call(emulator, 'POST', `${REGISTRY}/tenant/schemas`, { body: { ...schemaOf('Tagged At Birth'), 'meta:immutableTags': ['union'] } });
    expect(onCreate.status).toBe(400);
    expect(onCreate.json()).toMatchObject({ ...noIdentity, report: { 'detailed-message': noIdentity.detail } });

    const bare = await created('/tenant/schemas', schemaOf('No Identity Yet'));
    const refused = await tagUnion(bare['meta:altId']);
    expect(refused.status).toBe(400);
    expect(refused.json()).toMatchObject(noIdentity);
    // A non-primary identity is not enough; a primary one is.
    await created('/tenant/descriptors', { '@type': 'xdm:descriptorIdentity', 'xdm:sourceSchema': bare.$id, 'xdm:sourceProperty': '/personID', 'xdm:namespace': 'Email', 'xdm:isPrimary': false });
    expect((await tagUnion(bare['meta:altId'])).status).toBe(400);
    const other = await created('/tenant/schemas', schemaOf('Other Identity Holder'));
    await created('/tenant/descriptors', { '@type': 'xdm:descriptorIdentity', 'xdm:sourceSchema': other.$id, 'xdm:sourceProperty': '/personID', 'xdm:namespace': 'Email', 'xdm:isPrimary': true });
    expect((await tagUnion(bare['meta:altId'])).status).toBe(400);
    await created('/tenant/descriptors', { '@type': 'xdm:descriptorIdentity', 'xdm:sourceSchema': bare.$id, 'xdm:sourceProperty': '/personID', 'xdm:namespace': 'CRMID', 'xdm:isPrimary': true });
    const tagged = await tagUnion(bare['meta:altId']);
    expect(tagged.status).toBe(200);
    expect((tagged.json() as Json)['meta:immutableTags']).toEqual(['union']);

    // The identityMap field group is the other way in, on create too.
    const withMap = await call(emulator, 'POST', `${REGISTRY}/tenant/schemas`, { body: { ...schemaOf('Mapped Identities', IDENTITY_MAP), 'meta:immutableTags': ['union'] } });
    expect(withMap.status).toBe(201);
  });

  it('should lock the schema of a dataset enabled for Profile, and only then', async () => {
    const profileTag = { unifiedProfile: ['enabled:true'] };
    const removeExtra = (fg: Json) =>
      call(emulator, 'PATCH', `${REGISTRY}/tenant/fieldgroups/${fg['meta:altId']}`, {
        body: [{ op: 'remove', path: `/definitions/main/properties/_${tenant}/properties/extra` }],
      });

    // A plain dataset, or a Profile one only validated, locks nothing.
    const freeGroup = await fieldGroup('Free Fields');
    const free = await created('/tenant/schemas', schemaOf('Free Schema', IDENTITY_MAP, freeGroup.$id));
    await json(call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'Plain', schemaRef: { id: free.$id } } }), 201);
    await json(call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'Validated', schemaRef: { id: free.$id }, tags: profileTag }, headers: { pragma: 'validate-only' } }));
    expect(emulator.schemaRegistry.isSchemaInUse(scope, free.$id)).toBe(false);
    expect((await removeExtra(freeGroup)).status).toBe(200);

    // Created enabled for Profile: locked.
    const lockedGroup = await fieldGroup('Profile Fields');
    const locked = await created('/tenant/schemas', schemaOf('Profile Schema', IDENTITY_MAP, lockedGroup.$id));
    await json(call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'Profile Enabled', schemaRef: { id: locked.$id }, tags: profileTag } }), 201);
    expect(emulator.schemaRegistry.isSchemaInUse(scope, locked.$id)).toBe(true);
    const breaking = await removeExtra(lockedGroup);
    expect(breaking.status).toBe(400);
    expect((breaking.json() as Json).type).toBe('http://ns.adobe.com/aep/errors/XDM-1536-400');

    // Enabled later through a PATCH of the dataset: locked from then on.
    const laterGroup = await fieldGroup('Later Fields');
    const later = await created('/tenant/schemas', schemaOf('Later Schema', IDENTITY_MAP, laterGroup.$id));
    const datasetId = (await json<string[]>(call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name: 'Later', schemaRef: { id: later.$id } } }), 201))[0]!.replace('@/dataSets/', '');
    expect(emulator.schemaRegistry.isSchemaInUse(scope, later.$id)).toBe(false);
    await json(call(emulator, 'PATCH', `${CATALOG}/dataSets/${datasetId}`, { body: { tags: { unifiedProfile: ['enabled:true', 'isUpsert:true'] } } }));
    expect(emulator.schemaRegistry.isSchemaInUse(scope, later.$id)).toBe(true);
    expect((await removeExtra(laterGroup)).status).toBe(400);
  });
});
