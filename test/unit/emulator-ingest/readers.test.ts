import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readCsv } from '../../../src/emulator/ingest/csv-reader.ts';
import { readJsonLines, readMultiLineJson } from '../../../src/emulator/ingest/json-reader.ts';
import { readParquet } from '../../../src/emulator/ingest/parquet-reader.ts';
import { IngestFileError } from '../../../src/emulator/ingest/types.ts';
import { collect, fixtureDir } from './fixtures.ts';

const file = fixtureDir();

async function fileError(source: AsyncIterable<unknown>): Promise<IngestFileError> {
  try {
    for await (const _ of source) void _;
  } catch (error) {
    expect(error).toBeInstanceOf(IngestFileError);
    return error as IngestFileError;
  }
  throw new Error('expected a file error');
}

describe('JSON Lines reader', () => {
  it('should read one record per line, skip blank lines and mark unparseable lines as corrupt', async () => {
    const path = file('a.json', '{"a":1}\n\n{"b":"x"}\n{broken\n[1,2]\n');
    const items = await collect(readJsonLines(path));
    expect(items).toEqual([
      { kind: 'record', record: { a: 1 }, row: 1 },
      { kind: 'record', record: { b: 'x' }, row: 2 },
      { kind: 'corrupt', raw: '{broken', row: 3 },
      { kind: 'corrupt', raw: '[1,2]', row: 4 },
    ]);
  });

  it('should report an empty file with code 106', async () => {
    expect((await fileError(readJsonLines(file('empty.json', '')))).code).toBe('106');
    expect((await fileError(readJsonLines(file('blank.json', '\n\n')))).code).toBe('106');
  });
});

describe('multi-line JSON reader', () => {
  it('should stream the elements of one top-level array', async () => {
    const path = file('m.json', '[\n  {"a": 1,\n   "b": [1, 2]},\n  {"c": {"d": "e"}},\n  3\n]');
    const items = await collect(readMultiLineJson(path));
    expect(items).toEqual([
      { kind: 'record', record: { a: 1, b: [1, 2] }, row: 1 },
      { kind: 'record', record: { c: { d: 'e' } }, row: 2 },
      { kind: 'corrupt', raw: '3', row: 3 },
    ]);
  });

  it('should fail the file when it is not one array or is cut short', async () => {
    expect((await fileError(readMultiLineJson(file('obj.json', '{"a": 1}')))).code).toBe('INGEST-1401-400');
    expect((await fileError(readMultiLineJson(file('cut.json', '[{"a": 1}, {"b"')))).code).toBe('INGEST-1401-400');
    expect((await fileError(readMultiLineJson(file('none.json', '[]')))).code).toBe('106');
  });
});

describe('CSV reader', () => {
  it('should name values by the header row, nest dotted names and leave empty cells out', async () => {
    const path = file('a.csv', '_aeplocal.loyaltyId,_aeplocal.points,personID\nL1,10,p1\nL2,,"p,2"\n\nL3,1\n');
    const items = await collect(readCsv(path));
    expect(items).toEqual([
      { kind: 'record', record: { _aeplocal: { loyaltyId: 'L1', points: '10' }, personID: 'p1' }, row: 1 },
      { kind: 'record', record: { _aeplocal: { loyaltyId: 'L2' }, personID: 'p,2' }, row: 2 },
      { kind: 'corrupt', raw: 'L3,1', row: 3 },
    ]);
  });

  it('should report an empty header row with code 118 and an empty file with 106', async () => {
    expect((await fileError(readCsv(file('nohead.csv', '\nL1,10\n')))).code).toBe('118');
    expect((await fileError(readCsv(file('commas.csv', ',,\nL1,10,x\n')))).code).toBe('118');
    expect((await fileError(readCsv(file('empty.csv', '')))).code).toBe('106');
    expect((await fileError(readCsv(file('headonly.csv', 'a,b\n')))).code).toBe('106');
  });

  it('should fail the file on broken quoting', async () => {
    expect((await fileError(readCsv(file('quote.csv', 'a,b\n"x,1\n')))).code).toBe('INGEST-1401-400');
  });
});

describe('Parquet reader', () => {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'name', data: ['a', null, 'c'], type: 'STRING' },
      { name: 'n', data: [1n, 2n, null], type: 'INT64' },
      { name: 'when', data: [new Date(0), null, null], type: 'TIMESTAMP' },
    ],
  });

  it('should read rows as objects, dropping nulls and turning bigints into numbers', async () => {
    const items = await collect(readParquet(file('a.parquet', buffer)));
    expect(items).toEqual([
      { kind: 'record', record: { name: 'a', n: 1, when: new Date(0) }, row: 1 },
      { kind: 'record', record: { n: 2 }, row: 2 },
      { kind: 'record', record: { name: 'c' }, row: 3 },
    ]);
  });

  it('should turn a truncated or foreign file into a batch error, not a crash', async () => {
    const truncated = await fileError(readParquet(file('cut.parquet', new Uint8Array(buffer).slice(0, buffer.byteLength - 30))));
    expect(truncated.code).toBe('INGEST-1401-400');
    expect(truncated.description).toContain('cut.parquet');
    expect((await fileError(readParquet(file('text.parquet', 'hello, this is not parquet')))).code).toBe('INGEST-1401-400');
    expect((await fileError(readParquet(file('zero.parquet', '')))).code).toBe('106');
  });
});
