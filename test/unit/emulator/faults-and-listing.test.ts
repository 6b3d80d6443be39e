import { describe, expect, it } from 'vitest';
import { createFaultController } from '../../../src/emulator/faults.ts';
import type { XdmResource } from '../../../src/emulator/schema-registry/kinds.ts';
import { pageOf } from '../../../src/emulator/schema-registry/listing.ts';
import { listFormat, lookupFormat } from '../../../src/emulator/schema-registry/accept.ts';
import { EmulatorError } from '../../../src/emulator/errors.ts';

describe('fault path globs', () => {
  it('should match one segment with * and anything with **', () => {
    const faults = createFaultController();
    faults.set([{ path: '/data/foundation/catalog/dataSets/*', respond: 503 }]);
    expect(faults.decide('GET', '/data/foundation/catalog/dataSets/abc')?.respond).toBe(503);
    expect(faults.decide('GET', '/data/foundation/catalog/dataSets/abc/views')).toBeNull();
    faults.set([{ path: '/data/**', method: ['post'], respond: 500 }]);
    expect(faults.decide('POST', '/data/foundation/import/batches')?.respond).toBe(500);
    expect(faults.decide('GET', '/data/foundation/import/batches')).toBeNull();
    faults.set([{ path: '/a.b', respond: 500 }]);
    expect(faults.decide('GET', '/aXb')).toBeNull();
  });
});

const items = ['Delta', 'alpha', 'Charlie', 'bravo'].map((title, i) => ({ $id: `urn:${i}`, title, version: `1.${i}` }) as unknown as XdmResource);

describe('Schema Registry listing', () => {
  it('should sort, page after start and report next', () => {
    const first = pageOf(items, { orderby: 'title', limit: '2', property: [] });
    expect(first.items.map((i) => i.title)).toEqual(['alpha', 'bravo']);
    expect(first.next).toBe('bravo');
    const second = pageOf(items, { orderby: 'title', limit: '2', start: 'bravo', property: [] });
    expect(second.items.map((i) => i.title)).toEqual(['Charlie', 'Delta']);
    expect(second.next).toBeNull();
    expect(pageOf(items, { orderby: '-title', property: [] }).items[0]!.title).toBe('Delta');
  });

  it('should filter by property expressions', () => {
    expect(pageOf(items, { property: ['title==alpha'] }).items).toHaveLength(1);
    expect(pageOf(items, { property: ['title!=alpha'] }).items).toHaveLength(3);
    expect(pageOf(items, { property: ['title~^[A-Z]'] }).items).toHaveLength(2);
    expect(pageOf(items, { property: ['version>=1.2'] }).items).toHaveLength(2);
    expect(pageOf(items, { property: ['missing'] }).items).toHaveLength(0);
    expect(pageOf(items, { property: ['!missing'] }).items).toHaveLength(4);
    expect(() => pageOf(items, { property: ['title~('] })).toThrow(EmulatorError);
    expect(() => pageOf(items, { start: 'a', property: [] })).toThrow(EmulatorError);
  });
});

describe('Schema Registry Accept parsing', () => {
  it('should tell listing and lookup types apart', () => {
    expect(listFormat('application/vnd.adobe.xed-id+json')).toBe('ids');
    expect(listFormat('application/vnd.adobe.xed+json')).toBe('full-objects');
    expect(lookupFormat('application/vnd.adobe.xed-full-notext+json;version=1')).toMatchObject({ resolved: true, noText: true });
    expect(lookupFormat('application/vnd.adobe.xed+json; version=1')).toMatchObject({ resolved: false, noText: false });
    expect(() => lookupFormat('application/vnd.adobe.xed-bogus+json; version=1')).toThrow(EmulatorError);
    expect(() => listFormat(undefined)).toThrow(EmulatorError);
  });
});
