// XDM knowledge the schema resolvers need, kept out of them: flattening a
// resolved schema into dot-path fields, turning requested custom fields into
// the JSON Schema of a field group, and deciding whether a requested change is
// additive (platform-api.md §2.11, §2.12). Pure functions: no calls.
import type { XdmField, XdmSchema } from '../platform/types.ts';
import type { SchemaFieldInput, XdmFieldType } from '../generated/resolvers-types.ts';
import { badUserInput } from './errors.ts';

export interface FlatField {
  readonly path: string;
  readonly type: XdmFieldType;
  readonly rawType: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly required: boolean;
  readonly enum: string[] | null;
}

/** The standard classes of `createSchema`'s `class` argument. */
export const STANDARD_CLASSES = {
  PROFILE: 'https://ns.adobe.com/xdm/context/profile',
  EXPERIENCE_EVENT: 'https://ns.adobe.com/xdm/context/experienceevent',
} as const;

const TYPE_BY_XDM: Readonly<Record<string, XdmFieldType>> = {
  string: 'STRING',
  number: 'NUMBER',
  double: 'NUMBER',
  long: 'LONG',
  int: 'INT',
  integer: 'INT',
  short: 'SHORT',
  byte: 'BYTE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  'date-time': 'DATE_TIME',
  object: 'OBJECT',
  array: 'ARRAY',
  map: 'MAP',
};

/** The XDM type word of a field: `meta:xdmType`, else derived from JSON Schema. */
export function rawXdmType(field: XdmField): string {
  if (typeof field['meta:xdmType'] === 'string') return field['meta:xdmType'];
  if (field.type === 'string' && (field.format === 'date' || field.format === 'date-time')) return field.format;
  if (field.type === 'integer') return integerSubtype(field);
  return field.type ?? 'object';
}

/** The registry infers long/int/short/byte from the bounds (§2.12). */
function integerSubtype(field: XdmField): string {
  const max = typeof field.maximum === 'number' ? field.maximum : undefined;
  if (max === undefined || max > 2_147_483_648) return 'long';
  if (max > 32_768) return 'int';
  if (max > 128) return 'short';
  return 'byte';
}

export function xdmFieldType(raw: string): XdmFieldType {
  return TYPE_BY_XDM[raw] ?? 'UNKNOWN';
}

/** Every field of a resolved schema, depth first, objects included (arrays are leaves). */
export function flattenFields(schema: Pick<XdmSchema, 'properties' | 'required'>): FlatField[] {
  const out: FlatField[] = [];
  const walk = (properties: Record<string, XdmField> | undefined, required: readonly string[] | undefined, prefix: string) => {
    for (const name of Object.keys(properties ?? {}).sort()) {
      const field = properties![name]!;
      const path = prefix ? `${prefix}.${name}` : name;
      const rawType = rawXdmType(field);
      out.push({
        path,
        type: xdmFieldType(rawType),
        rawType,
        title: typeof field.title === 'string' ? field.title : null,
        description: typeof field.description === 'string' ? field.description : null,
        required: required?.includes(name) ?? false,
        enum: Array.isArray(field.enum) ? field.enum.map(String) : null,
      });
      if (rawType === 'object' && field.properties) walk(field.properties, field.required, path);
    }
  };
  walk(schema.properties, schema.required, '');
  return out;
}

/** The class `$id` of a schema and the field groups it is composed of. */
export function schemaComposition(schema: XdmSchema): { classId: string | null; fieldGroups: string[] } {
  const classId = typeof schema['meta:class'] === 'string' ? schema['meta:class'] : null;
  const refs = (schema.allOf ?? []).map((entry) => entry.$ref).filter((ref): ref is string => typeof ref === 'string' && !ref.startsWith('#'));
  // A raw lookup lists the composition in allOf; a resolved one only in meta:extends,
  // next to the class's behaviour and the class's own mixins (kept out here).
  const candidates = refs.length > 0 ? refs : (schema['meta:extends'] ?? []);
  const fieldGroups = candidates.filter((id) => id !== classId && !id.startsWith('https://ns.adobe.com/xdm/data/') && id !== 'https://ns.adobe.com/xdm/common/auditable');
  return { classId, fieldGroups: [...new Set(fieldGroups)] };
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** JSON Schema of one field type (§2.12); the registry adds `meta:xdmType` itself. */
function jsonSchemaOf(type: XdmFieldType): Record<string, unknown> {
  switch (type) {
    case 'STRING':
      return { type: 'string' };
    case 'NUMBER':
      return { type: 'number' };
    case 'LONG':
      return { type: 'integer', minimum: -9007199254740992, maximum: 9007199254740992 };
    case 'INT':
      return { type: 'integer', minimum: -2147483648, maximum: 2147483648 };
    case 'SHORT':
      return { type: 'integer', minimum: -32768, maximum: 32768 };
    case 'BYTE':
      return { type: 'integer', minimum: -128, maximum: 128 };
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'DATE':
      return { type: 'string', format: 'date' };
    case 'DATE_TIME':
      return { type: 'string', format: 'date-time' };
    case 'OBJECT':
      return { type: 'object', properties: {} };
    case 'ARRAY':
    case 'MAP':
    case 'UNKNOWN':
      throw badUserInput(`fields of type ${type} cannot be created through this API`);
  }
}

function titleCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/** Checks requested fields (paths, types, duplicates) before anything is sent. */
export function checkFieldInputs(fields: readonly SchemaFieldInput[]): void {
  const seen = new Set<string>();
  for (const field of fields) {
    const segments = field.path.split('.');
    if (segments.some((segment) => !SEGMENT.test(segment))) {
      throw badUserInput(`field path ${JSON.stringify(field.path)} must be dot-separated names of letters, digits, '-' and '_' that do not start with '_' (the tenant namespace is added for you)`);
    }
    if (seen.has(field.path)) throw badUserInput(`field path ${JSON.stringify(field.path)} is given twice`);
    seen.add(field.path);
    if (field.enum && field.enum.length > 0 && field.type !== 'STRING') throw badUserInput(`field ${JSON.stringify(field.path)}: enum is only allowed on STRING fields`);
    jsonSchemaOf(field.type);
  }
  for (const field of fields) {
    const segments = field.path.split('.');
    for (let i = 1; i < segments.length; i++) {
      const parent = fields.find((f) => f.path === segments.slice(0, i).join('.'));
      if (parent && parent.type !== 'OBJECT') throw badUserInput(`field ${JSON.stringify(field.path)} is below ${JSON.stringify(parent.path)}, which is not an OBJECT`);
    }
  }
}

interface TreeNode {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
}

/** The `properties` of a field group holding the given fields under `_<tenant>`. */
export function fieldGroupProperties(tenantNamespace: string, fields: readonly SchemaFieldInput[]): Record<string, unknown> {
  const root: TreeNode = { type: 'object', properties: {} };
  for (const field of fields) {
    const segments = field.path.split('.');
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      node.properties[segment] ??= { type: 'object', properties: {} };
      node = node.properties[segment] as unknown as TreeNode;
    }
    const name = segments.at(-1)!;
    const existing = node.properties[name];
    node.properties[name] = {
      ...jsonSchemaOf(field.type),
      ...(existing && field.type === 'OBJECT' ? existing : {}),
      title: field.title ?? titleCase(name),
      ...(field.description ? { description: field.description } : {}),
      ...(field.enum && field.enum.length > 0 ? { enum: [...field.enum] } : {}),
    };
    if (field.required) node.required = [...new Set([...(node.required ?? []), name])];
  }
  return { [tenantNamespace]: root };
}

/** A create body for a field group with the given custom fields (§2.6). */
export function fieldGroupBody(options: { title: string; description: string; classId: string; tenantNamespace: string; fields: readonly SchemaFieldInput[] }): Record<string, unknown> {
  return {
    title: options.title,
    description: options.description,
    type: 'object',
    'meta:intendedToExtend': [options.classId],
    definitions: { customFields: { properties: fieldGroupProperties(options.tenantNamespace, options.fields) } },
    allOf: [{ $ref: '#/definitions/customFields' }],
  };
}

export interface AdditivePlan {
  /** The requested fields that do not exist yet (input paths, below the tenant namespace). */
  readonly toAdd: SchemaFieldInput[];
  /** Full dot paths of the fields to add. */
  readonly addedPaths: string[];
}

/**
 * Splits a request into fields to add and fields that already exist as asked;
 * refuses (BAD_USER_INPUT, listing every problem) anything that would change an
 * existing field: another type, another enum, optional → required, or a new
 * field below a non-object.
 */
export function planAdditiveChange(existing: readonly FlatField[], tenantNamespace: string, requested: readonly SchemaFieldInput[]): AdditivePlan {
  checkFieldInputs(requested);
  const byPath = new Map(existing.map((field) => [field.path, field]));
  const problems: string[] = [];
  const toAdd: SchemaFieldInput[] = [];
  for (const field of requested) {
    const path = `${tenantNamespace}.${field.path}`;
    const segments = path.split('.');
    for (let i = 1; i < segments.length; i++) {
      const parent = byPath.get(segments.slice(0, i).join('.'));
      if (parent && parent.type !== 'OBJECT') problems.push(`${path}: its parent ${parent.path} is a ${parent.rawType}, not an object`);
    }
    const current = byPath.get(path);
    if (!current) {
      toAdd.push(field);
      continue;
    }
    if (current.type !== field.type) problems.push(`${path} exists as ${current.type}; changing it to ${field.type} is not an additive change`);
    const wantedEnum = field.enum && field.enum.length > 0 ? [...field.enum].sort().join('\u0000') : null;
    const currentEnum = current.enum ? [...current.enum].sort().join('\u0000') : null;
    if (wantedEnum !== null && wantedEnum !== currentEnum) problems.push(`${path}: changing the allowed values of an existing field is not an additive change`);
    if (field.required && !current.required) problems.push(`${path}: making an existing optional field required is not an additive change`);
  }
  if (problems.length > 0) throw badUserInput(`The change is not additive: ${problems.join('; ')}`, { problems });
  return { toAdd, addedPaths: toAdd.map((field) => `${tenantNamespace}.${field.path}`) };
}
