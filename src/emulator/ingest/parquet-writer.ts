// Accepted rows become Parquet (hyparquet-writer) with proper nested types:
// objects are Parquet groups, arrays LIST, maps MAP with string keys, and
// leaves use the XDM -> Parquet types of platform-api.md §2.12 (long INT64,
// int INT32, short INT32/INT_16, byte INT32/INT_8, date INT32/DATE,
// date-time INT64/TIMESTAMP_MILLIS, number DOUBLE, boolean BOOLEAN, string
// UTF8). All of these round-trip through hyparquet. The columns are the
// schema's fields pruned to those some row uses: a schema such as a Profile
// class has hundreds of optional fields, and Parquet groups cannot be empty.
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { xdmType } from './xdm-field.ts';
import type { XdmFieldSchema } from './xdm-field.ts';
import type { JsonRecord } from './types.ts';

/** Which parts of a schema the rows actually use, built row by row with `markUsed`. */
export interface UsedFields {
  children?: Map<string, UsedFields>;
  items?: UsedFields;
  values?: UsedFields;
}

const isPlainObject = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

export function markUsed(value: unknown, field: XdmFieldSchema, used: UsedFields): void {
  const type = xdmType(field);
  if (type === 'object' && isPlainObject(value)) {
    used.children ??= new Map();
    for (const [key, child] of Object.entries(value)) {
      const childField = field.properties?.[key];
      if (!childField || child === undefined || child === null) continue;
      let entry = used.children.get(key);
      if (!entry) used.children.set(key, (entry = {}));
      markUsed(child, childField, entry);
    }
  } else if (type === 'array' && Array.isArray(value) && field.items) {
    used.items ??= {};
    for (const item of value) markUsed(item, field.items, used.items);
  } else if (type === 'map' && isPlainObject(value) && typeof field.additionalProperties === 'object') {
    used.values ??= {};
    for (const child of Object.values(value)) markUsed(child, field.additionalProperties, used.values);
  }
}

const LEAVES: Readonly<Record<string, Omit<SchemaElement, 'name'>>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  number: { type: 'DOUBLE' },
  long: { type: 'INT64' },
  int: { type: 'INT32' },
  short: { type: 'INT32', converted_type: 'INT_16' },
  byte: { type: 'INT32', converted_type: 'INT_8' },
  boolean: { type: 'BOOLEAN' },
  date: { type: 'INT32', converted_type: 'DATE' },
  'date-time': { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

/** The Parquet schema elements of one field (depth first), or none when no row uses it. */
function elementsFor(name: string, field: XdmFieldSchema, used: UsedFields, repetition: 'OPTIONAL' | 'REQUIRED'): SchemaElement[] {
  const type = xdmType(field);
  const leaf = LEAVES[type];
  if (leaf) return [{ name, repetition_type: repetition, ...leaf }];
  if (type === 'array') {
    if (!field.items) return [];
    const element = elementsFor('element', field.items, used.items ?? {}, 'OPTIONAL');
    if (element.length === 0) return [];
    return [
      { name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...element,
    ];
  }
  if (type === 'map') {
    const valueField = typeof field.additionalProperties === 'object' ? field.additionalProperties : { type: 'string' };
    const value = elementsFor('value', valueField, used.values ?? {}, 'OPTIONAL');
    if (value.length === 0) return [];
    return [
      { name, repetition_type: repetition, converted_type: 'MAP', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      ...value,
    ];
  }
  const children: SchemaElement[][] = [];
  for (const [childName, childUsed] of used.children ?? []) {
    const childField = field.properties?.[childName];
    if (!childField) continue;
    const elements = elementsFor(childName, childField, childUsed, 'OPTIONAL');
    if (elements.length > 0) children.push(elements);
  }
  if (children.length === 0) return [];
  return [{ name, repetition_type: repetition, num_children: children.length }, ...children.flat()];
}

export interface ParquetLayout {
  readonly schema: SchemaElement[];
  /** Top-level column names, in schema order. */
  readonly columns: string[];
}

/** The Parquet schema for rows of `schema` that use `used`; null when the rows use nothing. */
export function parquetLayout(schema: XdmFieldSchema, used: UsedFields): ParquetLayout | null {
  const columns: string[] = [];
  const elements: SchemaElement[] = [];
  for (const [name, childUsed] of used.children ?? []) {
    const field = schema.properties?.[name];
    if (!field) continue;
    const own = elementsFor(name, field, childUsed, 'OPTIONAL');
    if (own.length === 0) continue;
    columns.push(name);
    elements.push(...own);
  }
  if (columns.length === 0) return null;
  return { schema: [{ name: 'root', num_children: columns.length }, ...elements], columns };
}

/** A validated JSON value in the shape hyparquet-writer expects for the field's Parquet type. */
export function toParquetValue(value: unknown, field: XdmFieldSchema): unknown {
  if (value === undefined || value === null) return null;
  const type = xdmType(field);
  switch (type) {
    case 'long':
      return typeof value === 'number' ? BigInt(value) : value;
    case 'date':
      return new Date(`${String(value)}T00:00:00Z`);
    case 'date-time':
      return new Date(String(value));
    case 'array':
      return Array.isArray(value) && field.items ? value.map((item) => toParquetValue(item, field.items!)) : null;
    case 'map': {
      if (!isPlainObject(value)) return null;
      const valueField = typeof field.additionalProperties === 'object' ? field.additionalProperties : { type: 'string' };
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toParquetValue(child, valueField)]));
    }
    case 'object': {
      if (!isPlainObject(value)) return null;
      const out: JsonRecord = {};
      for (const [key, childField] of Object.entries(field.properties ?? {})) {
        if (value[key] !== undefined) out[key] = toParquetValue(value[key], childField);
      }
      return out;
    }
    default:
      return value;
  }
}

/** Writes rows (already validated against `schema`) to a Parquet file at `path`, one row group at a time. */
export async function writeParquetRows(path: string, schema: XdmFieldSchema, layout: ParquetLayout, rows: AsyncIterable<JsonRecord>): Promise<void> {
  const fields = layout.columns.map((name) => [name, schema.properties![name]!] as const);
  async function* converted(): AsyncGenerator<JsonRecord> {
    for await (const row of rows) {
      const out: JsonRecord = {};
      for (const [name, field] of fields) out[name] = toParquetValue(row[name], field);
      yield out;
    }
  }
  await parquetWriteRows({
    writer: fileWriter(path),
    rows: converted(),
    columns: layout.columns.map((name) => ({ name })),
    // hyparquet-writer carries its own copy of hyparquet's types: same shape, another declaration.
    schema: layout.schema as NonNullable<Parameters<typeof parquetWriteRows>[0]['schema']>,
    rowGroupSize: 10_000,
  });
}
