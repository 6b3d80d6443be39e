import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCatalogStore } from '../../../src/emulator/store/catalog-store.ts';
import { tempDataDir } from '../../helpers/start-emulator.ts';

const P = { org: 'org@AdobeOrg', sandbox: 'prod' };
const names = (objects: ReadonlyArray<{ body: Record<string, unknown> }>) => objects.map((o) => o.body.name);

describe('Catalog list snapshots', () => {
  it('should hand out the same frozen list until a write, then the new objects', () => {
    const store = createCatalogStore(new Database(':memory:'));
    store.put('dataSets', P, 'a', { name: 'A', tags: { x: ['1'] } }, {});
    const first = store.snapshot('dataSets', P);
    expect(names(first)).toEqual(['A']);
    expect(store.snapshot('dataSets', P)).toBe(first);
    expect(Object.isFrozen(first[0]!.body.tags)).toBe(true);
    expect(() => {
      (first[0]!.body as Record<string, unknown>).name = 'changed';
    }).toThrow(TypeError);
    // What list() hands out stays the caller's to change.
    store.list('dataSets', P)[0]!.body.name = 'mine';

    store.put('dataSets', P, 'b', { name: 'B' }, {});
    expect(names(store.snapshot('dataSets', P))).toEqual(['A', 'B']);
    store.delete('dataSets', P, 'a');
    expect(names(store.snapshot('dataSets', P))).toEqual(['B']);
    store.clearPartition(P);
    expect(store.snapshot('dataSets', P)).toEqual([]);
  });

  it('should not keep what a transaction wrote before it rolled back', () => {
    const store = createCatalogStore(new Database(':memory:'));
    store.put('batches', P, 'a', { name: 'A' }, {});
    expect(names(store.snapshot('batches', P))).toEqual(['A']);
    expect(() =>
      store.transaction(() => {
        store.put('batches', P, 'b', { name: 'B' }, {});
        expect(names(store.snapshot('batches', P))).toEqual(['A', 'B']);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(names(store.snapshot('batches', P))).toEqual(['A']);
  });

  it('should see what another connection to the same file committed', () => {
    const file = join(tempDataDir(), 'catalog.sqlite');
    const store = createCatalogStore(new Database(file));
    store.put('dataSets', P, 'a', { name: 'A' }, {});
    expect(names(store.snapshot('dataSets', P))).toEqual(['A']);
    const other = createCatalogStore(new Database(file));
    other.put('dataSets', P, 'b', { name: 'B' }, {});
    expect(names(store.snapshot('dataSets', P))).toEqual(['A', 'B']);
  });
});
