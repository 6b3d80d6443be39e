// Adobe's OpenAPI documents for the five APIs, served as published (see
// openapi/SOURCE.md), so that tools pointed at the emulator can read the
// contract it implements. Read once at start; they never change.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { legacyError } from '../errors.ts';
import type { RouteTable } from './types.ts';

export const OPENAPI_DOCUMENTS = ['catalog', 'batch-ingestion', 'data-access', 'sandbox', 'schema-registry'] as const;

const folder = fileURLToPath(new URL('../openapi/', import.meta.url));

export function registerOpenApiRoutes(routes: RouteTable): void {
  const documents = new Map(OPENAPI_DOCUMENTS.map((name) => [`${name}.yaml`, readFileSync(`${folder}${name}.yaml`)]));
  routes.open('GET', '/openapi/', (req, res) => {
    const body = JSON.stringify({
      documents: OPENAPI_DOCUMENTS.map((name) => ({ name, href: `${req.origin}/openapi/${name}.yaml` })),
    });
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  routes.open('GET', '/openapi/:file', (req, res) => {
    const document = documents.get(req.params.file ?? '');
    if (!document) throw legacyError(404, `No OpenAPI document named ${req.params.file}`);
    res.writeHead(200, { 'content-type': 'application/yaml;charset=utf-8', 'content-length': document.length, 'cache-control': 'public, max-age=3600' });
    res.end(document);
  });
}
