// Catalog list filters sent as request headers (platform-api.md §3.2:
// "Filters may also be sent as headers; query params win"). HTTP header names
// arrive lower-cased, so a header counts as a filter when its name matches,
// ignoring case, a list parameter (`limit`, `orderBy`, `property`, ...) or a
// top-level property of one of the listed objects; the transport's and the
// Platform's own headers never do.
import type { IncomingHttpHeaders } from 'node:http';
import { RESERVED_PARAMETERS } from './catalog-query.ts';
import type { QueryItem } from './catalog-query.ts';

const NEVER_FILTERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'authorization', 'cache-control', 'connection', 'content-length',
  'content-type', 'cookie', 'date', 'host', 'if-match', 'if-none-match', 'keep-alive', 'origin', 'pragma', 'range',
  'referer', 'transfer-encoding', 'user-agent', 'x-api-key', 'x-gw-ims-org-id', 'x-request-id', 'x-sandbox-name',
]);

/** The request's query with the filter headers added; a parameter already in the query keeps its query value. */
export function withHeaderFilters(query: URLSearchParams, headers: IncomingHttpHeaders, items: readonly QueryItem[]): URLSearchParams {
  const known = new Map<string, string>();
  for (const name of RESERVED_PARAMETERS) known.set(name.toLowerCase(), name);
  for (const item of items) {
    for (const name of [...Object.keys(item.body), ...Object.keys(item.virtual ?? {}), 'id']) {
      if (!known.has(name.toLowerCase())) known.set(name.toLowerCase(), name);
    }
  }
  const merged = new URLSearchParams(query);
  const inQuery = new Set([...query.keys()].map((name) => name.toLowerCase()));
  for (const [headerName, value] of Object.entries(headers)) {
    if (NEVER_FILTERS.has(headerName) || inQuery.has(headerName) || value === undefined) continue;
    const name = known.get(headerName);
    if (name === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) merged.append(name, one);
  }
  return merged;
}
