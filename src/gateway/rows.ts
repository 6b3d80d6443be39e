// Reading ingested records back: Data Access lists a batch's stored files,
// each file is downloaded and decoded on the server (Parquet with hyparquet,
// JSON Lines or a JSON array, CSV with a header row) into plain JSON objects.
// Values JSON cannot carry (BigInt, Date, bytes) are turned into ones it can.
import { parse as parseCsv } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import type { ScopedPlatform } from '../platform/client.ts';
import type { Batch } from '../platform/types.ts';
import { badUserInput } from './errors.ts';

export type Row = Record<string, unknown>;

/** The most rows one field may return. */
export const MAX_ROWS = 1_000;

export function rowLimit(limit: number | null | undefined, fallback = 100): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_ROWS) throw badUserInput(`"limit" must be between 1 and ${MAX_ROWS}, got ${value}`);
  return value;
}

/** A value that JSON.stringify keeps as it is meant. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

const PARQUET_MAGIC = Buffer.from('PAR1');

/** Decodes one stored file by its name, falling back on its first bytes. */
export async function decodeFile(name: string, bytes: Buffer): Promise<Row[]> {
  const lower = name.toLowerCase();
  if (lower.endsWith('.parquet') || (bytes.length >= 8 && bytes.subarray(0, 4).equals(PARQUET_MAGIC))) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({ file: buffer });
    return rows.map((row) => toJsonValue({ ...row }) as Row);
  }
  const text = bytes.toString('utf8');
  if (lower.endsWith('.csv')) {
    return parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Row[];
  }
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return (JSON.parse(trimmed) as unknown[]).filter(isRow);
  return trimmed.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown).filter(isRow);
}

function isRow(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Up to `limit` records stored by one batch, file by file. */
export async function readBatchRows(platform: ScopedPlatform, batchId: string, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  const files = await platform.dataAccess.listBatchFiles(batchId);
  for (const file of files) {
    if (rows.length >= limit) break;
    for (const object of await platform.dataAccess.listFile(file.dataSetFileId)) {
      if (rows.length >= limit) break;
      if (object.name.startsWith('_') || object.length === '0') continue;
      const bytes = await platform.dataAccess.downloadFile(file.dataSetFileId, object.name);
      for (const row of await decodeFile(object.name, bytes)) {
        if (rows.length >= limit) break;
        rows.push(row);
      }
    }
  }
  return rows;
}

/** The statuses under which a batch's data is readable downstream. */
const READABLE = 'success,active';

/** Up to `limit` records of a dataset, from its newest successful batches first. */
export async function readDatasetRows(platform: ScopedPlatform, datasetId: string, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; rows.length < limit; ) {
    const page = await platform.catalog.listBatches({ start, limit: 100, orderBy: 'desc:created', properties: ['status'], filters: { dataSet: datasetId, status: READABLE } });
    for (const batch of page.items as Batch[]) {
      if (rows.length >= limit) break;
      rows.push(...(await readBatchRows(platform, batch.id, limit - rows.length)));
    }
    if (!page.hasMore) break;
    start += page.items.length;
  }
  return rows;
}

export interface FailedRecord {
  record: Row;
  errors: unknown;
}

/** Splits a failed-record line into the record and the errors the Platform attached. */
export function splitFailedRecord(line: Row): FailedRecord {
  const { _validationErrors, _errors, _corrupt_record, _filename: _ignored, ...record } = line;
  const errors = _validationErrors ?? _errors ?? [];
  return { record: _corrupt_record === undefined ? record : { ...record, _corrupt_record }, errors: toJsonValue(errors) };
}
