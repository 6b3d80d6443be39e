// JSON readers: JSON Lines (one object per line, the default) and
// multi-line JSON (`isMultiLineJson`: one top-level array). Both stream the
// file, so memory stays at one record whatever the file size.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { emptyFileError, unreadableFileError } from './types.ts';
import type { JsonRecord, RecordSource } from './types.ts';

const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One JSON object per line; blank lines are skipped; a line that is not an object is a corrupt row. */
export async function* readJsonLines(path: string): RecordSource {
  if ((await stat(path)).size === 0) throw emptyFileError();
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let row = 0;
  let any = false;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    any = true;
    row += 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      yield { kind: 'corrupt', raw: line, row };
      continue;
    }
    yield isRecord(value) ? { kind: 'record', record: value, row } : { kind: 'corrupt', raw: line, row };
  }
  if (!any) throw emptyFileError();
}

interface StreamArrayModule {
  withParser(): Duplex;
}
// stream-json ships CommonJS without types: load it through require with the one shape used here.
const StreamArray = createRequire(import.meta.url)('stream-json/streamers/StreamArray.js') as StreamArrayModule;

/** A single top-level array of objects; an element that is not an object is a corrupt row. */
export async function* readMultiLineJson(path: string, fileName = path): RecordSource {
  if ((await stat(path)).size === 0) throw emptyFileError();
  const source = createReadStream(path);
  const elements = source.pipe(StreamArray.withParser());
  source.on('error', (error) => elements.destroy(error));
  let row = 0;
  try {
    for await (const item of elements as AsyncIterable<{ key: number; value: unknown }>) {
      row += 1;
      yield isRecord(item.value) ? { kind: 'record', record: item.value, row } : { kind: 'corrupt', raw: JSON.stringify(item.value), row };
    }
  } catch (error) {
    throw unreadableFileError(fileName, error instanceof Error ? error.message : String(error));
  } finally {
    source.destroy();
  }
  if (row === 0) throw emptyFileError();
}
