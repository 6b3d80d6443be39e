// `meta:status` on the fields of a tenant resource. Deprecating a custom
// field is a PUT or PATCH that sets `meta:status: "deprecated"` on it; the
// field stays, data keeps flowing (a non-breaking change), and the status
// shows in every view of the resource. The values are those of the XDM
// standard library's resources.
import { isObject } from './kinds.ts';
import type { JsonObject } from './kinds.ts';
import { invalidPayload } from './registry-errors.ts';

export const FIELD_STATUSES = ['stable', 'experimental', 'deprecated'] as const;

function checkField(field: JsonObject, path: string): void {
  const status = field['meta:status'];
  if (status !== undefined && !(FIELD_STATUSES as readonly unknown[]).includes(status)) {
    throw invalidPayload(`meta:status of ${path} must be one of ${FIELD_STATUSES.join(', ')}.`);
  }
  checkFields(field.properties, path);
  if (isObject(field.items)) checkField(field.items, `${path}/items`);
  if (isObject(field.additionalProperties)) checkField(field.additionalProperties, `${path}/additionalProperties`);
}

function checkFields(properties: unknown, path: string): void {
  if (!isObject(properties)) return;
  for (const [name, field] of Object.entries(properties)) if (isObject(field)) checkField(field, `${path}/${name}`);
}

/** Refuses a `meta:status` on any field (in properties, definitions or allOf fragments) that is not a known status. */
export function checkFieldStatuses(body: JsonObject): void {
  checkFields(body.properties, '');
  if (isObject(body.definitions)) {
    for (const [key, fragment] of Object.entries(body.definitions)) if (isObject(fragment)) checkFields(fragment.properties, `#/definitions/${key}`);
  }
  if (Array.isArray(body.allOf)) for (const part of body.allOf) if (isObject(part)) checkFields(part.properties, '');
  if (isObject(body.items)) checkField(body.items, '/items');
}
