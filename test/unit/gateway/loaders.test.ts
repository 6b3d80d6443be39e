// The DataLoader contract with a call-recording fake platform: key order,
// one Error per missing key, one call per batch, schema ids deduplicated
// across their two spellings.
import { describe, expect, it } from 'vitest';
import type { ScopedPlatform } from '../../../src/platform/client.ts';
import type { Batch, DataSet, XdmSchema } from '../../../src/platform/types.ts';
import { createLoaders, loadOrNull, schemaKey } from '../../../src/gateway/loaders.ts';
import { isNotFound } from '../../../src/gateway/errors.ts';

function fakePlatform() {
  const calls: string[] = [];
  const datasets = new Map<string, DataSet>([['d1', { id: 'd1', name: 'one', lastBatchId: 'b1' }], ['d2', { id: 'd2', name: 'two' }]]);
  const batches = new Map<string, Batch>([['b1', { id: 'b1', status: 'success' }]]);
  const platform = {
    catalog: {
      getDataSets: async (ids: readonly string[]) => {
        calls.push(`datasets:${ids.join(',')}`);
        return new Map(ids.filter((id) => datasets.has(id)).map((id) => [id, datasets.get(id)!]));
      },
      getBatches: async (ids: readonly string[]) => {
        calls.push(`batches:${ids.join(',')}`);
        return new Map(ids.filter((id) => batches.has(id)).map((id) => [id, batches.get(id)!]));
      },
    },
    schemaRegistry: {
      getSchema: async (id: string) => {
        calls.push(`schema:${id}`);
        return schemaKey(id) === '_t.schemas.a' ? ({ $id: 'https://ns.adobe.com/t/schemas/a', 'meta:altId': '_t.schemas.a', version: '1.0', title: 'A' } as XdmSchema) : null;
      },
    },
  } as unknown as ScopedPlatform;
  return { platform, calls };
}

describe('createLoaders', () => {
  it('should batch dataset lookups into one call and keep key order with an error per missing key', async () => {
    const { platform, calls } = fakePlatform();
    const loaders = createLoaders(platform);
    const results = await loaders.dataset.loadMany(['d2', 'missing', 'd1']);
    expect(calls).toEqual(['datasets:d2,missing,d1']);
    expect((results[0] as DataSet).name).toBe('two');
    expect(isNotFound(results[1])).toBe(true);
    expect((results[2] as DataSet).name).toBe('one');
  });

  it('should split more than 100 ids into several calls', async () => {
    const { platform, calls } = fakePlatform();
    const loaders = createLoaders(platform);
    await loaders.dataset.loadMany(Array.from({ length: 150 }, (_, i) => `x${i}`));
    expect(calls).toHaveLength(2);
  });

  it('should load a schema once for its $id and its altId', async () => {
    const { platform, calls } = fakePlatform();
    const loaders = createLoaders(platform);
    const [a, b] = await Promise.all([loaders.schema.load('https://ns.adobe.com/t/schemas/a'), loaders.schema.load('_t.schemas.a')]);
    expect(a).toBe(b);
    expect(calls).toEqual(['schema:https://ns.adobe.com/t/schemas/a']);
    expect(await loadOrNull(loaders.schema, '_t.schemas.none')).toBeNull();
  });

  it('should resolve last batches through one batch call, null where there is none', async () => {
    const { platform, calls } = fakePlatform();
    const loaders = createLoaders(platform);
    const [first, second] = await loaders.lastBatch.loadMany([{ id: 'd1', lastBatchId: 'b1' }, { id: 'd2' }]);
    expect((first as Batch).status).toBe('success');
    expect(second).toBeNull();
    expect(calls).toEqual(['batches:b1']);
  });

  it('should preload the schemas of a page once each and answer for every spelling of a preloaded id, few or many', async () => {
    const { platform, calls } = fakePlatform();
    const loaders = createLoaders(platform);
    const a = 'https://ns.adobe.com/t/schemas/a';
    // Fresh strings, as the Catalog's JSON hands them out.
    await loaders.preloadSchemas(JSON.parse(JSON.stringify([a, '_t.schemas.none', a, a])) as string[]);
    expect(calls).toEqual([`schema:${a}`, 'schema:_t.schemas.none']);
    expect(loaders.loadedSchema(JSON.parse(JSON.stringify(a)) as string)?.title).toBe('A');
    expect(loaders.loadedSchema('_t.schemas.none')).toBeNull();
    expect(loaders.loadedSchema('_t.schemas.other')).toBeUndefined();

    const many = Array.from({ length: 12 }, (_, i) => `_t.schemas.m${i}`);
    await loaders.preloadSchemas([...many, ...many, a]);
    expect(calls).toHaveLength(2 + 12);
    expect(loaders.loadedSchema('_t.schemas.m11')).toBeNull();
    // What an earlier page preloaded is still known.
    expect(loaders.loadedSchema(a)?.title).toBe('A');
    expect(loaders.loadedSchema('_t.schemas.none')).toBeNull();
  });
});
