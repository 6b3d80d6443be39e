// Row validation against the dataset's resolved XDM schema, with Ajv.
// The resolved schema is first rewritten into plain JSON Schema: integer
// subtypes get their XDM bounds, maps become `additionalProperties`, and
// every object closes with `additionalProperties: false`, because the
// Platform requires a row to be a subset of the schema (platform-api.md
// §4.8): a field the schema does not define fails the row rather than being
// silently dropped. Nulls fail their type check (§2.12: never null, omit the
// key). Failures come out in the Platform's `_validationErrors` shape
// (§4.9), with everit-style messages as in Adobe's examples.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { INTEGER_BOUNDS, INTEGER_TYPES, xdmType } from './xdm-field.ts';
import type { XdmFieldSchema } from './xdm-field.ts';
import type { JsonRecord } from './types.ts';

// ajv-formats is CommonJS with a default export that TypeScript sees one level deep.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export interface ValidationError {
  causingExceptions: ValidationError[];
  keyword: string;
  message: string;
  pointerToViolation: string;
  schemaLocation: string;
}

export interface RecordVerdict {
  readonly errors: ValidationError[];
  /** A required field is missing (or null): INGEST-1555-400 rather than a conversion error. */
  readonly requiredMissing: boolean;
}

export type RecordValidator = (record: JsonRecord) => RecordVerdict;

const KNOWN_FORMATS = new Set(['date', 'date-time', 'time', 'uri', 'uri-reference', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'regex']);

const DATE_TIME_PATTERNS =
  "[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1-9}Z, yyyy-MM-dd'T'HH:mm:ss[+-]HH:mm, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,9}[+-]HH:mm]";

type JsonSchema = Record<string, unknown>;

function copyConstraints(field: XdmFieldSchema, out: JsonSchema, keys: readonly string[]): void {
  for (const key of keys) if (field[key] !== undefined) out[key] = field[key];
}

/** Rewrites one resolved XDM field as plain JSON Schema for Ajv. */
export function toJsonSchema(field: XdmFieldSchema): JsonSchema {
  const type = xdmType(field);
  const out: JsonSchema = {};
  if (Array.isArray(field.enum)) out.enum = field.enum;
  if (INTEGER_TYPES.has(type)) {
    const [min, max] = INTEGER_BOUNDS[type]!;
    out.type = 'integer';
    out.minimum = typeof field.minimum === 'number' ? field.minimum : min;
    out.maximum = typeof field.maximum === 'number' ? field.maximum : max;
    return out;
  }
  switch (type) {
    case 'string':
      out.type = 'string';
      copyConstraints(field, out, ['pattern', 'minLength', 'maxLength']);
      if (typeof field.format === 'string' && KNOWN_FORMATS.has(field.format)) out.format = field.format;
      return out;
    case 'number':
      out.type = 'number';
      copyConstraints(field, out, ['minimum', 'maximum']);
      return out;
    case 'boolean':
      out.type = 'boolean';
      return out;
    case 'date':
      return { ...out, type: 'string', format: 'date' };
    case 'date-time':
      return { ...out, type: 'string', format: 'date-time' };
    case 'array':
      out.type = 'array';
      if (field.items) out.items = toJsonSchema(field.items);
      return out;
    case 'map':
      out.type = 'object';
      out.additionalProperties =
        typeof field.additionalProperties === 'object' ? toJsonSchema(field.additionalProperties) : { type: ['string', 'integer'] };
      return out;
    default: {
      out.type = 'object';
      const properties: Record<string, JsonSchema> = {};
      for (const [name, child] of Object.entries(field.properties ?? {})) properties[name] = toJsonSchema(child);
      out.properties = properties;
      if (Array.isArray(field.required) && field.required.length > 0) out.required = field.required;
      out.additionalProperties = false;
      return out;
    }
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Number';
  if (typeof value === 'object') return 'JSONObject';
  return typeof value === 'string' ? 'String' : typeof value === 'boolean' ? 'Boolean' : typeof value;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function describe(error: ErrorObject, data: unknown): string {
  const value = valueAt(data, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `expected type: ${capitalise(String(params.type))}, found: ${typeName(value)}`;
    case 'required':
      return `required key [${String(params.missingProperty)}] not found`;
    case 'additionalProperties':
      return `extraneous key [${String(params.additionalProperty)}] is not permitted`;
    case 'enum':
      return `${JSON.stringify(value)} is not a valid enum value`;
    case 'format':
      return params.format === 'date-time'
        ? `[${String(value)}] is not a valid date-time. Expected ${DATE_TIME_PATTERNS}`
        : `[${String(value)}] is not a valid ${String(params.format)}.`;
    case 'minimum':
      return `${String(value)} is not greater or equal to ${String(params.limit)}`;
    case 'maximum':
      return `${String(value)} is not less or equal to ${String(params.limit)}`;
    case 'pattern':
      return `string [${String(value)}] does not match pattern ${String(params.pattern)}`;
    case 'minLength':
      return `expected minLength: ${String(params.limit)}, actual: ${String(value).length}`;
    case 'maxLength':
      return `expected maxLength: ${String(params.limit)}, actual: ${String(value).length}`;
    default:
      return error.message ?? error.keyword;
  }
}

function toPlatformError(error: ErrorObject, data: unknown): ValidationError {
  const location = error.schemaPath.split('/');
  location.pop();
  return {
    causingExceptions: [],
    keyword: error.keyword,
    message: describe(error, data),
    pointerToViolation: `#${error.instancePath}`,
    schemaLocation: location.join('/') || '#',
  };
}

/** Compiles a validator for rows of a dataset whose schema is `schema` (the resolved xed-full view). */
/** Compiled validators by their JSON Schema text, newest last; a few schemas serve most batches. */
const compiled = new Map<string, ValidateFunction>();
const COMPILED_KEPT = 32;

/**
 * Compiling is the dear part (tens of milliseconds for a real schema, far
 * more than validating a small batch), so a validator is compiled once per
 * distinct resolved schema: many batches completed together must not hold
 * the emulator's event loop for a compile each. The key is the schema's
 * JSON Schema text, so an evolved schema gets a validator of its own.
 */
function compileValidator(jsonSchema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(jsonSchema);
  let validate = compiled.get(key);
  if (validate) {
    compiled.delete(key);
  } else {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(jsonSchema);
    if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(key, validate);
  return validate;
}

export function createRecordValidator(schema: XdmFieldSchema): RecordValidator {
  const validate = compileValidator(toJsonSchema({ ...schema, 'meta:xdmType': 'object', type: 'object' }));
  return (record) => {
    if (validate(record)) return { errors: [], requiredMissing: false };
    const raw = validate.errors ?? [];
    const errors = raw.map((error) => toPlatformError(error, record));
    const requiredMissing = raw.some(
      (error) => error.keyword === 'required' || (error.keyword === 'type' && valueAt(record, error.instancePath) === null),
    );
    return { errors, requiredMissing };
  };
}
