// What the format readers hand to the ingestion worker: a stream of records
// (or rows that could not be read), and file-level failures as IngestFileError.
export type JsonRecord = Record<string, unknown>;

export type RecordItem =
  | { readonly kind: 'record'; readonly record: JsonRecord; readonly row: number }
  /** A row that cannot be parsed at all (INGEST-1401-400); `raw` is its text. */
  | { readonly kind: 'corrupt'; readonly raw: string; readonly row: number };

export type RecordSource = AsyncIterable<RecordItem>;

/** Batch error codes (platform-api.md §4.9). */
export const ERROR_CODES = {
  summary: 'INGEST-1212-400',
  corrupt: 'INGEST-1401-400',
  requiredMissing: 'INGEST-1555-400',
  withoutDiagnostics: 'INGEST-1211-400',
  emptyFile: '106',
  emptyCsvHeader: '118',
} as const;

/**
 * A whole file that cannot be ingested (empty, unreadable, no CSV header):
 * it becomes an entry of the batch's `errors` and fails the batch.
 */
export class IngestFileError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export const emptyFileError = () => new IngestFileError(ERROR_CODES.emptyFile, 'Dataset file is empty. Please upload file with data.');
export const emptyCsvHeaderError = () => new IngestFileError(ERROR_CODES.emptyCsvHeader, 'CSV file contains empty header row.');
/** An unreadable file (corrupt Parquet, multi-line JSON that is not one array): the documented row-corruption code, said of the file. */
export const unreadableFileError = (file: string, why: string) =>
  new IngestFileError(ERROR_CODES.corrupt, `The file ${file} is corrupted and cannot be read or parsed (${why}). Fix the file and try again.`);
