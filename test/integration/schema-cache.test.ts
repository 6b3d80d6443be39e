// The Schema Registry cache against a real emulator, counted by the
// emulator's own request counters: a second lookup of a schema within the TTL
// does not reach the Registry, another sandbox (and, in pass-through mode,
// another credential) does, a change made through the gateway is seen at
// once, and SCHEMA_CACHE_TTL_MS=0 turns the cache off.
import { beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import type { TestEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';

const SCHEMA = 'query CachedSchema($id: ID!) { schema(id: $id) { title fields(under: "_aeplocal") { path } } }';

/** Schema lookups by id the emulator has answered so far. */
function registryLookups(emulator: TestEmulator): number {
  return Object.entries(emulator.counters())
    .filter(([route]) => route.startsWith('GET ') && /schemaregistry\/(tenant|global)\/schemas\/[^/]+$/.test(route))
    .reduce((sum, [, count]) => sum + count, 0);
}

let emulator: TestEmulator;
let schemaId: string;

beforeAll(async () => {
  // `faults` turns the emulator's request counters on (no fault is injected).
  emulator = await startEmulator({ faults: true });
  const gateway = await startGateway({ emulator });
  const { schemas } = await gateway.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
  schemaId = schemas.nodes.find((schema) => schema.title === 'Loyalty Members')!.id;
  await gateway.close();
});

describe('schema cache', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ emulator, env: { SCHEMA_CACHE_TTL_MS: '600000' } });
    return () => gateway.close();
  });

  it('should answer a second lookup from the cache, in the same sandbox only', async () => {
    const before = registryLookups(emulator);
    const first = await gateway.gqlOk(SCHEMA, { id: schemaId });
    const second = await gateway.gqlOk(SCHEMA, { id: schemaId });
    expect(second).toEqual(first);
    expect(registryLookups(emulator)).toBe(before + 1);

    // Another sandbox is another partition: the Registry is asked, and there
    // the schema's id names nothing, whatever the cache holds for prod.
    expect(await gateway.gqlOk(SCHEMA, { id: schemaId }, { 'x-sandbox-name': 'dev' })).toEqual({ schema: null });
    expect(registryLookups(emulator)).toBe(before + 2);
  });

  it('should not keep a miss', async () => {
    const missing = 'https://ns.adobe.com/aeplocal/schemas/0000000000000000000000000000000000000000000000';
    const before = registryLookups(emulator);
    expect(await gateway.gqlOk(SCHEMA, { id: missing })).toEqual({ schema: null });
    expect(await gateway.gqlOk(SCHEMA, { id: missing })).toEqual({ schema: null });
    expect(registryLookups(emulator)).toBe(before + 2);
  });

  it('should show a change made through the gateway at once', async () => {
    await gateway.gqlOk(SCHEMA, { id: schemaId });
    const added = await gateway.gqlOk<{ addSchemaFields: { addedPaths: string[] } }>(
      'mutation($id: ID!) { addSchemaFields(input: { schemaId: $id, fields: [{ path: "loyalty.cacheTier", type: STRING }] }) { addedPaths } }',
      { id: schemaId },
    );
    expect(added.addSchemaFields.addedPaths).toEqual(['_aeplocal.loyalty.cacheTier']);
    const after = await gateway.gqlOk<{ schema: { fields: Array<{ path: string }> } }>(SCHEMA, { id: schemaId });
    expect(after.schema.fields.map((field) => field.path)).toContain('_aeplocal.loyalty.cacheTier');
  });
});

describe('schema cache in pass-through mode', () => {
  it('should keep each forwarded credential to itself', async () => {
    const gateway = await startGateway({ emulator, env: { AUTH_MODE: 'pass-through', SCHEMA_CACHE_TTL_MS: '600000' } });
    try {
      const alice = await emulator.headers();
      const bob = { ...alice, authorization: `Bearer ${await emulator.token()}` };
      const before = registryLookups(emulator);
      await gateway.gqlOk(SCHEMA, { id: schemaId }, alice);
      await gateway.gqlOk(SCHEMA, { id: schemaId }, alice);
      expect(registryLookups(emulator)).toBe(before + 1);
      await gateway.gqlOk(SCHEMA, { id: schemaId }, bob);
      expect(registryLookups(emulator)).toBe(before + 2);
    } finally {
      await gateway.close();
    }
  });
});

describe('schema cache off', () => {
  it('should ask the Registry every time with SCHEMA_CACHE_TTL_MS=0', async () => {
    const gateway = await startGateway({ emulator, env: { SCHEMA_CACHE_TTL_MS: '0' } });
    try {
      const before = registryLookups(emulator);
      await gateway.gqlOk(SCHEMA, { id: schemaId });
      await gateway.gqlOk(SCHEMA, { id: schemaId });
      expect(registryLookups(emulator)).toBe(before + 2);
    } finally {
      await gateway.close();
    }
  });
});
