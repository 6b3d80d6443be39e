// The batch format of a file, from its name: what `ingestFiles` needs to know.
import type { InputFormat } from './gql/graphql.ts';

const BY_EXTENSION: Readonly<Record<string, InputFormat>> = {
  json: 'JSON',
  jsonl: 'JSON',
  ndjson: 'JSON',
  parquet: 'PARQUET',
  csv: 'CSV',
};

/** null for a name whose extension the Platform does not ingest. */
export function formatOf(fileName: string): InputFormat | null {
  const extension = fileName.toLowerCase().split('.').pop() ?? '';
  return BY_EXTENSION[extension] ?? null;
}
