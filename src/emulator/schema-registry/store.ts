// Tenant resources of the Schema Registry, stored per (org, sandbox) in
// SQLite, plus the global container's standard resources. Every write
// checks titles, namespaces, references and, for schemas that hold data,
// that the change is additive.
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import jsonPatch from 'fast-json-patch';
import type { RequestScope } from '../http.ts';
import type { EmulatorContext } from '../routes/types.ts';
import type { Partition } from '../store/catalog-store.ts';
import { findBreakingChange } from './evolution.ts';
import { BEHAVIORS, IDENTITY_MAP_FIELD_GROUP, globalResource, globalResources } from './global-resources.ts';
import { KINDS, altIdOf, isObject } from './kinds.ts';
import type { JsonObject, ResourceType, XdmResource } from './kinds.ts';
import {
  breakingChange,
  immutableTagRemoved,
  invalidPatch,
  invalidPayload,
  notFound,
  resourceInUse,
  titleNotUnique,
  unionWithoutIdentity,
} from './registry-errors.ts';
import { UnresolvedReferenceError, resolveResource } from './resolve.ts';
import type { ResolvedSchema, ResourceLookup } from './resolve.ts';
import { checkResourceBody } from './validate.ts';

export interface SchemaRegistryStore {
  /**
   * The resolved (xed-full) view of a schema in the caller's sandbox, by `$id`
   * or `meta:altId`; null when there is no such schema. Cached until the next
   * write and shared between callers: treat it as read-only.
   */
  resolveSchema(scope: RequestScope, schemaId: string): ResolvedSchema | null;
  /** Locks a schema after data was ingested with it: from then on only additive changes. Unknown ids are ignored. */
  markSchemaInUse(scope: RequestScope, schemaId: string): void;
  isSchemaInUse(scope: RequestScope, schemaId: string): boolean;
  /** A resource of one kind in one container, by `$id` or `meta:altId`. */
  find(scope: RequestScope, container: 'tenant' | 'global', type: ResourceType | 'behaviors', id: string): XdmResource | undefined;
  list(scope: RequestScope, container: 'tenant' | 'global', type: ResourceType | 'behaviors'): XdmResource[];
  create(scope: RequestScope, type: ResourceType, body: unknown): XdmResource;
  replace(scope: RequestScope, type: ResourceType, id: string, body: unknown): XdmResource;
  patch(scope: RequestScope, type: ResourceType, id: string, operations: unknown): XdmResource;
  remove(scope: RequestScope, type: ResourceType, id: string): void;
  /** The full view of any resource in the caller's sandbox. */
  resolve(scope: RequestScope, resource: XdmResource): ResolvedSchema;
  stats(scope: RequestScope): JsonObject;
  /**
   * The system-generated union per class: one for each class that has
   * schemas enabled for Profile (`meta:immutableTags: ["union"]`), composed of all of them.
   */
  unions(scope: RequestScope): XdmResource[];
  /** Creates a resource with a chosen id (the seed), unless that id exists. */
  createWithId(scope: RequestScope, type: ResourceType, hexId: string, body: unknown): XdmResource;
  /** Forgets every tenant resource of a sandbox (a reset); run it inside the reset's transaction. */
  clearPartition(p: Partition): void;
  /**
   * Where the store learns whether a schema has a primary identity descriptor
   * (the descriptor store, which depends on this one, registers itself).
   */
  usePrimaryIdentities(hasPrimaryIdentity: (scope: RequestScope, schemaId: string) => boolean): void;
}

interface Row {
  body: string;
  in_use: number;
  created: number;
}

const SYSTEM_FIELDS = [
  '$id',
  'meta:altId',
  'meta:resourceType',
  'version',
  'meta:registryMetadata',
  'meta:containerId',
  'meta:tenantNamespace',
  'imsOrg',
  'meta:sandboxId',
  'meta:sandboxType',
  'meta:xdmType',
  'meta:class',
  'meta:extends',
  'refs',
  'meta:abstract',
  'meta:extensible',
  'meta:created',
  'meta:updated',
];

/** The version of the standard library the global container mirrors, reported in registry metadata. */
const GLOBAL_LIB_VERSION = '1.0.0';

function bumpMinor(version: string): string {
  const [major = '1', minor = '0'] = version.split('.');
  return `${major}.${Number(minor) + 1}`;
}

/** `Fri Feb 01 2019 22:46:21 GMT+0000 (UTC)`, the /stats date style. */
export function statsDate(ms: number): string {
  // toUTCString() is "Fri, 01 Feb 2019 22:46:21 GMT".
  const [weekday = '', day = '', month = '', year = '', time = ''] = new Date(ms).toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${year} ${time} GMT+0000 (UTC)`;
}

function stripSystemFields(body: JsonObject): JsonObject {
  const clean: JsonObject = { ...body };
  for (const key of SYSTEM_FIELDS) delete clean[key];
  if (Array.isArray(clean.allOf)) {
    // Lookups decorate $ref parts with their type; a body copied from a lookup carries them back.
    clean.allOf = clean.allOf.map((part) => {
      if (!isObject(part) || typeof part.$ref !== 'string') return part;
      const { type: _type, 'meta:xdmType': _xdm, ...rest } = part;
      return rest;
    });
  }
  return clean;
}

export function createSchemaRegistryStoreFor(ctx: EmulatorContext): SchemaRegistryStore {
  const db: Database.Database = ctx.db;
  const { tenantId } = ctx.settings;
  db.exec(`CREATE TABLE IF NOT EXISTS xdm_resources (
    org_id TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    id TEXT NOT NULL,
    alt_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    in_use INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, sandbox, id)
  );
  CREATE UNIQUE INDEX IF NOT EXISTS xdm_resources_alt_id ON xdm_resources (org_id, sandbox, alt_id);
  CREATE INDEX IF NOT EXISTS xdm_resources_title ON xdm_resources (org_id, sandbox, title);`);

  const sql = {
    byId: db.prepare<[string, string, string, string], Row & { resource_type: string }>(
      'SELECT body, in_use, created, resource_type FROM xdm_resources WHERE org_id = ? AND sandbox = ? AND (id = ? OR alt_id = ?)',
    ),
    byType: db.prepare<[string, string, string], Row>(
      'SELECT body, in_use, created FROM xdm_resources WHERE org_id = ? AND sandbox = ? AND resource_type = ? ORDER BY created, id',
    ),
    all: db.prepare<[string, string], Row & { resource_type: string; updated: number }>(
      'SELECT body, in_use, created, updated, resource_type FROM xdm_resources WHERE org_id = ? AND sandbox = ? ORDER BY created, id',
    ),
    inUse: db.prepare<[string, string], Row>(
      `SELECT body, in_use, created FROM xdm_resources WHERE org_id = ? AND sandbox = ? AND in_use = 1 AND resource_type = 'schemas'`,
    ),
    byTitle: db.prepare<[string, string, string], { id: string }>('SELECT id FROM xdm_resources WHERE org_id = ? AND sandbox = ? AND title = ?'),
    insert: db.prepare(
      'INSERT INTO xdm_resources (org_id, sandbox, id, alt_id, resource_type, title, body, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    update: db.prepare('UPDATE xdm_resources SET title = ?, body = ?, updated = ? WHERE org_id = ? AND sandbox = ? AND id = ?'),
    remove: db.prepare('DELETE FROM xdm_resources WHERE org_id = ? AND sandbox = ? AND id = ?'),
    clearPartition: db.prepare('DELETE FROM xdm_resources WHERE org_id = ? AND sandbox = ?'),
    markInUse: db.prepare(`UPDATE xdm_resources SET in_use = 1 WHERE org_id = ? AND sandbox = ? AND (id = ? OR alt_id = ?) AND resource_type = 'schemas'`),
  };

  const resolvedCache = new Map<string, ResolvedSchema>();
  let hasPrimaryIdentity: (scope: RequestScope, schemaId: string) => boolean = () => false;

  /** A schema joining the Profile union needs an identity (XDM-1528-400), checked when the tag is added. */
  function assertUnionIdentity(scope: RequestScope, resource: XdmResource, oldTags: readonly string[]): void {
    const tags = resource['meta:immutableTags'];
    if (!Array.isArray(tags) || !tags.includes('union') || oldTags.includes('union')) return;
    const extendsList = resource['meta:extends'];
    if (Array.isArray(extendsList) && extendsList.includes(IDENTITY_MAP_FIELD_GROUP)) return;
    if (hasPrimaryIdentity(scope, resource.$id)) return;
    throw unionWithoutIdentity();
  }
  const cacheKey = (scope: RequestScope, id: string) => `${scope.orgId}\u0000${scope.sandbox.name}\u0000${id}`;

  function tenantRow(scope: RequestScope, id: string) {
    return sql.byId.get(scope.orgId, scope.sandbox.name, id, id);
  }

  function tenantResource(scope: RequestScope, id: string): XdmResource | undefined {
    const row = tenantRow(scope, id);
    return row ? (JSON.parse(row.body) as XdmResource) : undefined;
  }

  function lookupIn(scope: RequestScope, overrides?: ReadonlyMap<string, XdmResource | null>): ResourceLookup {
    return (id) => {
      if (overrides?.has(id)) return overrides.get(id) ?? undefined;
      return globalResource(id) ?? tenantResource(scope, id);
    };
  }

  function assertTitleUnique(scope: RequestScope, title: string, self: string | null): void {
    for (const row of sql.byTitle.all(scope.orgId, scope.sandbox.name, title)) {
      if (row.id !== self) throw titleNotUnique(row.id);
    }
  }

  function registryMetadata(scope: RequestScope, created: number, createdClient: string, body: JsonObject): JsonObject {
    const now = ctx.now();
    return {
      'repo:createdDate': created,
      'repo:lastModifiedDate': now,
      'xdm:createdClientId': createdClient,
      'xdm:lastModifiedClientId': scope.clientId,
      'xdm:createdUserId': `${createdClient}@techacct.adobe.com`,
      'xdm:lastModifiedUserId': `${scope.clientId}@techacct.adobe.com`,
      eTag: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
      'meta:globalLibVersion': GLOBAL_LIB_VERSION,
    };
  }

  interface Identity {
    readonly id: string;
    readonly version: string;
    readonly created: number;
    readonly createdClient: string;
  }

  /** Adds the system-generated fields to a checked, cleaned body (platform-api.md §2.5, §2.6). */
  function decorate(scope: RequestScope, type: ResourceType, clean: JsonObject, refs: string[], who: Identity): XdmResource {
    const lookup = lookupIn(scope);
    const targets = refs.map((ref) => {
      const target = lookup(ref);
      if (!target) throw invalidPayload(`The referenced resource ${ref} is not found.`);
      return target;
    });
    const computed: JsonObject = {};
    if (type === 'schemas') {
      const classes = targets.filter((t) => t['meta:resourceType'] === 'classes');
      const others = targets.filter((t) => t['meta:resourceType'] !== 'classes' && t['meta:resourceType'] !== 'mixins');
      if (classes.length !== 1) throw invalidPayload(`A schema must reference exactly one class in allOf; found ${classes.length}.`);
      if (others.length > 0) throw invalidPayload(`A schema's allOf may only reference one class and field groups, not ${others[0]!.$id}.`);
      const cls = classes[0]!;
      for (const t of targets) {
        const intended = t['meta:intendedToExtend'];
        // An empty or missing list means the field group fits any class.
        if (Array.isArray(intended) && intended.length > 0 && !intended.includes(cls.$id)) {
          throw invalidPayload(`The field group ${t.$id} cannot be used with the class ${cls.$id}: it extends only ${intended.join(', ')}.`);
        }
      }
      const extendsList = [...((cls['meta:extends'] as string[] | undefined) ?? []), cls.$id];
      for (const t of targets) {
        if (t === cls) continue;
        extendsList.push(...((t['meta:extends'] as string[] | undefined) ?? []), t.$id);
      }
      computed['meta:class'] = cls.$id;
      computed['meta:extends'] = [...new Set(extendsList)];
      computed.refs = refs;
      computed['meta:abstract'] = false;
      computed['meta:extensible'] = false;
      computed.allOf = (clean.allOf as unknown[]).map((part) =>
        isObject(part) && typeof part.$ref === 'string' && !part.$ref.startsWith('#') ? { ...part, type: 'object', 'meta:xdmType': 'object' } : part,
      );
    } else {
      if (type === 'classes') {
        const behaviors = targets.filter((t) => t['meta:resourceType'] === 'behaviors');
        if (behaviors.length !== 1) {
          throw invalidPayload(`A class must reference exactly one behavior in allOf (${BEHAVIORS.join(', ')}).`);
        }
      }
      if (targets.length > 0) computed['meta:extends'] = [...new Set(targets.flatMap((t) => [...((t['meta:extends'] as string[]) ?? []), t.$id]))];
      computed['meta:abstract'] = true;
      computed['meta:extensible'] = true;
    }
    const content: JsonObject = { ...clean, ...computed };
    const resource = {
      $id: who.id,
      'meta:altId': altIdOf(who.id),
      'meta:resourceType': type,
      version: who.version,
      ...content,
      'meta:xdmType': type === 'datatypes' && clean.type === 'array' ? 'array' : 'object',
      imsOrg: scope.orgId,
      'meta:containerId': 'tenant',
      'meta:tenantNamespace': `_${tenantId}`,
      'meta:sandboxId': scope.sandbox.id,
      'meta:sandboxType': scope.sandbox.type,
      'meta:registryMetadata': registryMetadata(scope, who.created, who.createdClient, content),
    } as unknown as XdmResource;
    try {
      resolveResource(resource, lookupIn(scope, new Map([[resource.$id, resource]])));
    } catch (error) {
      if (error instanceof UnresolvedReferenceError) throw invalidPayload(`The referenced resource ${error.ref} is not found.`);
      throw error;
    }
    return resource;
  }

  /** Refuses a write that would change a schema holding data in a non-additive way. */
  function assertAdditive(scope: RequestScope, overrides: ReadonlyMap<string, XdmResource | null>): void {
    const inUse = sql.inUse.all(scope.orgId, scope.sandbox.name).map((row) => JSON.parse(row.body) as XdmResource);
    if (inUse.length === 0) return;
    const before = lookupIn(scope);
    const after = lookupIn(scope, overrides);
    for (const schema of inUse) {
      const next = overrides.has(schema.$id) ? overrides.get(schema.$id) : schema;
      if (!next) throw breakingChange(schema.$id, 'it would be deleted');
      let resolvedAfter: ResolvedSchema;
      try {
        resolvedAfter = resolveResource(next, after);
      } catch (error) {
        if (error instanceof UnresolvedReferenceError) throw breakingChange(schema.$id, `${error.ref} would no longer exist`);
        throw error;
      }
      const reason = findBreakingChange(resolveResource(schema, before), resolvedAfter);
      if (reason) throw breakingChange(schema.$id, reason);
    }
  }

  function existing(scope: RequestScope, type: ResourceType, id: string): XdmResource {
    const row = tenantRow(scope, id);
    if (!row || row.resource_type !== type) throw notFound(KINDS[type], id);
    return JSON.parse(row.body) as XdmResource;
  }

  function insert(scope: RequestScope, type: ResourceType, resource: XdmResource): void {
    const now = ctx.now();
    sql.insert.run(scope.orgId, scope.sandbox.name, resource.$id, resource['meta:altId'], type, resource.title, JSON.stringify(resource), now, now);
    resolvedCache.clear();
  }

  function createAt(scope: RequestScope, type: ResourceType, id: string, body: unknown): XdmResource {
    const { refs } = checkResourceBody(type, body, tenantId);
    const clean = stripSystemFields(body as JsonObject);
    assertTitleUnique(scope, clean.title as string, null);
    const resource = decorate(scope, type, clean, refs, { id, version: '1.0', created: ctx.now(), createdClient: scope.clientId });
    assertUnionIdentity(scope, resource, []);
    insert(scope, type, resource);
    return resource;
  }

  function newId(type: ResourceType, hex: string): string {
    return `https://ns.adobe.com/${tenantId}/${KINDS[type].idSegment}/${hex}`;
  }

  const update = db.transaction((scope: RequestScope, type: ResourceType, id: string, next: (current: XdmResource) => unknown) => {
    const current = existing(scope, type, id);
    const body = next(current);
    const { refs } = checkResourceBody(type, body, tenantId);
    const clean = stripSystemFields(body as JsonObject);
    if (clean.title !== current.title) assertTitleUnique(scope, clean.title as string, current.$id);
    const oldTags = (current['meta:immutableTags'] as string[] | undefined) ?? [];
    const newTags = (clean['meta:immutableTags'] as string[] | undefined) ?? [];
    if (oldTags.some((tag) => !newTags.includes(tag))) throw immutableTagRemoved();
    const metadata = current['meta:registryMetadata'] as JsonObject;
    const resource = decorate(scope, type, clean, refs, {
      id: current.$id,
      version: bumpMinor(current.version),
      created: Number(metadata['repo:createdDate']),
      createdClient: String(metadata['xdm:createdClientId']),
    });
    assertUnionIdentity(scope, resource, oldTags);
    assertAdditive(scope, new Map([[current.$id, resource]]));
    sql.update.run(resource.title, JSON.stringify(resource), ctx.now(), scope.orgId, scope.sandbox.name, current.$id);
    resolvedCache.clear();
    return resource;
  });

  const store: SchemaRegistryStore = {
    resolveSchema(scope, schemaId) {
      const key = cacheKey(scope, schemaId);
      const cached = resolvedCache.get(key);
      if (cached) return cached;
      const resource = tenantResource(scope, schemaId) ?? globalResource(schemaId);
      if (!resource) return null;
      const resolved = resolveResource(resource, lookupIn(scope));
      resolvedCache.set(key, resolved);
      return resolved;
    },
    markSchemaInUse(scope, schemaId) {
      sql.markInUse.run(scope.orgId, scope.sandbox.name, schemaId, schemaId);
    },
    isSchemaInUse(scope, schemaId) {
      return tenantRow(scope, schemaId)?.in_use === 1;
    },
    find(scope, container, type, id) {
      const resource = container === 'global' ? globalResource(id) : tenantResource(scope, id);
      return resource && resource['meta:resourceType'] === type ? resource : undefined;
    },
    list(scope, container, type) {
      if (container === 'global') return globalResources(type);
      return sql.byType.all(scope.orgId, scope.sandbox.name, type).map((row) => JSON.parse(row.body) as XdmResource);
    },
    create: (scope, type, body) => db.transaction(() => createAt(scope, type, newId(type, randomBytes(16).toString('hex')), body))(),
    createWithId(scope, type, hexId, body) {
      const id = newId(type, hexId);
      return db.transaction(() => tenantResource(scope, id) ?? createAt(scope, type, id, body))();
    },
    replace: (scope, type, id, body) => update(scope, type, id, () => body),
    patch(scope, type, id, operations) {
      return update(scope, type, id, (current) => {
        if (!Array.isArray(operations)) throw invalidPatch('The request body must be a JSON Patch array of operations.');
        try {
          return jsonPatch.applyPatch(structuredClone(current), operations as jsonPatch.Operation[], true, false).newDocument;
        } catch (error) {
          throw invalidPatch(error instanceof Error ? error.message.split('\n')[0]! : String(error));
        }
      });
    },
    remove: (scope, type, id) =>
      db.transaction(() => {
        const current = existing(scope, type, id);
        const needle = JSON.stringify(current.$id);
        const users = sql.all
          .all(scope.orgId, scope.sandbox.name)
          .filter((row) => row.body.includes(needle))
          .map((row) => (JSON.parse(row.body) as XdmResource).$id)
          .filter((user) => user !== current.$id);
        if (users.length > 0) throw resourceInUse(current.$id, users);
        assertAdditive(scope, new Map([[current.$id, null]]));
        sql.remove.run(scope.orgId, scope.sandbox.name, current.$id);
        resolvedCache.clear();
      })(),
    resolve(scope, resource) {
      return resolveResource(resource, lookupIn(scope));
    },
    clearPartition(p) {
      sql.clearPartition.run(p.org, p.sandbox);
      resolvedCache.clear();
    },
    usePrimaryIdentities(check) {
      hasPrimaryIdentity = check;
    },
    unions(scope) {
      const byClass = new Map<string, XdmResource[]>();
      for (const row of sql.byType.all(scope.orgId, scope.sandbox.name, 'schemas')) {
        const schema = JSON.parse(row.body) as XdmResource;
        const tags = schema['meta:immutableTags'];
        if (!Array.isArray(tags) || !tags.includes('union') || typeof schema['meta:class'] !== 'string') continue;
        byClass.set(schema['meta:class'], [...(byClass.get(schema['meta:class']) ?? []), schema]);
      }
      const lookup = lookupIn(scope);
      return [...byClass].map(([cls, schemas]) => {
        const id = `${cls}__union`;
        return {
          $id: id,
          'meta:altId': altIdOf(id),
          'meta:resourceType': 'unions',
          version: '1.0',
          title: `${lookup(cls)?.title ?? cls} Union`,
          description: `The union of the Profile-enabled schemas of ${cls}`,
          type: 'object',
          'meta:class': cls,
          'meta:containerId': 'tenant',
          'meta:xdmType': 'object',
          'meta:sandboxId': scope.sandbox.id,
          'meta:sandboxType': scope.sandbox.type,
          allOf: schemas.map((schema) => ({ $ref: schema.$id })),
        } as unknown as XdmResource;
      });
    },
    stats(scope) {
      const rows = sql.all.all(scope.orgId, scope.sandbox.name);
      const resources = rows.map((row) => ({ row, resource: JSON.parse(row.body) as XdmResource }));
      const counts: Record<string, number> = { schemas: 0, mixins: 0, datatypes: 0, classes: 0, unions: store.unions(scope).length };
      for (const { row } of resources) counts[row.resource_type] = (counts[row.resource_type] ?? 0) + 1;
      // The OpenAPI document's array form; the prose docs show an object keyed by class $id instead.
      const usage = new Map<string, JsonObject[]>();
      for (const { resource } of resources) {
        const cls = resource['meta:class'];
        if (resource['meta:resourceType'] !== 'schemas' || typeof cls !== 'string') continue;
        usage.set(cls, [...(usage.get(cls) ?? []), { $id: resource.$id, title: resource.title, description: resource.description ?? '' }]);
      }
      const lookup = lookupIn(scope);
      return {
        imsOrg: scope.orgId,
        tenantId,
        counts,
        recentlyCreatedResources: [...resources]
          .sort((a, b) => b.row.created - a.row.created)
          .slice(0, 5)
          .map(({ row, resource }) => ({
            $id: resource.$id,
            title: resource.title,
            description: resource.description ?? '',
            'meta:resourceType': resource['meta:resourceType'],
            'meta:created': statsDate(row.created),
            version: resource.version,
          })),
        recentlyUpdatedResources: [...resources]
          .sort((a, b) => b.row.updated - a.row.updated)
          .slice(0, 5)
          .map(({ row, resource }) => ({
            $id: resource.$id,
            title: resource.title,
            description: resource.description ?? '',
            'meta:resourceType': resource['meta:resourceType'],
            'meta:updated': statsDate(row.updated),
            ...(typeof resource['meta:class'] === 'string'
              ? { 'meta:class': resource['meta:class'], 'meta:classTitle': lookup(resource['meta:class'])?.title ?? '' }
              : {}),
            version: resource.version,
          })),
        classUsage: [...usage].map(([cls, schemas]) => ({
          $id: cls,
          title: lookup(cls)?.title ?? '',
          numberOfSchemas: schemas.length,
          schemas,
        })),
      };
    },
  };
  return store;
}
