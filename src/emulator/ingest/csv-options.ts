// A CSV batch's reading options: the batch's inputFormat first, then the
// dataset's fileDescription (`header`, and the first of `delimiters`,
// `quotes`, `escapes`, `nullMarkers`), then the readers' defaults.
import type { CsvOptions } from './csv-reader.ts';

type Source = Record<string, unknown>;

const isObject = (value: unknown): value is Source => typeof value === 'object' && value !== null && !Array.isArray(value);

function firstString(values: unknown): string | undefined {
  return Array.isArray(values) && typeof values[0] === 'string' ? values[0] : undefined;
}

export function csvOptionsOf(inputFormat: Source, fileDescription: unknown): CsvOptions {
  const described = isObject(fileDescription) ? fileDescription : {};
  const text = (key: 'delimiter' | 'quote' | 'escape' | 'nullMarker'): string | undefined =>
    typeof inputFormat[key] === 'string' ? inputFormat[key] : firstString(described[`${key}s`]);
  const header = typeof inputFormat.header === 'boolean' ? inputFormat.header : typeof described.header === 'boolean' ? described.header : undefined;
  const options: CsvOptions = {};
  const delimiter = text('delimiter');
  const quote = text('quote');
  const escape = text('escape');
  const nullMarker = text('nullMarker');
  if (delimiter !== undefined) options.delimiter = delimiter;
  if (quote !== undefined) options.quote = quote;
  if (escape !== undefined) options.escape = escape;
  if (nullMarker !== undefined) options.nullMarker = nullMarker;
  if (header !== undefined) options.header = header;
  return options;
}
