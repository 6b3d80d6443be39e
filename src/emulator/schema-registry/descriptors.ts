// Descriptors (platform-api.md §2.9): metadata attached to a field of a
// tenant schema (identity, friendly name, relationships), stored per
// (org, sandbox) with a 40-hex `@id`.
import { createHash, randomBytes } from 'node:crypto';
import type { RequestScope } from '../http.ts';
import { registryError } from '../errors.ts';
import type { EmulatorContext } from '../routes/types.ts';
import type { Partition } from '../store/catalog-store.ts';
import { isObject } from './kinds.ts';
import type { JsonObject } from './kinds.ts';
import { invalidPayload } from './registry-errors.ts';
import type { ResolvedField } from './resolve.ts';
import type { SchemaRegistryStore } from './store.ts';

export const DESCRIPTOR_TYPES = [
  'xdm:descriptorIdentity',
  'xdm:alternateDisplayInfo',
  'xdm:descriptorReferenceIdentity',
  'xdm:descriptorOneToOne',
  'xdm:descriptorRelationship',
  // Deprecates fields of a schema that come from standard resources (field-deprecation-api in Adobe's XDM guide).
  'xdm:descriptorDeprecated',
] as const;

export interface DescriptorStore {
  /** Descriptors grouped by `@type`, types without descriptors left out. */
  listByType(scope: RequestScope): Record<string, JsonObject[]>;
  get(scope: RequestScope, id: string): JsonObject | undefined;
  create(scope: RequestScope, body: unknown): JsonObject;
  replace(scope: RequestScope, id: string, body: unknown): JsonObject;
  remove(scope: RequestScope, id: string): void;
  /** The descriptors whose source is this schema (`$id`). */
  forSchema(scope: RequestScope, schemaId: string): JsonObject[];
  /** Drops the descriptors of a schema that was deleted. */
  removeForSchema(scope: RequestScope, schemaId: string): void;
  /** Forgets every descriptor of a sandbox (a reset); run it inside the reset's transaction. */
  clearPartition(p: Partition): void;
}

export const descriptorNotFound = (id: string) =>
  registryError('XDM-1014-404', 'Resource not found', `The requested descriptor resource ${id} with version 1 is not found.`);

/** Walks "/a/b/c" through a resolved schema's properties (into array items and maps on the way). */
export function fieldAt(properties: Record<string, ResolvedField>, path: string): ResolvedField | undefined {
  let field: ResolvedField | undefined;
  let children: Record<string, ResolvedField> | undefined = properties;
  for (const segment of path.split('/').slice(1)) {
    field = children?.[segment];
    if (!field) return undefined;
    const inner: ResolvedField = field.items ?? field;
    children = inner.properties;
  }
  return field;
}

export function createDescriptorStore(ctx: EmulatorContext, registry: SchemaRegistryStore): DescriptorStore {
  const { db } = ctx;
  db.exec(`CREATE TABLE IF NOT EXISTS xdm_descriptors (
    org_id TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    source_schema TEXT NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (org_id, sandbox, id)
  )`);
  const sql = {
    all: db.prepare<[string, string], { body: string }>('SELECT body FROM xdm_descriptors WHERE org_id = ? AND sandbox = ? ORDER BY created, id'),
    one: db.prepare<[string, string, string], { body: string }>('SELECT body FROM xdm_descriptors WHERE org_id = ? AND sandbox = ? AND id = ?'),
    insert: db.prepare('INSERT INTO xdm_descriptors (org_id, sandbox, id, type, source_schema, body, created) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    update: db.prepare('UPDATE xdm_descriptors SET type = ?, source_schema = ?, body = ? WHERE org_id = ? AND sandbox = ? AND id = ?'),
    remove: db.prepare('DELETE FROM xdm_descriptors WHERE org_id = ? AND sandbox = ? AND id = ?'),
    removeForSchema: db.prepare('DELETE FROM xdm_descriptors WHERE org_id = ? AND sandbox = ? AND source_schema = ?'),
    clearPartition: db.prepare('DELETE FROM xdm_descriptors WHERE org_id = ? AND sandbox = ?'),
  };

  const all = (scope: RequestScope) => sql.all.all(scope.orgId, scope.sandbox.name).map((row) => JSON.parse(row.body) as JsonObject);
  registry.usePrimaryIdentities((scope, schemaId) =>
    all(scope).some((d) => d['@type'] === 'xdm:descriptorIdentity' && d['xdm:sourceSchema'] === schemaId && d['xdm:isPrimary'] === true),
  );

  function check(scope: RequestScope, body: unknown, self: string | null): JsonObject {
    if (!isObject(body)) throw invalidPayload('The request payload must be a JSON object.');
    const type = body['@type'];
    if (typeof type !== 'string' || !(DESCRIPTOR_TYPES as readonly string[]).includes(type)) {
      throw invalidPayload(`@type must be one of ${DESCRIPTOR_TYPES.join(', ')}.`);
    }
    const source = body['xdm:sourceSchema'];
    if (typeof source !== 'string') throw invalidPayload('xdm:sourceSchema is required.');
    const schema = registry.find(scope, 'tenant', 'schemas', source);
    if (!schema) throw invalidPayload(`The source schema ${source} is not found.`);
    const property = body['xdm:sourceProperty'];
    if (property !== undefined) {
      // A deprecation descriptor may name several fields at once.
      const paths = type === 'xdm:descriptorDeprecated' && Array.isArray(property) && property.length > 0 ? property : [property];
      for (const path of paths) {
        if (typeof path !== 'string' || !path.startsWith('/') || path.endsWith('/')) {
          throw invalidPayload('xdm:sourceProperty must be a path such as /_tenant/field: a leading "/", no trailing "/".');
        }
        const resolved = registry.resolveSchema(scope, schema.$id);
        if (!resolved || !fieldAt(resolved.properties, path)) {
          throw invalidPayload(`The property ${path} does not exist in schema ${schema.$id}.`);
        }
      }
    } else if (type !== 'xdm:alternateDisplayInfo') {
      throw invalidPayload('xdm:sourceProperty is required.');
    }
    if (type === 'xdm:descriptorIdentity') {
      if (typeof body['xdm:namespace'] !== 'string' && typeof body['xdm:namespace'] !== 'number') {
        throw invalidPayload('An identity descriptor needs xdm:namespace.');
      }
      if (body['xdm:isPrimary'] === true) {
        const other = all(scope).find(
          (d) => d['@id'] !== self && d['@type'] === type && d['xdm:sourceSchema'] === schema.$id && d['xdm:isPrimary'] === true,
        );
        if (other) throw invalidPayload(`Schema ${schema.$id} already has a primary identity descriptor (${String(other['@id'])}).`);
      }
    }
    return { ...body, 'xdm:sourceSchema': schema.$id };
  }

  function decorate(scope: RequestScope, id: string, body: JsonObject, created: number, createdClient: string): JsonObject {
    const { '@id': _id, imsOrg: _org, 'meta:containerId': _c, 'meta:sandboxId': _s, 'meta:sandboxType': _t, 'meta:registryMetadata': _m, ...own } = body;
    return {
      '@id': id,
      ...own,
      'xdm:sourceVersion': own['xdm:sourceVersion'] ?? 1,
      imsOrg: scope.orgId,
      version: '1',
      'meta:containerId': 'tenant',
      'meta:sandboxId': scope.sandbox.id,
      'meta:sandboxType': scope.sandbox.type,
      'meta:registryMetadata': {
        'repo:createdDate': created,
        'repo:lastModifiedDate': ctx.now(),
        'xdm:createdClientId': createdClient,
        'xdm:lastModifiedClientId': scope.clientId,
        eTag: createHash('sha256').update(JSON.stringify(own)).digest('hex'),
      },
    };
  }

  return {
    listByType(scope) {
      const grouped: Record<string, JsonObject[]> = {};
      for (const descriptor of all(scope)) (grouped[String(descriptor['@type'])] ??= []).push(descriptor);
      return grouped;
    },
    get(scope, id) {
      const row = sql.one.get(scope.orgId, scope.sandbox.name, id);
      return row ? (JSON.parse(row.body) as JsonObject) : undefined;
    },
    create(scope, body) {
      const checked = check(scope, body, null);
      const id = randomBytes(20).toString('hex');
      const descriptor = decorate(scope, id, checked, ctx.now(), scope.clientId);
      sql.insert.run(scope.orgId, scope.sandbox.name, id, descriptor['@type'], descriptor['xdm:sourceSchema'], JSON.stringify(descriptor), ctx.now());
      return descriptor;
    },
    replace(scope, id, body) {
      const current = this.get(scope, id);
      if (!current) throw descriptorNotFound(id);
      const checked = check(scope, body, id);
      const metadata = current['meta:registryMetadata'] as JsonObject;
      const descriptor = decorate(scope, id, checked, Number(metadata['repo:createdDate']), String(metadata['xdm:createdClientId']));
      sql.update.run(descriptor['@type'], descriptor['xdm:sourceSchema'], JSON.stringify(descriptor), scope.orgId, scope.sandbox.name, id);
      return descriptor;
    },
    remove(scope, id) {
      if (sql.remove.run(scope.orgId, scope.sandbox.name, id).changes === 0) throw descriptorNotFound(id);
    },
    forSchema(scope, schemaId) {
      return all(scope).filter((descriptor) => descriptor['xdm:sourceSchema'] === schemaId);
    },
    removeForSchema(scope, schemaId) {
      sql.removeForSchema.run(scope.orgId, scope.sandbox.name, schemaId);
    },
    clearPartition(p) {
      sql.clearPartition.run(p.org, p.sandbox);
    },
  };
}
