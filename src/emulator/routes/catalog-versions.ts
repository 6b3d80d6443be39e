// Catalog's optimistic concurrency: single-object answers carry the object
// version as E-Tag, and writes with If-Match must name the current one.
import { legacyError } from '../errors.ts';
import { header } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import type { CatalogBody } from '../store/catalog-store.ts';

export function etagOf(body: CatalogBody): string {
  return `"${String(body.version ?? '1.0.0')}"`;
}

export function checkIfMatch(req: EmulatorRequest, body: CatalogBody): void {
  const wanted = header(req, 'if-match');
  if (wanted === undefined) return;
  const current = String(body.version ?? '');
  const candidates = wanted.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
  if (!candidates.includes('*') && !candidates.includes(current)) {
    throw legacyError(412, `The object version ${current} does not match the If-Match header ${wanted}`);
  }
}
