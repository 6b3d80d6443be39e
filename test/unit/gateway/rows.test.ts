import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { decodeFile, rowLimit, splitFailedRecord, toJsonValue } from '../../../src/gateway/rows.ts';

describe('decodeFile', () => {
  it('should decode nested Parquet into plain JSON objects', async () => {
    const bytes = Buffer.from(parquetWriteBuffer({ columnData: [{ name: '_t', data: [{ loyalty: { id: 'a', points: 1 } }, { loyalty: { id: 'b', points: 2 } }] }] }));
    expect(await decodeFile('part-0.snappy.parquet', bytes)).toEqual([{ _t: { loyalty: { id: 'a', points: 1 } } }, { _t: { loyalty: { id: 'b', points: 2 } } }]);
  });

  it('should decode JSON Lines, a JSON array and CSV with a header', async () => {
    expect(await decodeFile('a.json', Buffer.from('{"a":1}\n\n{"a":2}\n'))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await decodeFile('a.json', Buffer.from('[{"a":1},{"a":2}]'))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await decodeFile('a.csv', Buffer.from('x,y\n1,2\n'))).toEqual([{ x: '1', y: '2' }]);
    expect(await decodeFile('empty.json', Buffer.from('  '))).toEqual([]);
  });
});

describe('toJsonValue', () => {
  it('should turn values JSON cannot carry into ones it can, and drop nulls', () => {
    expect(toJsonValue({ big: 12n, huge: 2n ** 70n, at: new Date(0), bytes: new Uint8Array([1, 2]), gone: null, list: [1n] })).toEqual({
      big: 12,
      huge: (2n ** 70n).toString(),
      at: '1970-01-01T00:00:00.000Z',
      bytes: 'AQI=',
      list: [1],
    });
  });
});

describe('splitFailedRecord', () => {
  it('should separate the record from the errors the Platform attached', () => {
    expect(splitFailedRecord({ a: 1, _validationErrors: [{ message: 'bad' }], _filename: 'f.json' })).toEqual({ record: { a: 1 }, errors: [{ message: 'bad' }] });
    expect(splitFailedRecord({ _corrupt_record: '{x', _errors: [{ code: '1401' }] })).toEqual({ record: { _corrupt_record: '{x' }, errors: [{ code: '1401' }] });
  });
});

describe('rowLimit', () => {
  it('should take 1..1000 and refuse the rest', () => {
    expect(rowLimit(undefined)).toBe(100);
    expect(rowLimit(1000)).toBe(1000);
    expect(() => rowLimit(0)).toThrow(/limit/);
    expect(() => rowLimit(1001)).toThrow(/limit/);
  });
});
