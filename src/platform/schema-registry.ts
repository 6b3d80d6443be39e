// Schema Registry (platform-api.md §2): every GET names its vendor media
// type; ids ($id URIs or meta:altIds) are percent-encoded into one path
// segment; lists page through `_page.next`.
import type { CallOptions, SchemaRegistryApi } from './client.ts';
import type { Http, HttpRequest } from './http.ts';
import type { PlatformScope, XdmListPage, XdmSchema, XdmSchemaSummary } from './types.ts';

const BASE = '/data/foundation/schemaregistry';

export const XDM_ACCEPT = {
  /** Listing: ids, altIds, versions and titles. */
  ids: 'application/vnd.adobe.xed-id+json',
  /** Lookup, raw: $ref/allOf kept. */
  raw: 'application/vnd.adobe.xed+json; version=1',
  /** Lookup, resolved: allOf merged into properties. */
  full: 'application/vnd.adobe.xed-full+json; version=1',
} as const;

const JSON_BODY = { 'content-type': 'application/json', accept: 'application/json' } as const;
const ACCEPT_IDS = { accept: XDM_ACCEPT.ids } as const;
const ACCEPT_RAW = { accept: XDM_ACCEPT.raw } as const;
const ACCEPT_FULL = { accept: XDM_ACCEPT.full } as const;
const ACCEPT_JSON = { accept: 'application/json' } as const;

export type Container = 'tenant' | 'global';

/**
 * Which container a lookup goes to when the caller does not say: Adobe's
 * standard resources (`https://ns.adobe.com/xdm/...`, `_xdm.*`) live in
 * `global`, everything the org created in `tenant`.
 */
export function containerOf(id: string): Container {
  return id.startsWith('https://ns.adobe.com/xdm/') || id.startsWith('_xdm.') ? 'global' : 'tenant';
}

export interface ListSchemasOptions extends CallOptions {
  container: Container;
  /** The previous page's `_page.next`. */
  start?: string;
  /** Hint, 0..300. */
  limit?: number;
  /** `start` and `limit` only work with an order; 'title' is used when they are given without one. */
  orderby?: string;
}

/** Schema Registry calls with a few additions beyond the shared interface. */
export interface SchemaRegistryClient extends SchemaRegistryApi {
  /** Every page of a listing, following `_page.next` until it is null. */
  listAllSchemas(opts: Omit<ListSchemasOptions, 'start'>): Promise<XdmSchemaSummary[]>;
}

class ScopedSchemaRegistry implements SchemaRegistryClient {
  constructor(
    private readonly http: Http,
    private readonly scope: PlatformScope,
  ) {}

  private get(path: string, route: string, headers: Readonly<Record<string, string>>, opts: CallOptions | undefined): HttpRequest {
    return { api: 'schemaRegistry', method: 'GET', path: BASE + path, route, scope: this.scope, headers, signal: opts?.signal };
  }

  listSchemas(opts: ListSchemasOptions): Promise<XdmListPage<XdmSchemaSummary>> {
    const query = new URLSearchParams();
    const orderby = opts.orderby ?? (opts.start !== undefined || opts.limit !== undefined ? 'title' : undefined);
    if (orderby !== undefined) query.set('orderby', orderby);
    if (opts.start !== undefined) query.set('start', opts.start);
    if (opts.limit !== undefined) query.set('limit', String(opts.limit));
    const qs = query.size > 0 ? `?${query.toString()}` : '';
    return this.http.json<XdmListPage<XdmSchemaSummary>>(
      this.get(`/${opts.container}/schemas${qs}`, `/${opts.container}/schemas`, ACCEPT_IDS, opts),
    );
  }

  async listAllSchemas(opts: Omit<ListSchemasOptions, 'start'>): Promise<XdmSchemaSummary[]> {
    const all: XdmSchemaSummary[] = [];
    let start: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.listSchemas({ ...opts, start });
      all.push(...page.results);
      const next = page._page?.next;
      // A server that hands back a token it already gave would loop forever.
      if (next === null || next === undefined || next === '' || seen.has(next)) return all;
      seen.add(next);
      start = next;
    }
  }

  private lookup(kind: string, id: string, opts: (CallOptions & { full?: boolean; container?: Container }) | undefined): Promise<XdmSchema | null> {
    const container = opts?.container ?? containerOf(id);
    return this.http.jsonOrNull<XdmSchema>({
      ...this.get(`/${container}/${kind}/${encodeURIComponent(id)}`, `/${container}/${kind}/{id}`, opts?.full ? ACCEPT_FULL : ACCEPT_RAW, opts),
      nullOn404: true,
    });
  }

  private write(method: 'POST' | 'PATCH', path: string, route: string, body: unknown, opts: CallOptions | undefined): Promise<XdmSchema> {
    return this.http.json<XdmSchema>({
      api: 'schemaRegistry',
      method,
      path: BASE + path,
      route,
      scope: this.scope,
      headers: JSON_BODY,
      body: JSON.stringify(body),
      signal: opts?.signal,
    });
  }

  getSchema(id: string, opts?: CallOptions & { full?: boolean; container?: Container }): Promise<XdmSchema | null> {
    return this.lookup('schemas', id, opts);
  }

  createSchema(body: Record<string, unknown>, opts?: CallOptions): Promise<XdmSchema> {
    return this.write('POST', '/tenant/schemas', '/tenant/schemas', body, opts);
  }

  patchSchema(id: string, ops: ReadonlyArray<Record<string, unknown>>, opts?: CallOptions): Promise<XdmSchema> {
    return this.write('PATCH', `/tenant/schemas/${encodeURIComponent(id)}`, '/tenant/schemas/{id}', ops, opts);
  }

  getFieldGroup(id: string, opts?: CallOptions & { full?: boolean; container?: Container }): Promise<XdmSchema | null> {
    return this.lookup('fieldgroups', id, opts);
  }

  createFieldGroup(body: Record<string, unknown>, opts?: CallOptions): Promise<XdmSchema> {
    return this.write('POST', '/tenant/fieldgroups', '/tenant/fieldgroups', body, opts);
  }

  patchFieldGroup(id: string, ops: ReadonlyArray<Record<string, unknown>>, opts?: CallOptions): Promise<XdmSchema> {
    return this.write('PATCH', `/tenant/fieldgroups/${encodeURIComponent(id)}`, '/tenant/fieldgroups/{id}', ops, opts);
  }

  getClass(id: string, opts?: CallOptions & { container?: Container }): Promise<XdmSchema | null> {
    return this.lookup('classes', id, opts);
  }

  async getTenantId(opts?: CallOptions): Promise<string> {
    // The documented /stats example sends no vendor type; plain JSON is what it returns.
    const stats = await this.http.json<{ tenantId?: unknown }>(this.get('/stats', '/stats', ACCEPT_JSON, opts));
    if (typeof stats?.tenantId !== 'string') throw new TypeError('Schema Registry /stats answered without a tenantId');
    return stats.tenantId;
  }
}

export function createSchemaRegistryApi(http: Http, scope: PlatformScope): SchemaRegistryClient {
  return new ScopedSchemaRegistry(http, scope);
}
