// Parquet reader (hyparquet): one row group at a time, so memory holds one
// group, not the file. Parquet has no "absent": null cells are dropped from
// the record, which is how XDM spells a missing field. A truncated or
// corrupt file is a file-level error, never a crash.
import { stat } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { emptyFileError, unreadableFileError } from './types.ts';
import type { JsonRecord, RecordSource } from './types.ts';

/** Drops nulls, turns bigints into numbers (when exact) and byte arrays into UTF-8 text. Dates stay Dates for coerce.ts. */
export function plainParquetValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(plainParquetValue).filter((v) => v !== undefined);
  if (typeof value === 'object') {
    const out: JsonRecord = {};
    for (const [key, child] of Object.entries(value)) {
      const plain = plainParquetValue(child);
      if (plain !== undefined) out[key] = plain;
    }
    return out;
  }
  return value;
}

export async function* readParquet(path: string, fileName = path): RecordSource {
  if ((await stat(path)).size === 0) throw emptyFileError();
  const unreadable = (error: unknown) => unreadableFileError(fileName, error instanceof Error ? error.message : String(error));
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw unreadable(error);
  }
  let row = 0;
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart: groupStart, rowEnd: groupStart + groupRows });
    } catch (error) {
      throw unreadable(error);
    }
    groupStart += groupRows;
    for (const raw of rows) {
      row += 1;
      yield { kind: 'record', record: (plainParquetValue(raw) ?? {}) as JsonRecord, row };
    }
  }
  if (row === 0) throw emptyFileError();
}
