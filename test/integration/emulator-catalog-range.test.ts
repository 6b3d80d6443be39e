// Catalog's legacy paging header over plain HTTP (platform-api.md §3.2):
// `Range: objects=a-b` pages a list like start/limit and the answer carries
// `Content-Range: objects a-b/total`; query parameters win; bad ranges get
// the 400 of shape B, other units are ignored.
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { CATALOG, call, json, loyaltySchemaId } from './emulator-batch-helpers.ts';

describe('emulator Catalog Range: objects', async () => {
  const emulator = await startEmulator({ processingDelayMs: 0 });
  const schemaId = await loyaltySchemaId(emulator);
  const ids: string[] = [];
  for (const name of ['r-0', 'r-1', 'r-2', 'r-3', 'other']) {
    const ref = await json<string[]>(call(emulator, 'POST', `${CATALOG}/dataSets`, { body: { name, schemaRef: { id: schemaId } } }), 201);
    ids.push(ref[0]!.replace('@/dataSets/', ''));
  }
  const list = (path: string, range?: string) => call(emulator, 'GET', `${CATALOG}${path}`, range === undefined ? {} : { headers: { range } });

  it('should answer the objects a range names, oldest first, with their Content-Range', async () => {
    const res = await list('/dataSets', 'objects=1-2');
    expect(res.status).toBe(200);
    expect(Object.keys(res.json() as object)).toEqual(ids.slice(1, 3));
    expect(res.headers['content-range']).toBe('objects 1-2/5');
    // Filters narrow the total; a range running past the end is cut short.
    const filtered = await list('/dataSets?name=r-*', 'objects=2-9');
    expect(Object.keys(filtered.json() as object)).toEqual(ids.slice(2, 4));
    expect(filtered.headers['content-range']).toBe('objects 2-3/4');
    const past = await list('/dataSets', 'objects=10-12');
    expect(past.json()).toEqual({});
    expect(past.headers['content-range']).toBe('objects */5');
    const ordered = await list('/dataSets?orderBy=desc:name', 'objects = 0-0');
    expect(Object.keys(ordered.json() as object)).toEqual([ids[3]]);
  });

  it('should let start and limit win over a range, and ignore ranges in other units', async () => {
    const paged = await list('/dataSets?limit=1', 'objects=1-3');
    expect(Object.keys(paged.json() as object)).toEqual([ids[0]]);
    expect(paged.headers['content-range']).toBeUndefined();
    const bytes = await list('/dataSets', 'bytes=0-1');
    expect(Object.keys(bytes.json() as object)).toEqual(ids);
    expect(bytes.headers['content-range']).toBeUndefined();
  });

  it('should refuse malformed, reversed and oversized ranges with a 400', async () => {
    const bad = (detail: string) => ({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail });
    for (const [range, detail] of [
      ['objects=a-b', "Invalid Range 'objects=a-b': use objects=<first>-<last>, zero-based and inclusive"],
      ['objects=3', "Invalid Range 'objects=3': use objects=<first>-<last>, zero-based and inclusive"],
      ['objects=-1-2', "Invalid Range 'objects=-1-2': use objects=<first>-<last>, zero-based and inclusive"],
      ['objects=3-1', "Invalid Range 'objects=3-1': the last index must not be before the first"],
      ['objects=0-100', "Invalid Range 'objects=0-100': it asks for 101 objects, at most 100 come per page"],
      ['objects=0-99999999999999999999', "Invalid Range 'objects=0-99999999999999999999': the indices are too large"],
    ]) {
      const res = await list('/batches', range);
      expect(res.status, range).toBe(400);
      expect(res.json()).toEqual(bad(detail!));
    }
    const observable = await list('/dataSets?properties=observableSchema', 'objects=0-20');
    expect(observable.json()).toEqual(bad("Invalid Range 'objects=0-20': it asks for 21 objects, at most 20 come per page"));
  });
});
