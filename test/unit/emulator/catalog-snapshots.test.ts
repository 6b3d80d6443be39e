import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCatalogStore } from '../../../src/emulator/store/catalog-store.ts';
import type { CatalogObject } from '../../../src/emulator/store/catalog-store.ts';
import { listAnswer, MAX_ANSWERS_PER_SNAPSHOT } from '../../../src/emulator/store/catalog-page-cache.ts';
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

describe('Catalog list answers', () => {
  it('should build an answer once per question and snapshot, keep none that failed, and keep a bounded number', () => {
    const snapshot: readonly CatalogObject[] = [];
    let built = 0;
    const build = (text: string) => () => {
      built++;
      return { text, headers: {} };
    };
    expect(listAnswer(snapshot, 'q1', build('a')).text).toBe('a');
    expect(listAnswer(snapshot, 'q1', build('b')).text).toBe('a');
    expect(listAnswer([], 'q1', build('c')).text).toBe('c');
    expect(built).toBe(2);
    expect(() =>
      listAnswer(snapshot, 'bad', () => {
        throw new Error('400');
      }),
    ).toThrow('400');
    expect(listAnswer(snapshot, 'bad', build('d')).text).toBe('d');
    for (let i = 0; i < MAX_ANSWERS_PER_SNAPSHOT; i++) listAnswer(snapshot, `many ${i}`, build(String(i)));
    expect(listAnswer(snapshot, 'q1', build('rebuilt')).text).toBe('rebuilt');
  });
});
