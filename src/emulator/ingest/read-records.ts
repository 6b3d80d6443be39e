// Picks the reader for a batch's input format.
import { readCsv } from './csv-reader.ts';
import type { CsvOptions } from './csv-reader.ts';
import { readJsonLines, readMultiLineJson } from './json-reader.ts';
import { readParquet } from './parquet-reader.ts';
import type { RecordSource } from './types.ts';

export type InputFormat = 'parquet' | 'json' | 'csv';

export interface InputFormatOptions extends CsvOptions {
  readonly format: InputFormat;
  /** JSON only: one top-level array instead of JSON Lines. @default false */
  readonly isMultiLineJson?: boolean;
}

export function readRecords(path: string, fileName: string, input: InputFormatOptions): RecordSource {
  switch (input.format) {
    case 'parquet':
      return readParquet(path, fileName);
    case 'csv':
      return readCsv(path, fileName, input);
    case 'json':
      return input.isMultiLineJson ? readMultiLineJson(path, fileName) : readJsonLines(path);
  }
}
