// Per-request DataLoaders: every lookup of a dataset, batch or schema made
// while resolving one operation goes through these, so a page of 100 datasets
// with their schemas and last batches costs one Catalog call for the batches
// and one Registry call per distinct schema, not one per row.
//
// The DataLoader contract: the batch function returns one value per key, in
// key order, with an Error (NOT_FOUND) in the slot of a missing key. Resolvers
// of nullable fields turn those into null with `loadOrNull`; mutations `prime`
// what they created and `clear` what they changed.
import DataLoader from 'dataloader';
import type { ScopedPlatform } from '../platform/client.ts';
import type { Batch, DataSet, Sandbox, XdmSchema } from '../platform/types.ts';
import { isNotFound, notFound } from './errors.ts';

/** The Catalog's largest multi-id lookup. */
export const CATALOG_MAX_IDS = 100;

export interface Loaders {
  /** Catalog datasets by id (multi-id lookup, up to 100 ids a call). */
  readonly dataset: DataLoader<string, DataSet>;
  /** Catalog batches by id (multi-id lookup, up to 100 ids a call). */
  readonly batch: DataLoader<string, Batch>;
  /** Resolved (xed-full) schemas by `$id` or `meta:altId`; both spellings of one schema share one call. */
  readonly schema: DataLoader<string, XdmSchema>;
  /** The last batch of a dataset object (from its `lastBatchId`), null when it has none; batched through `batch`. */
  readonly lastBatch: DataLoader<DataSet, Batch | null, string>;
  /** The caller's sandboxes, listed once per request however many fields need them. */
  sandboxes(): Promise<Sandbox[]>;
  /**
   * Loads the schemas of many ids at once (one Registry call per distinct
   * schema), after which `loadedSchema` answers for each of those ids
   * without a promise: a list resolver calls it so that the `schema` field
   * of each of its items resolves at once.
   */
  preloadSchemas(ids: readonly string[]): Promise<void>;
  /** A schema `preloadSchemas` loaded, null when it does not exist; undefined when it was not preloaded (or failed: the loader then says why). */
  loadedSchema(id: string): XdmSchema | null | undefined;
}

/**
 * `https://ns.adobe.com/aeplocal/schemas/abc` and `_aeplocal.schemas.abc` name
 * the same schema (platform-api.md §2.1): one cache key for both.
 */
export function schemaKey(id: string): string {
  const match = /^https?:\/\/ns\.adobe\.com\/(.+)$/.exec(id);
  return match ? `_${match[1]!.replace(/\//g, '.')}` : id;
}

function inKeyOrder<T>(ids: readonly string[], found: ReadonlyMap<string, T>, what: string): Array<T | Error> {
  return ids.map((id) => found.get(id) ?? notFound(what, id));
}

export function createLoaders(platform: ScopedPlatform): Loaders {
  return new RequestLoaders(platform);
}

/**
 * Each loader is built the first time a resolver asks for it: most
 * operations use one or two of them, and a request would otherwise pay for
 * all four (and their closures) whatever it asks.
 */
class RequestLoaders implements Loaders {
  readonly #platform: ScopedPlatform;
  #dataset: DataLoader<string, DataSet> | undefined;
  #batch: DataLoader<string, Batch> | undefined;
  #schema: DataLoader<string, XdmSchema> | undefined;
  #lastBatch: DataLoader<DataSet, Batch | null, string> | undefined;
  #sandboxList: Promise<Sandbox[]> | undefined;
  // By the id as given (not schemaKey): the lookups that follow a preload use the same spelling, and skip the normalisation.
  readonly #preloadedSchemas = new Map<string, XdmSchema | null>();
  // The last page's few distinct ids with their schemas. Its items' ids are
  // fresh strings from the Catalog's JSON: comparing them with a few known
  // ids is cheaper than hashing each one for the map.
  #lastPage: Array<readonly [string, XdmSchema | null]> = [];

  constructor(platform: ScopedPlatform) {
    this.#platform = platform;
  }

  get dataset(): DataLoader<string, DataSet> {
    const catalog = this.#platform.catalog;
    return (this.#dataset ??= new DataLoader<string, DataSet>(async (ids) => inKeyOrder(ids, await catalog.getDataSets(ids), 'Dataset'), {
      name: 'dataset',
      maxBatchSize: CATALOG_MAX_IDS,
    }));
  }

  get batch(): DataLoader<string, Batch> {
    const catalog = this.#platform.catalog;
    return (this.#batch ??= new DataLoader<string, Batch>(async (ids) => inKeyOrder(ids, await catalog.getBatches(ids), 'Batch'), {
      name: 'batch',
      maxBatchSize: CATALOG_MAX_IDS,
    }));
  }

  get schema(): DataLoader<string, XdmSchema> {
    const registry = this.#platform.schemaRegistry;
    // The Registry has no multi-id lookup: one call per distinct schema, in parallel.
    return (this.#schema ??= new DataLoader<string, XdmSchema>(
      (ids) =>
        Promise.all(
          ids.map(async (id) => {
            try {
              return (await registry.getSchema(id, { full: true })) ?? notFound('Schema', id);
            } catch (error) {
              return error instanceof Error ? error : new Error(String(error));
            }
          }),
        ),
      { name: 'schema', cacheKeyFn: schemaKey },
    ));
  }

  get lastBatch(): DataLoader<DataSet, Batch | null, string> {
    return (this.#lastBatch ??= new DataLoader<DataSet, Batch | null, string>(
      async (datasets) => {
        const ids = datasets.map((d) => d.lastBatchId).filter((id): id is string => typeof id === 'string' && id !== '');
        const batches = await this.batch.loadMany(ids);
        const byId = new Map<string, Batch | Error>(ids.map((id, i) => [id, batches[i]!]));
        return datasets.map((d) => {
          if (!d.lastBatchId) return null;
          const found = byId.get(d.lastBatchId);
          // A last batch the Catalog no longer has is no last batch.
          if (found === undefined || (found instanceof Error && isNotFound(found))) return null;
          return found;
        });
      },
      { name: 'lastBatch', cacheKeyFn: (d) => d.id },
    ));
  }

  sandboxes(): Promise<Sandbox[]> {
    return (this.#sandboxList ??= this.#platform.sandboxes.listSandboxes());
  }

  async preloadSchemas(ids: readonly string[]): Promise<void> {
    const preloaded = this.#preloadedSchemas;
    const distinct = distinctIds(ids);
    const missing = distinct.filter((id) => !preloaded.has(id));
    if (missing.length > 0) {
      const results = await this.schema.loadMany(missing);
      missing.forEach((id, i) => {
        const result = results[i];
        if (!(result instanceof Error)) preloaded.set(id, result!);
        else if (isNotFound(result)) preloaded.set(id, null);
      });
    }
    this.#lastPage = distinct.length <= FEW_IDS ? distinct.filter((id) => preloaded.has(id)).map((id) => [id, preloaded.get(id)!] as const) : [];
  }

  loadedSchema(id: string): XdmSchema | null | undefined {
    const lastPage = this.#lastPage;
    for (let i = 0; i < lastPage.length; i++) if (lastPage[i]![0] === id) return lastPage[i]![1];
    return this.#preloadedSchemas.get(id);
  }
}

/** Up to this many distinct ids are told apart by comparing strings; more go through a Set. */
const FEW_IDS = 8;

/** The distinct ids, in order of first appearance. */
function distinctIds(ids: readonly string[]): string[] {
  const few: string[] = [];
  for (const id of ids) {
    if (few.includes(id)) continue;
    if (few.length === FEW_IDS) return [...new Set(ids)];
    few.push(id);
  }
  return few;
}

/** Loads through a loader, turning a missing object into null (nullable fields: no thrown 404 reaches the client). */
export async function loadOrNull<K, V, C>(loader: DataLoader<K, V, C>, key: K): Promise<V | null> {
  try {
    return await loader.load(key);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
