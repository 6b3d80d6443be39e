// The `xed-full` view: a resource with every allOf/$ref (behaviors, classes,
// field groups, `#/definitions/...` fragments, data types) merged into one
// plain JSON schema, and `meta:xdmType` on every field (platform-api.md
// §2.5, §2.12). Ingestion validates rows against this view.
import { isObject } from './kinds.ts';
import type { JsonObject, XdmResource } from './kinds.ts';

/** One field of a resolved schema. */
export interface ResolvedField {
  type?: string;
  'meta:xdmType': string;
  title?: string;
  description?: string;
  properties?: Record<string, ResolvedField>;
  items?: ResolvedField;
  additionalProperties?: ResolvedField | boolean;
  required?: string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  /** The data type `$id` the field's shape came from. */
  'meta:referencedFrom'?: string;
  [key: string]: unknown;
}

/** A whole resolved resource: its own metadata plus the merged `properties` and `required`. */
export interface ResolvedSchema extends ResolvedField {
  $id: string;
  'meta:altId': string;
  title: string;
  version: string;
  type: 'object';
  'meta:xdmType': 'object';
  properties: Record<string, ResolvedField>;
}

export type ResourceLookup = (id: string) => XdmResource | undefined;

export class UnresolvedReferenceError extends Error {
  constructor(
    readonly ref: string,
    readonly from: string,
  ) {
    super(`The resource ${from} references ${ref}, which is not found`);
  }
}

// Keys that describe how a resource is composed, not what its data looks like.
const COMPOSITION_KEYS = new Set(['allOf', 'definitions', 'properties', 'required', 'refs']);

/** Integer subtypes are told apart only by their bounds (platform-api.md §2.12). */
function integerType(field: JsonObject): string {
  const min = typeof field.minimum === 'number' ? field.minimum : -Infinity;
  const max = typeof field.maximum === 'number' ? field.maximum : Infinity;
  if (min >= -128 && max <= 128) return 'byte';
  if (min >= -32768 && max <= 32768) return 'short';
  if (min >= -2147483648 && max <= 2147483648) return 'int';
  return 'long';
}

export function xdmTypeOf(field: JsonObject): string {
  if (field['meta:xdmType'] === 'map') return 'map';
  switch (field.type) {
    case 'string':
      if (field.format === 'date') return 'date';
      if (field.format === 'date-time') return 'date-time';
      return 'string';
    case 'integer':
      return integerType(field);
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'object':
      return !isObject(field.properties) && isObject(field.additionalProperties) ? 'map' : 'object';
    default:
      return isObject(field.properties) ? 'object' : typeof field['meta:xdmType'] === 'string' ? field['meta:xdmType'] : 'string';
  }
}

function mergeProperties(target: Record<string, JsonObject>, source: unknown): void {
  if (!isObject(source)) return;
  for (const [name, field] of Object.entries(source)) {
    if (!isObject(field)) continue;
    const existing = target[name];
    // Two field groups may both add to the same object (the tenant namespace): merge, do not replace.
    if (existing && isObject(existing.properties) && isObject(field.properties)) {
      const properties = { ...(existing.properties as Record<string, JsonObject>) };
      mergeProperties(properties, field.properties);
      const required = [...new Set([...asStrings(existing.required), ...asStrings(field.required)])];
      target[name] = { ...existing, ...field, properties, ...(required.length > 0 ? { required } : {}) };
    } else {
      target[name] = field;
    }
  }
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

interface Accumulator {
  properties: Record<string, JsonObject>;
  required: string[];
}

function collect(resource: JsonObject, lookup: ResourceLookup, visiting: Set<string>, acc: Accumulator): void {
  const self = String(resource.$id ?? '');
  const fragment = (part: JsonObject) => {
    mergeProperties(acc.properties, part.properties);
    acc.required.push(...asStrings(part.required));
  };
  fragment(resource);
  const parts = Array.isArray(resource.allOf) ? resource.allOf : [];
  for (const part of parts) {
    if (!isObject(part)) continue;
    const ref = part.$ref;
    if (typeof ref !== 'string') {
      fragment(part);
      continue;
    }
    if (ref.startsWith('#/definitions/')) {
      const definitions = isObject(resource.definitions) ? resource.definitions : {};
      const local = definitions[ref.slice('#/definitions/'.length)];
      if (!isObject(local)) throw new UnresolvedReferenceError(ref, self);
      fragment(local);
      continue;
    }
    const target = lookup(ref);
    if (!target) throw new UnresolvedReferenceError(ref, self);
    if (visiting.has(target.$id)) continue;
    visiting.add(target.$id);
    collect(target, lookup, visiting, acc);
    visiting.delete(target.$id);
  }
}

function resolveField(field: JsonObject, lookup: ResourceLookup, from: string, visiting: Set<string>): ResolvedField {
  const ref = field.$ref;
  if (typeof ref === 'string') {
    const datatype = lookup(ref);
    if (!datatype) throw new UnresolvedReferenceError(ref, from);
    if (visiting.has(datatype.$id)) return { type: 'object', 'meta:xdmType': 'object', 'meta:referencedFrom': ref };
    visiting.add(datatype.$id);
    const acc: Accumulator = { properties: {}, required: [] };
    collect(datatype, lookup, new Set([datatype.$id]), acc);
    const { $ref: _ref, ...own } = field;
    const resolved = resolveField(
      {
        type: datatype.type ?? 'object',
        ...(datatype.items !== undefined ? { items: datatype.items } : {}),
        ...own,
        properties: { ...acc.properties, ...(isObject(own.properties) ? own.properties : {}) },
        ...(acc.required.length > 0 ? { required: acc.required } : {}),
        'meta:referencedFrom': ref,
      },
      lookup,
      from,
      visiting,
    );
    visiting.delete(datatype.$id);
    if (resolved.type === 'array') delete resolved.properties;
    return resolved;
  }
  const out: ResolvedField = { ...(field as ResolvedField) };
  if (isObject(field.properties)) {
    out.properties = {};
    for (const [name, child] of Object.entries(field.properties)) {
      if (isObject(child)) out.properties[name] = resolveField(child, lookup, from, visiting);
    }
    out.type ??= 'object';
  }
  if (isObject(field.items)) out.items = resolveField(field.items, lookup, from, visiting);
  if (isObject(field.additionalProperties)) out.additionalProperties = resolveField(field.additionalProperties, lookup, from, visiting);
  out['meta:xdmType'] = xdmTypeOf(out);
  return out;
}

/** Resolves any resource (schema, class, field group, data type) into its full view. */
export function resolveResource(resource: XdmResource, lookup: ResourceLookup): ResolvedSchema {
  const acc: Accumulator = { properties: {}, required: [] };
  collect(resource, lookup, new Set([resource.$id]), acc);
  const properties: Record<string, ResolvedField> = {};
  for (const [name, field] of Object.entries(acc.properties)) {
    properties[name] = resolveField(field, lookup, resource.$id, new Set());
  }
  const meta: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) if (!COMPOSITION_KEYS.has(key)) meta[key] = value;
  const required = [...new Set(acc.required)];
  return {
    ...meta,
    type: 'object',
    'meta:xdmType': 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
  } as ResolvedSchema;
}

const NODE_MAPS = new Set(['properties', 'definitions']);
const NODE_CHILDREN = new Set(['items', 'additionalProperties']);

function stripNode(node: unknown, keepText: boolean): unknown {
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(node)) {
    if (!keepText && (key === 'title' || key === 'description')) continue;
    if (NODE_MAPS.has(key) && isObject(child)) {
      // Keys of these maps are field names (a field may be called "title"): strip inside, not the keys.
      out[key] = Object.fromEntries(Object.entries(child).map(([name, field]) => [name, stripNode(field, false)]));
    } else if (NODE_CHILDREN.has(key)) out[key] = stripNode(child, false);
    else if (key === 'allOf' && Array.isArray(child)) out[key] = child.map((part) => stripNode(part, false));
    else out[key] = child;
  }
  return out;
}

/** The `-notext` variants: no titles or descriptions on fields (the resource keeps its own title). */
export function withoutText<T>(resource: T): T {
  return stripNode(resource, true) as T;
}
