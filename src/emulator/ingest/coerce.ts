// Type coercion before validation (platform-api.md §4.8): strings and
// numbers interconvert for numeric and string targets; strings and epoch
// milliseconds become date and date-time; objects and maps are walked;
// booleans and arrays are never converted (except from CSV text, which has
// no other way to spell them). Values that cannot be converted are left as
// they are, so that the validator reports them.
import { INTEGER_TYPES, xdmType } from './xdm-field.ts';
import type { XdmFieldSchema } from './xdm-field.ts';
import type { JsonRecord } from './types.ts';

export type SourceFormat = 'json' | 'csv' | 'parquet';

const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^-?\d+$/;
const DATE_TIME_TEXT = /^(\d{4}-\d{2}-\d{2})T/;

const isPlainObject = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

function epochMillis(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return Number(value.trim());
  return undefined;
}

function fromJsonText(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function coerceValue(value: unknown, field: XdmFieldSchema | undefined, format: SourceFormat): unknown {
  if (!field || value === null || value === undefined) return value;
  const type = xdmType(field);
  if (INTEGER_TYPES.has(type)) {
    if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return Number(value.trim());
    return value;
  }
  switch (type) {
    case 'string':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (value instanceof Date) return value.toISOString();
      return value;
    case 'number':
      if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value.trim());
      return value;
    case 'boolean':
      if (format === 'csv' && typeof value === 'string') {
        const word = value.trim().toLowerCase();
        if (word === 'true') return true;
        if (word === 'false') return false;
      }
      return value;
    case 'date': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString().slice(0, 10);
      const millis = epochMillis(value);
      if (millis !== undefined) return new Date(millis).toISOString().slice(0, 10);
      if (typeof value === 'string') return DATE_TIME_TEXT.exec(value)?.[1] ?? value;
      return value;
    }
    case 'date-time': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString();
      const millis = epochMillis(value);
      if (millis !== undefined && Math.abs(millis) <= 8.64e15) return new Date(millis).toISOString();
      return value;
    }
    case 'array': {
      const list = format === 'csv' && typeof value === 'string' ? fromJsonText(value) : value;
      return Array.isArray(list) ? list.map((item) => coerceValue(item, field.items, format)) : list;
    }
    case 'map': {
      const map = format === 'csv' && typeof value === 'string' ? fromJsonText(value) : value;
      if (!isPlainObject(map)) return map;
      const valueField = typeof field.additionalProperties === 'object' ? field.additionalProperties : undefined;
      const out: JsonRecord = {};
      for (const [key, child] of Object.entries(map)) out[key] = coerceValue(child, valueField, format);
      return out;
    }
    case 'object': {
      const object = format === 'csv' && typeof value === 'string' ? fromJsonText(value) : value;
      return isPlainObject(object) ? coerceRecord(object, field, format) : object;
    }
    default:
      return value;
  }
}

/** Coerces every known field of a record; unknown fields are kept for the validator to reject. */
export function coerceRecord(record: JsonRecord, schema: XdmFieldSchema, format: SourceFormat): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(record)) out[key] = coerceValue(value, schema.properties?.[key], format);
  return out;
}
