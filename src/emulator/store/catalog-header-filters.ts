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
  // Most requests carry only the transport's and the Platform's headers: the names of the listed objects are gathered only when another header is there.
  let known: Map<string, string> | undefined;
  let inQuery: Set<string> | undefined;
  let merged: URLSearchParams | undefined;
  for (const headerName in headers) {
    const value = headers[headerName];
    if (NEVER_FILTERS.has(headerName) || value === undefined) continue;
    inQuery ??= new Set([...query.keys()].map((name) => name.toLowerCase()));
    if (inQuery.has(headerName)) continue;
    known ??= filterNames(items);
    const name = known.get(headerName);
    if (name === undefined) continue;
    merged ??= new URLSearchParams(query);
    for (const one of Array.isArray(value) ? value : [value]) merged.append(name, one);
  }
  return merged ?? query;
}

/** Lower-cased name → the name as the list parameters and the objects spell it (the first spelling seen wins). */
function filterNames(items: readonly QueryItem[]): Map<string, string> {
  const known = new Map<string, string>();
  for (const name of RESERVED_PARAMETERS) known.set(name.toLowerCase(), name);
  for (const item of items) {
    for (const name of [...Object.keys(item.body), ...Object.keys(item.virtual ?? {}), 'id']) {
      if (!known.has(name.toLowerCase())) known.set(name.toLowerCase(), name);
    }
  }
  return known;
}
