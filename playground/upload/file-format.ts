// Guesses the ingestion format from a file, so that picking a file is usually enough.
import type { InputFormat } from './operations.ts';

const BY_EXTENSION: ReadonlyArray<[RegExp, InputFormat]> = [
  [/\.parquet$/i, 'PARQUET'],
  [/\.(json|jsonl|ndjson)$/i, 'JSON'],
  [/\.(csv|tsv)$/i, 'CSV'],
];

export function formatFromName(name: string): InputFormat | null {
  return BY_EXTENSION.find(([pattern]) => pattern.test(name))?.[1] ?? null;
}

/**
 * The Platform reads JSON Lines unless told the file is one top-level array
 * (`isMultiLineJson`). The first non-blank character tells which.
 */
export async function isJsonArray(file: Blob): Promise<boolean> {
  const head = await file.slice(0, 4096).text();
  return head.trimStart().startsWith('[');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
