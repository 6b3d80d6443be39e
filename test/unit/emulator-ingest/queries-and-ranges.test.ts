import { describe, expect, it } from 'vitest';
import { runListQuery } from '../../../src/emulator/store/catalog-query.ts';
import type { QueryItem } from '../../../src/emulator/store/catalog-query.ts';
import { EmulatorError } from '../../../src/emulator/errors.ts';
import { checkParts, parseContentRange, receivedRange } from '../../../src/emulator/routes/ingestion.ts';
import { parseRange } from '../../../src/emulator/routes/data-access.ts';

const items: QueryItem[] = [
  { id: 'a', body: { name: 'one', version: '1.0.10', created: 100, tags: { t: ['x'] } } },
  { id: 'b', body: { name: 'two', version: '1.0.9', created: 200 } },
  { id: 'c', body: { name: 'three', version: '1.0.2', created: 300, tags: { t: ['y'] } }, virtual: { dataSet: 'ds1' } },
];
const run = (query: string) => Object.keys(runListQuery(items, new URLSearchParams(query)));

function refusal(work: () => unknown): { status: number; detail: string } {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorError);
    const e = error as EmulatorError;
    return { status: e.status, detail: (e.body as { detail: string }).detail };
  }
  throw new Error('expected a refusal');
}

describe('Catalog list queries', () => {
  it('should compare versions as semver and numbers as numbers', () => {
    expect(run('property=version>1.0.9')).toEqual(['a']);
    expect(run('orderBy=desc:version')).toEqual(['a', 'b', 'c']);
    expect(run('property=created>=200')).toEqual(['b', 'c']);
  });

  it('should match virtual properties and tags', () => {
    expect(run('dataSet=ds1')).toEqual(['c']);
    expect(run('tags=t:*')).toEqual(['a', 'c']);
    expect(run('tags=t:y')).toEqual(['c']);
  });

  it('should refuse bad limits, starts, times and regular expressions with a 400', () => {
    expect(refusal(() => run('limit=0'))).toEqual({ status: 400, detail: "Invalid limit value '0': it must be an integer between 1 and 100" });
    expect(refusal(() => run('createdAfter=soon')).detail).toBe("Invalid createdAfter value 'soon': expected epoch milliseconds");
    expect(refusal(() => run('property=name~(')).detail).toBe("Invalid regular expression in property filter 'name~('");
  });
});

describe('large-file ranges', () => {
  it('should parse Content-Range with and without a total', () => {
    expect(parseContentRange('bytes 0-99')).toEqual({ first: 0, last: 99 });
    expect(parseContentRange('bytes 100-199/300')).toEqual({ first: 100, last: 199, total: 300 });
    expect(refusal(() => parseContentRange('bytes 9-3')).status).toBe(400);
    expect(refusal(() => parseContentRange('bytes 0-300/300')).status).toBe(400);
    expect(refusal(() => parseContentRange(undefined)).status).toBe(400);
  });

  it('should merge received parts and find gaps and overlaps', () => {
    const part = (first: number, last: number) => ({ first, last, blob: '' });
    expect(receivedRange([part(100, 199), part(0, 99), part(300, 399)])).toBe('bytes=0-199,300-399');
    expect(() => checkParts([part(0, 99), part(100, 199)], 200)).not.toThrow();
    expect(refusal(() => checkParts([part(0, 99), part(150, 199)], undefined)).detail).toBe('Missing chunk: bytes 100-149 were never uploaded');
    expect(refusal(() => checkParts([part(0, 99), part(90, 199)], undefined)).detail).toBe('Overlapping chunks: bytes 90-199 overlap bytes already received up to 99');
    expect(refusal(() => checkParts([part(10, 99)], undefined)).detail).toBe('Missing chunk: bytes 0-9 were never uploaded');
  });
});

describe('download ranges', () => {
  it('should read first-last, open-ended and suffix ranges, and spot unsatisfiable ones', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
  });
});
