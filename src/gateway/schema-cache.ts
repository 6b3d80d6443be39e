// A short-lived cache of Schema Registry lookups by id, below the per-request
// loaders: a schema looked up by `$id` or `meta:altId` (which always name one
// version; the Accept header picks the form) rarely changes, and pages of
// datasets ask for the same few schemas on every request.
//
// Entries are partitioned by org, sandbox and, in pass-through mode, by the
// forwarded credential (its hash), so that nothing is ever shared across
// them: a caller only gets what its own credential fetched in its own
// sandbox. A Registry write made through the gateway (a schema or field group
// created or patched) empties the writer's partition at once; changes made
// elsewhere show after at most the TTL. Misses (404) are not cached.
import { createHash } from 'node:crypto';
import type { CallOptions, PlatformClient, SchemaRegistryApi, ScopedPlatform } from '../platform/client.ts';
import type { PlatformScope, XdmSchema } from '../platform/types.ts';
import { schemaKey } from './loaders.ts';

export interface SchemaCacheOptions {
  /** How long a lookup is reused; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Most entries kept; the oldest go first. @default 1_000 */
  readonly maxEntries?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export interface SchemaCache {
  /** The client with Registry lookups cached; everything else passes through. */
  wrap(client: PlatformClient): PlatformClient;
  /** Entries held now (expired ones included until they are evicted). */
  readonly size: number;
}

interface Entry {
  readonly schema: XdmSchema;
  readonly expires: number;
}

type LookupOptions = CallOptions & { full?: boolean; container?: 'tenant' | 'global' };

/** Who may see an entry: org, sandbox, and the forwarded credential when there is one. */
export function partitionOf(scope: PlatformScope): string {
  const credential = scope.forwardedAuth
    ? createHash('sha256').update(`${scope.forwardedAuth.apiKey}\n${scope.forwardedAuth.authorization}`).digest('base64url')
    : '';
  return `${scope.orgId}\n${scope.sandbox}\n${credential}`;
}

export function createSchemaCache(options: SchemaCacheOptions): SchemaCache {
  const maxEntries = options.maxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // A write empties a partition by moving it to a new generation: old keys are never asked for again and age out.
  const generations = new Map<string, number>();

  function remember(key: string, schema: XdmSchema): void {
    entries.delete(key);
    entries.set(key, { schema, expires: now() + options.ttlMs });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  function cachedRegistry(registry: SchemaRegistryApi, partition: string): SchemaRegistryApi {
    const keyOf = (kind: string, id: string, opts: LookupOptions | undefined) =>
      `${partition}\n${generations.get(partition) ?? 0}\n${kind}\n${opts?.container ?? ''}\n${opts?.full ? 'full' : 'raw'}\n${schemaKey(id)}`;
    const forget = () => generations.set(partition, (generations.get(partition) ?? 0) + 1);

    async function lookup(kind: string, id: string, opts: LookupOptions | undefined, fetch: () => Promise<XdmSchema | null>): Promise<XdmSchema | null> {
      const key = keyOf(kind, id, opts);
      const hit = entries.get(key);
      if (hit && hit.expires > now()) return hit.schema;
      const schema = await fetch();
      if (schema) remember(key, schema);
      else entries.delete(key);
      return schema;
    }

    /** A write: through to the Registry, then the partition is emptied (a field group change alters every schema that uses it). */
    async function write<T>(call: () => Promise<T>): Promise<T> {
      try {
        return await call();
      } finally {
        // Even a failed write may have changed something (a timeout after the Registry applied it).
        forget();
      }
    }

    return {
      listSchemas: (opts) => registry.listSchemas(opts),
      getSchema: (id, opts) => lookup('schemas', id, opts, () => registry.getSchema(id, opts)),
      createSchema: (body, opts) => write(() => registry.createSchema(body, opts)),
      patchSchema: (id, ops, opts) => write(() => registry.patchSchema(id, ops, opts)),
      getFieldGroup: (id, opts) => lookup('fieldgroups', id, opts, () => registry.getFieldGroup(id, opts)),
      createFieldGroup: (body, opts) => write(() => registry.createFieldGroup(body, opts)),
      patchFieldGroup: (id, ops, opts) => write(() => registry.patchFieldGroup(id, ops, opts)),
      getClass: (id, opts) => registry.getClass(id, opts),
      getTenantId: (opts) => registry.getTenantId(opts),
    };
  }

  function cachedScoped(inner: ScopedPlatform): ScopedPlatform {
    let registry: SchemaRegistryApi | undefined;
    return {
      scope: inner.scope,
      get schemaRegistry() {
        return (registry ??= cachedRegistry(inner.schemaRegistry, partitionOf(inner.scope)));
      },
      get catalog() {
        return inner.catalog;
      },
      get ingestion() {
        return inner.ingestion;
      },
      get dataAccess() {
        return inner.dataAccess;
      },
      get sandboxes() {
        return inner.sandboxes;
      },
    };
  }

  return {
    wrap(client) {
      if (options.ttlMs <= 0) return client;
      return { scoped: (scope) => cachedScoped(client.scoped(scope)), close: () => client.close() };
    },
    get size() {
      return entries.size;
    },
  };
}
