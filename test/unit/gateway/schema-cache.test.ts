// The schema cache's rules on a call-recording registry and a hand-moved
// clock: entries last the TTL and no longer, the oldest go first past the
// bound, both spellings of an id share an entry, forms and partitions never
// mix, and a write empties its partition only.
import { describe, expect, it } from 'vitest';
import type { PlatformClient, SchemaRegistryApi, ScopedPlatform } from '../../../src/platform/client.ts';
import type { PlatformScope, XdmSchema } from '../../../src/platform/types.ts';
import { createSchemaCache, partitionOf } from '../../../src/gateway/schema-cache.ts';

const PROD: PlatformScope = { orgId: 'ORG@AdobeOrg', sandbox: 'prod' };
const DEV: PlatformScope = { orgId: 'ORG@AdobeOrg', sandbox: 'dev' };
const ID = 'https://ns.adobe.com/aeplocal/schemas/abc';
const ALT_ID = '_aeplocal.schemas.abc';

/** A client whose registry answers every id with a schema and records each lookup. */
function recordingClient(): { client: PlatformClient; lookups: string[] } {
  const lookups: string[] = [];
  const registry = (scope: PlatformScope): Partial<SchemaRegistryApi> => ({
    getSchema: async (id, opts) => {
      lookups.push(`${scope.sandbox} ${opts?.full ? 'full' : 'raw'} ${id}`);
      return { $id: ID, title: `seen in ${scope.sandbox}`, version: String(lookups.length) } as unknown as XdmSchema;
    },
    patchSchema: async () => ({ $id: ID }) as unknown as XdmSchema,
  });
  const client: PlatformClient = {
    scoped: (scope) => ({ scope, schemaRegistry: registry(scope) }) as unknown as ScopedPlatform,
    close: async () => {},
  };
  return { client, lookups };
}

function clock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

describe('schema cache', () => {
  it('should reuse a lookup for the TTL, then ask again', async () => {
    const { client, lookups } = recordingClient();
    const time = clock();
    const cached = createSchemaCache({ ttlMs: 30_000, now: time.now }).wrap(client);
    const registry = () => cached.scoped(PROD).schemaRegistry;

    const first = await registry().getSchema(ID, { full: true });
    time.advance(29_999);
    expect(await registry().getSchema(ID, { full: true })).toBe(first);
    expect(lookups).toHaveLength(1);
    time.advance(1);
    expect(await registry().getSchema(ID, { full: true })).not.toBe(first);
    expect(lookups).toHaveLength(2);
  });

  it('should share one entry between the $id and the meta:altId of a schema', async () => {
    const { client, lookups } = recordingClient();
    const cached = createSchemaCache({ ttlMs: 30_000 }).wrap(client);
    await cached.scoped(PROD).schemaRegistry.getSchema(ID, { full: true });
    await cached.scoped(PROD).schemaRegistry.getSchema(ALT_ID, { full: true });
    expect(lookups).toEqual([`prod full ${ID}`]);
  });

  it('should keep forms and partitions apart', async () => {
    const { client, lookups } = recordingClient();
    const cached = createSchemaCache({ ttlMs: 30_000 }).wrap(client);
    const prod = await cached.scoped(PROD).schemaRegistry.getSchema(ID, { full: true });
    await cached.scoped(PROD).schemaRegistry.getSchema(ID);
    const dev = await cached.scoped(DEV).schemaRegistry.getSchema(ID, { full: true });
    expect(lookups).toEqual([`prod full ${ID}`, `prod raw ${ID}`, `dev full ${ID}`]);
    expect(dev?.title).toBe('seen in dev');
    expect(prod?.title).toBe('seen in prod');
  });

  it('should give each forwarded credential its own partition', () => {
    const alice = partitionOf({ ...PROD, forwardedAuth: { authorization: 'Bearer a', apiKey: 'k' } });
    const bob = partitionOf({ ...PROD, forwardedAuth: { authorization: 'Bearer b', apiKey: 'k' } });
    expect(alice).not.toBe(bob);
    expect(alice).not.toContain('Bearer');
    expect(partitionOf(PROD)).not.toBe(partitionOf(DEV));
  });

  it('should empty the writer’s partition on a write, and no other', async () => {
    const { client, lookups } = recordingClient();
    const cached = createSchemaCache({ ttlMs: 30_000 }).wrap(client);
    await cached.scoped(PROD).schemaRegistry.getSchema(ID, { full: true });
    await cached.scoped(DEV).schemaRegistry.getSchema(ID, { full: true });
    await cached.scoped(PROD).schemaRegistry.patchSchema(ID, []);
    await cached.scoped(PROD).schemaRegistry.getSchema(ID, { full: true });
    await cached.scoped(DEV).schemaRegistry.getSchema(ID, { full: true });
    expect(lookups).toEqual([`prod full ${ID}`, `dev full ${ID}`, `prod full ${ID}`]);
  });

  it('should drop the oldest entries past its bound', async () => {
    const { client, lookups } = recordingClient();
    const cache = createSchemaCache({ ttlMs: 30_000, maxEntries: 2 });
    const registry = cache.wrap(client).scoped(PROD).schemaRegistry;
    for (const id of ['_t.schemas.a', '_t.schemas.b', '_t.schemas.c']) await registry.getSchema(id);
    expect(cache.size).toBe(2);
    await registry.getSchema('_t.schemas.c');
    expect(lookups).toHaveLength(3);
    await registry.getSchema('_t.schemas.a');
    expect(lookups).toHaveLength(4);
  });

  it('should leave the client as it is with a TTL of 0', () => {
    const { client } = recordingClient();
    expect(createSchemaCache({ ttlMs: 0 }).wrap(client)).toBe(client);
  });
});
