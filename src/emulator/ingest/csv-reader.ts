// CSV reader: the first row names the columns (without a header row, the
// caller names them: the schema's field order); a dotted name
// (`_aeplocal.loyaltyId`) places the value in nested objects so a CSV can fill
// fields under the tenant namespace. Values stay strings here: coerce.ts
// turns them into the schema's types. Empty cells are left out (the
// Platform never stores nulls).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { emptyCsvHeaderError, emptyFileError, unreadableFileError } from './types.ts';
import type { JsonRecord, RecordSource } from './types.ts';

export interface CsvOptions {
  /** @default ',' */
  delimiter?: string;
  /** @default '"' */
  quote?: string;
  /** @default '"' (a doubled quote inside quotes) */
  escape?: string;
  /** false: no header row, `columns` name the cells in order. @default true */
  header?: boolean;
  /** The column paths of a file without a header row (the schema's field order). */
  columns?: readonly string[][];
  /** A cell holding exactly this text is absent, like an empty cell. */
  nullMarker?: string;
}

function place(target: JsonRecord, path: readonly string[], value: string): boolean {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (next === undefined) node = node[key] = {} as JsonRecord;
    else if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as JsonRecord;
    else return false;
  }
  node[path[path.length - 1]!] = value;
  return true;
}

export async function* readCsv(path: string, fileName = path, options: CsvOptions = {}): RecordSource {
  if ((await stat(path)).size === 0) throw emptyFileError();
  const parser = createReadStream(path).pipe(
    parse({
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      escape: options.escape ?? '"',
      relax_column_count: true,
      skip_empty_lines: false,
      raw: true,
      bom: true,
    }),
  );
  let header: readonly string[][] | undefined = options.header === false ? (options.columns ?? []) : undefined;
  let row = 0;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const blank = record.every((cell) => cell.trim() === '');
      if (!header) {
        if (blank) throw emptyCsvHeaderError();
        header = record.map((name) => name.trim().split('.'));
        continue;
      }
      if (blank) continue;
      row += 1;
      const text = raw.replace(/\r?\n$/, '');
      if (record.length !== header.length) {
        yield { kind: 'corrupt', raw: text, row };
        continue;
      }
      const out: JsonRecord = {};
      let ok = true;
      record.forEach((cell, i) => {
        if (cell !== '' && cell !== options.nullMarker && !place(out, header![i]!, cell)) ok = false;
      });
      yield ok ? { kind: 'record', record: out, row } : { kind: 'corrupt', raw: text, row };
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('CSV_')) {
      throw unreadableFileError(fileName, error.message);
    }
    throw error;
  }
  if (!header) throw emptyCsvHeaderError();
  if (row === 0) throw emptyFileError();
}
