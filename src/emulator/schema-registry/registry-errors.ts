// The Schema Registry's error bodies (shape A). Codes the Platform documents
// are used as documented; where it documents none, the emulator picks one
// and keeps it stable:
// - XDM-1000-400 "Invalid request payload": a body that is not a valid resource.
// - XDM-1001-403 "Operation not allowed": writes to the read-only global container.
// - XDM-1002-400 "Invalid query parameter": bad orderby/start/limit/property.
// - XDM-1020-400..1024-400 "Namespace validation error": 1020 a custom field
//   outside `_{tenant}`, 1021 `_{tenant}` is not an object, 1022 a field name
//   inside the tenant namespace starting with '_', 1023 a tenant class field
//   outside the namespace, 1024 a field on a schema itself outside it.
// - XDM-1528-400 "Union descriptor validation error" (documented): a schema
//   tagged `union` with neither the identityMap field group nor a primary
//   identity descriptor.
// - XDM-1529-400 "Invalid patch": a JSON Patch that cannot be applied.
// - XDM-1530-400 "Immutable tag removal": meta:immutableTags only grow.
// - XDM-1535-400 "Resource in use": deleting a resource other resources reference.
// - XDM-1536-400 "Breaking change not allowed": a non-additive change to a
//   schema (or a resource it uses) after data was ingested with it.
import { registryError } from '../errors.ts';
import type { EmulatorError } from '../errors.ts';
import type { ResourceKind } from './kinds.ts';

export const invalidPayload = (detail: string): EmulatorError => registryError('XDM-1000-400', 'Invalid request payload', detail);

export const readOnlyContainer = (): EmulatorError =>
  registryError('XDM-1001-403', 'Operation not allowed', 'The global container is read-only: create and change resources in the tenant container.');

export const invalidQuery = (detail: string): EmulatorError => registryError('XDM-1002-400', 'Invalid query parameter', detail);

export const namespaceError = (code: 1020 | 1021 | 1022 | 1023 | 1024, tenantId: string, detail?: string): EmulatorError =>
  registryError(
    `XDM-${code}-400`,
    'Namespace validation error',
    detail ??
      `A custom field is defined under an invalid namespace. All custom fields must be defined under a top-level field named _${tenantId}.`,
  );

export const notFound = (kind: ResourceKind, id: string): EmulatorError =>
  registryError(kind.notFoundCode, 'Resource not found', `The requested ${kind.noun} resource ${id} with version 1 is not found.`);

export const titleNotUnique = (existingId: string): EmulatorError =>
  registryError('XDM-1521-400', 'Title not unique', `Object titles must be unique. An object ${existingId} already exists with the same title`);

export const unionWithoutIdentity = (): EmulatorError =>
  registryError(
    'XDM-1528-400',
    'Union descriptor validation error',
    'To participate in a union, a schema must include an identityMap fieldgroup or a primary identity descriptor.',
  );

export const invalidPatch = (detail: string): EmulatorError => registryError('XDM-1529-400', 'Invalid patch', detail);

export const immutableTagRemoved = (): EmulatorError =>
  registryError('XDM-1530-400', 'Immutable tag removal', 'meta:immutableTags values cannot be removed once set.');

export const resourceInUse = (id: string, users: string[]): EmulatorError =>
  registryError('XDM-1535-400', 'Resource in use', `The resource ${id} cannot be deleted: it is referenced by ${users.join(', ')}.`);

export const breakingChange = (schemaId: string, reason: string): EmulatorError =>
  registryError(
    'XDM-1536-400',
    'Breaking change not allowed',
    `The schema ${schemaId} is used by a dataset that holds data; only additive changes are allowed, but ${reason}.`,
  );
