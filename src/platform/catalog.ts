// Catalog (platform-api.md §3). Catalog answers lists and lookups with an
// object keyed by id; this module turns them into arrays in the server's
// order with `id` filled in. Lists ask for one item more than the caller
// wants, so `hasMore` is known without a second call.
import type { CallOptions, CatalogApi, CatalogListOptions } from './client.ts';
import type { Http, HttpRequest } from './http.ts';
import type { Batch, CatalogPage, DataSet, DataSetFile, PlatformScope } from './types.ts';

const BASE = '/data/foundation/catalog';

/** Catalog's page size when none is given, and its maximum (platform-api.md §3.2). */
export const CATALOG_DEFAULT_LIMIT = 20;
export const CATALOG_MAX_LIMIT = 100;
/** Ids per multi-id lookup, and the longest URL the Platform accepts (414 beyond). */
export const MAX_IDS_PER_LOOKUP = 100;
export const MAX_URL_LENGTH = 2000;

const ACCEPT_JSON = { accept: 'application/json' } as const;
const JSON_BODY = { 'content-type': 'application/json', accept: 'application/json' } as const;

type Keyed<T> = Record<string, Omit<T, 'id'> & { id?: string }>;

/**
 * `{ id1: {...}, id2: {...} }` → `[{ id: id1, ... }, ...]` in the order the
 * server wrote them. The objects are the parsed body's own (nothing else holds
 * them), so the id is written onto each rather than into a copy.
 */
export function keyedToArray<T extends { id: string }>(keyed: Keyed<T> | null | undefined): T[] {
  if (!keyed || typeof keyed !== 'object' || Array.isArray(keyed)) return [];
  const items: T[] = [];
  for (const id in keyed) {
    const value = keyed[id];
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      (value as { id?: string }).id = id;
      items.push(value as T);
    } else {
      items.push({ id } as T);
    }
  }
  return items;
}

/** Query values keep the characters Catalog uses as syntax (`,` for OR, `:` for tags and orderBy) readable. */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

function listQuery(opts: CatalogListOptions | undefined, start: number, limit: number): string {
  let qs = `?start=${start}&limit=${limit}`;
  if (opts?.orderBy) qs += `&orderBy=${encodeQueryValue(opts.orderBy)}`;
  if (opts?.properties && opts.properties.length > 0) qs += `&properties=${encodeQueryValue(opts.properties.join(','))}`;
  const filters = opts?.filters;
  if (filters) {
    for (const name in filters) {
      if (name === 'start' || name === 'limit' || name === 'orderBy' || name === 'properties') continue;
      qs += `&${encodeURIComponent(name)}=${encodeQueryValue(filters[name]!)}`;
    }
  }
  return qs;
}

/**
 * Splits ids into lookups of at most MAX_IDS_PER_LOOKUP ids whose URL stays
 * within MAX_URL_LENGTH (counting the base URL's share, `fixedLength`).
 * Duplicates are dropped; order is kept.
 */
export function chunkIds(ids: readonly string[], fixedLength: number): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = fixedLength;
  for (const id of new Set(ids)) {
    const encodedLength = encodeURIComponent(id).length;
    if (chunk.length > 0 && (chunk.length >= MAX_IDS_PER_LOOKUP || length + 1 + encodedLength > MAX_URL_LENGTH)) {
      chunks.push(chunk);
      chunk = [];
      length = fixedLength;
    }
    length += encodedLength + (chunk.length > 0 ? 1 : 0);
    chunk.push(id);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface CatalogClientOptions {
  /** Length of the base URL (scheme, host, prefix), counted against the 2000-character URL limit. @default 40 */
  readonly baseUrlLength?: number;
}

/** Catalog calls with a few additions beyond the shared interface. */
export interface CatalogClient extends CatalogApi {
  /** `GET /dataSets/{id}`; null on 404. */
  getDataSet(id: string, opts?: CallOptions & { properties?: readonly string[] }): Promise<DataSet | null>;
}

class ScopedCatalog implements CatalogClient {
  constructor(
    private readonly http: Http,
    private readonly scope: PlatformScope,
    private readonly baseUrlLength: number,
  ) {}

  private get(path: string, route: string, opts: CallOptions | undefined, nullOn404 = false): HttpRequest {
    return { api: 'catalog', method: 'GET', path: BASE + path, route, scope: this.scope, headers: ACCEPT_JSON, signal: opts?.signal, nullOn404 };
  }

  private async list<T extends { id: string }>(type: string, opts: CatalogListOptions | undefined): Promise<CatalogPage<T>> {
    const start = Math.max(0, Math.trunc(opts?.start ?? 0));
    const limit = Math.min(CATALOG_MAX_LIMIT, Math.max(1, Math.trunc(opts?.limit ?? CATALOG_DEFAULT_LIMIT)));
    // One more than asked tells whether a next page exists. Catalog refuses
    // more than 100, so a full page of 100 is followed by a one-item probe.
    const ask = Math.min(CATALOG_MAX_LIMIT, limit + 1);
    const keyed = await this.http.json<Keyed<T>>(this.get(`/${type}${listQuery(opts, start, ask)}`, `/${type}`, opts));
    const items = keyedToArray<T>(keyed);
    let hasMore = items.length > limit;
    if (hasMore) items.length = limit;
    else if (ask === limit && items.length === limit && opts?.probe === false) hasMore = true;
    else if (ask === limit && items.length === limit) {
      const probe = await this.http.json<Keyed<T>>(this.get(`/${type}${listQuery(opts, start + limit, 1)}`, `/${type}`, opts));
      hasMore = keyedToArray<T>(probe).length > 0;
    }
    return { items, start, hasMore };
  }

  private async lookupMany<T extends { id: string }>(
    type: string,
    ids: readonly string[],
    opts: (CallOptions & { properties?: readonly string[] }) | undefined,
  ): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    if (ids.length === 0) return found;
    const qs = opts?.properties && opts.properties.length > 0 ? `?properties=${encodeQueryValue(opts.properties.join(','))}` : '';
    const fixed = this.baseUrlLength + BASE.length + type.length + 2 + qs.length;
    const chunks = chunkIds(ids, fixed);
    const pages = await Promise.all(
      chunks.map((chunk) =>
        this.http.jsonOrNull<Keyed<T>>(this.get(`/${type}/${chunk.map(encodeURIComponent).join(',')}${qs}`, `/${type}/{ids}`, opts, true)),
      ),
    );
    for (const page of pages) for (const item of keyedToArray<T>(page)) found.set(item.id, item);
    return found;
  }

  listDataSets(opts?: CatalogListOptions): Promise<CatalogPage<DataSet>> {
    return this.list<DataSet>('dataSets', opts);
  }

  getDataSets(ids: readonly string[], opts?: CallOptions & { properties?: readonly string[] }): Promise<Map<string, DataSet>> {
    return this.lookupMany<DataSet>('dataSets', ids, opts);
  }

  async getDataSet(id: string, opts?: CallOptions & { properties?: readonly string[] }): Promise<DataSet | null> {
    const qs = opts?.properties && opts.properties.length > 0 ? `?properties=${encodeQueryValue(opts.properties.join(','))}` : '';
    const keyed = await this.http.jsonOrNull<Keyed<DataSet>>(this.get(`/dataSets/${encodeURIComponent(id)}${qs}`, '/dataSets/{id}', opts, true));
    return keyedToArray<DataSet>(keyed).find((item) => item.id === id) ?? null;
  }

  async createDataSet(body: Record<string, unknown>, opts?: CallOptions): Promise<string> {
    const refs = await this.http.json<unknown>({
      api: 'catalog',
      method: 'POST',
      path: `${BASE}/dataSets`,
      route: '/dataSets',
      scope: this.scope,
      headers: JSON_BODY,
      body: JSON.stringify(body),
      signal: opts?.signal,
    });
    const ref = Array.isArray(refs) ? refs[0] : undefined;
    const match = typeof ref === 'string' ? /^@\/dataSets\/(.+)$/.exec(ref) : null;
    if (!match?.[1]) throw new TypeError('Catalog created a dataset but answered without its reference');
    return match[1];
  }

  async updateDataSet(id: string, patch: Record<string, unknown>, opts?: CallOptions & { ifMatch?: string }): Promise<void> {
    await this.http.empty({
      api: 'catalog',
      method: 'PATCH',
      path: `${BASE}/dataSets/${encodeURIComponent(id)}`,
      route: '/dataSets/{id}',
      scope: this.scope,
      headers: opts?.ifMatch ? { ...JSON_BODY, 'if-match': opts.ifMatch } : JSON_BODY,
      body: JSON.stringify(patch),
      signal: opts?.signal,
    });
  }

  async deleteDataSet(id: string, opts?: CallOptions): Promise<void> {
    await this.http.empty({
      api: 'catalog',
      method: 'DELETE',
      path: `${BASE}/dataSets/${encodeURIComponent(id)}`,
      route: '/dataSets/{id}',
      scope: this.scope,
      headers: ACCEPT_JSON,
      // Deleting twice is harmless: Catalog answers 200 [] for an unknown id.
      idempotent: true,
      signal: opts?.signal,
    });
  }

  listBatches(opts?: CatalogListOptions): Promise<CatalogPage<Batch>> {
    return this.list<Batch>('batches', opts);
  }

  getBatches(ids: readonly string[], opts?: CallOptions & { properties?: readonly string[] }): Promise<Map<string, Batch>> {
    return this.lookupMany<Batch>('batches', ids, opts);
  }

  async getBatch(id: string, opts?: CallOptions): Promise<Batch | null> {
    const keyed = await this.http.jsonOrNull<Keyed<Batch>>(this.get(`/batches/${encodeURIComponent(id)}`, '/batches/{id}', opts, true));
    const items = keyedToArray<Batch>(keyed);
    return items.find((item) => item.id === id) ?? items[0] ?? null;
  }

  listDataSetFiles(opts?: CatalogListOptions): Promise<CatalogPage<DataSetFile>> {
    return this.list<DataSetFile>('dataSetFiles', opts);
  }
}

export function createCatalogApi(http: Http, scope: PlatformScope, options: CatalogClientOptions = {}): CatalogClient {
  return new ScopedCatalog(http, scope, options.baseUrlLength ?? 40);
}
