// Checks on a tenant resource body before it is stored: its shape per kind,
// and the rule that custom fields live under `_{tenantId}` (platform-api.md
// §2.6, §2.12, §2.14).
import { checkFieldStatuses } from './field-status.ts';
import { isObject } from './kinds.ts';
import type { JsonObject, ResourceType } from './kinds.ts';
import { invalidPayload, namespaceError } from './registry-errors.ts';

const FIELD_NAME = /^[A-Za-z0-9_-]+$/;

function checkTenantObject(field: unknown, tenantId: string, path: string): void {
  if (!isObject(field) || (field.type !== undefined && field.type !== 'object') || !isObject(field.properties)) {
    throw namespaceError(1021, tenantId, `The tenant namespace ${path} must be an object with properties.`);
  }
  checkFieldNames(field.properties, tenantId, path);
}

function checkFieldNames(properties: JsonObject, tenantId: string, path: string): void {
  for (const [name, child] of Object.entries(properties)) {
    if (name.startsWith('_')) {
      throw namespaceError(1022, tenantId, `The field ${path}/${name} starts with an underscore; only the tenant namespace _${tenantId} may.`);
    }
    if (!FIELD_NAME.test(name)) throw invalidPayload(`The field name ${path}/${name} may only contain letters, digits, '-' and '_'.`);
    if (isObject(child) && isObject(child.properties)) checkFieldNames(child.properties, tenantId, `${path}/${name}`);
  }
}

/** Top-level properties a tenant resource defines, from `properties` and every `definitions` fragment. */
function topLevelFieldSets(body: JsonObject): JsonObject[] {
  const sets: JsonObject[] = [];
  if (isObject(body.properties)) sets.push(body.properties);
  if (isObject(body.definitions)) {
    for (const fragment of Object.values(body.definitions)) {
      if (isObject(fragment) && isObject(fragment.properties)) sets.push(fragment.properties);
    }
  }
  if (Array.isArray(body.allOf)) {
    for (const part of body.allOf) if (isObject(part) && isObject(part.properties)) sets.push(part.properties);
  }
  return sets;
}

function checkNamespace(type: ResourceType, body: JsonObject, tenantId: string): void {
  // Data types are reusable shapes placed under a namespaced field; their own field names are free.
  if (type === 'datatypes') return;
  const tenantField = `_${tenantId}`;
  const code = type === 'mixins' ? 1020 : type === 'classes' ? 1023 : 1024;
  for (const fields of topLevelFieldSets(body)) {
    for (const [name, field] of Object.entries(fields)) {
      if (name !== tenantField) throw namespaceError(code, tenantId);
      checkTenantObject(field, tenantId, `/${tenantField}`);
    }
  }
}

function refsOf(body: JsonObject): string[] {
  const allOf = Array.isArray(body.allOf) ? body.allOf : [];
  return allOf.flatMap((part) => (isObject(part) && typeof part.$ref === 'string' && !part.$ref.startsWith('#') ? [part.$ref] : []));
}

export interface BodyCheck {
  /** `$ref`s to other resources in allOf, in order. */
  readonly refs: string[];
}

/** Throws the registry's 400 for a body that cannot be this kind of resource. */
export function checkResourceBody(type: ResourceType, body: unknown, tenantId: string): BodyCheck {
  if (!isObject(body)) throw invalidPayload('The request payload must be a JSON object.');
  if (typeof body.title !== 'string' || body.title.trim() === '') throw invalidPayload('title is required and must be a non-empty string.');
  if (body.description !== undefined && typeof body.description !== 'string') throw invalidPayload('description must be a string.');
  if (type === 'datatypes') {
    if (body.type !== 'object' && body.type !== 'array') throw invalidPayload('type must be "object" or "array".');
    if (body.type === 'array' && !isObject(body.items)) throw invalidPayload('An array data type needs items.');
  } else if (body.type !== 'object') {
    throw invalidPayload('type must be "object".');
  }
  if (body.allOf !== undefined && !Array.isArray(body.allOf)) throw invalidPayload('allOf must be an array.');
  if (body.definitions !== undefined && !isObject(body.definitions)) throw invalidPayload('definitions must be an object.');
  if (body.properties !== undefined && !isObject(body.properties)) throw invalidPayload('properties must be an object.');
  if (type === 'schemas' && (!Array.isArray(body.allOf) || body.allOf.length === 0)) {
    throw invalidPayload('A schema needs allOf with one class $ref and any field group $refs.');
  }
  if (type === 'mixins' && !Array.isArray(body['meta:intendedToExtend'])) {
    throw invalidPayload('A field group needs meta:intendedToExtend, the list of classes it can be used with.');
  }
  checkFieldStatuses(body);
  if (body['meta:immutableTags'] !== undefined) {
    const tags = body['meta:immutableTags'];
    if (!Array.isArray(tags) || !tags.every((t) => t === 'union')) throw invalidPayload('meta:immutableTags may only hold "union".');
  }
  checkNamespace(type, body, tenantId);
  return { refs: refsOf(body) };
}
