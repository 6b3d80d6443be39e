// Catalog Service (platform-api.md §3): datasets, batches and dataSetFiles
// as id-keyed objects. Datasets are written here; batches and dataSetFiles
// are written by the import service and its worker and only read here.
import type { ServerResponse } from 'node:http';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { legacyError } from '../errors.ts';
import { header, mediaType, readJson, requireContentType, sendJson } from '../http.ts';
import type { EmulatorRequest, RequestScope } from '../http.ts';
import { withHeaderFilters } from '../store/catalog-header-filters.ts';
import { MAX_LIMIT, listPage, propertiesOf, project, runListQuery } from '../store/catalog-query.ts';
import { contentRangeOf, parseObjectsRange, withObjectsRange } from '../store/catalog-range.ts';
import { listAnswer } from '../store/catalog-page-cache.ts';
import type { QueryItem } from '../store/catalog-query.ts';
import { bumpVersion, catalogServices, newCatalogId, userOf, viewIdOf } from '../store/catalog-services.ts';
import type { CatalogServices } from '../store/catalog-services.ts';
import { partitionOf } from '../store/catalog-store.ts';
import { lockSchemaOfProfileDataset } from '../store/profile-lock.ts';
import type { CatalogBody, CatalogKind, CatalogObject } from '../store/catalog-store.ts';
import { checkIfMatch, etagOf } from './catalog-versions.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const BASE = '/data/foundation/catalog';

/** Datasets listed with their observableSchema (large objects) come at most 20 per page. */
const OBSERVABLE_SCHEMA_MAX_LIMIT = 20;

/** Fields a client may set on a dataset; everything else is Catalog's own. */
const WRITABLE = new Set([
  'name',
  'description',
  'tags',
  'schemaRef',
  'fileDescription',
  'enableErrorDiagnostics',
  'observableSchema',
  'schema',
  'dataSourceId',
  'extensions',
  'classification',
  'dule',
  'persistence',
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What list filters see besides the body: the batch's dataset, the dataSetFile's dataset. */
export function queryItem(kind: CatalogKind, object: CatalogObject): QueryItem {
  if (kind === 'batches') {
    const related = Array.isArray(object.body.relatedObjects) ? (object.body.relatedObjects as Array<Record<string, unknown>>) : [];
    return { id: object.id, body: object.body, virtual: { batch: object.id, dataSet: related.find((r) => r.type === 'dataSet')?.id } };
  }
  if (kind === 'dataSetFiles') return { id: object.id, body: object.body, virtual: { dataSetId: object.internal.dataSetId } };
  return { id: object.id, body: object.body };
}

// What the list filters see of a snapshot, made once per snapshot: the store hands out the same array until a write.
const itemsOfSnapshot = new WeakMap<readonly CatalogObject[], readonly QueryItem[]>();

function queryItemsOf(kind: CatalogKind, objects: readonly CatalogObject[]): readonly QueryItem[] {
  let items = itemsOfSnapshot.get(objects);
  if (items === undefined) {
    items = objects.map((object) => queryItem(kind, object));
    itemsOfSnapshot.set(objects, items);
  }
  return items;
}

function checkTags(tags: unknown, before: unknown): void {
  if (tags === undefined) return;
  if (!isObject(tags) || Object.values(tags).some((values) => !Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
    throw legacyError(400, 'tags must be an object of string arrays');
  }
  const old = isObject(before) ? before : {};
  for (const [namespace, values] of Object.entries(tags)) {
    if (!namespace.startsWith('adobe/') && namespace !== 'adobe') continue;
    if (JSON.stringify(values) !== JSON.stringify(old[namespace])) {
      throw legacyError(403, `Not permitted to create or modify tags for namespace(${namespace}).`);
    }
  }
  for (const namespace of Object.keys(old)) {
    if ((namespace.startsWith('adobe/') || namespace === 'adobe') && !(namespace in tags)) {
      throw legacyError(403, `Not permitted to create or modify tags for namespace(${namespace}).`);
    }
  }
}

/** Checks the client-writable part of a dataset; `before` is the stored dataset on updates. */
function checkDatasetFields(services: CatalogServices, scope: RequestScope, fields: Record<string, unknown>, before?: CatalogBody): void {
  for (const key of Object.keys(fields)) {
    if (WRITABLE.has(key)) continue;
    if (before && JSON.stringify(before[key]) === JSON.stringify(fields[key])) continue;
    throw legacyError(400, `The property '${key}' is read-only and cannot be set`);
  }
  if (fields.name !== undefined && (typeof fields.name !== 'string' || fields.name.trim() === '')) throw legacyError(400, 'name must be a non-empty string');
  if (fields.description !== undefined && typeof fields.description !== 'string') throw legacyError(400, 'description must be a string');
  if (fields.enableErrorDiagnostics !== undefined && typeof fields.enableErrorDiagnostics !== 'boolean') {
    throw legacyError(400, 'enableErrorDiagnostics must be a boolean');
  }
  if (fields.fileDescription !== undefined && !isObject(fields.fileDescription)) throw legacyError(400, 'fileDescription must be an object');
  checkTags(fields.tags, before?.tags);
  const schemaRef = fields.schemaRef;
  if (!isObject(schemaRef) || typeof schemaRef.id !== 'string' || schemaRef.id === '') {
    throw legacyError(400, 'schemaRef with the id of an XDM schema is required');
  }
  if (before && isObject(before.schemaRef) && before.schemaRef.id === schemaRef.id) return;
  if (!services.registry.resolveSchema(scope, schemaRef.id)) throw legacyError(400, 'There was a problem retrieving xdm schema');
}

function writableOf(body: CatalogBody): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => WRITABLE.has(key)));
}

function validateOnly(req: EmulatorRequest): boolean {
  return (header(req, 'pragma') ?? '').toLowerCase().includes('validate-only');
}

function decodeId(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw legacyError(400, 'Malformed object id in the path');
  }
}

export function register(routes: RouteTable, ctx: EmulatorContext): void {
  const services = catalogServices(ctx);
  const { catalog } = services;

  function list(kind: CatalogKind) {
    return (req: EmulatorRequest, res: ServerResponse) => {
      const snapshot = catalog.snapshot(kind, partitionOf(req.scope));
      const items = queryItemsOf(kind, snapshot);
      const filtered = withHeaderFilters(req.query, req.headers, items);
      const maxLimit = kind === 'dataSets' && propertiesOf(filtered)?.includes('observableSchema') ? OBSERVABLE_SCHEMA_MAX_LIMIT : MAX_LIMIT;
      const { query, honoured } = withObjectsRange(filtered, parseObjectsRange(header(req, 'range'), maxLimit));
      const answer = listAnswer(snapshot, `${honoured ? 'range' : 'query'} ${query.toString()}`, () => {
        const page = listPage(items, query, maxLimit);
        const text = JSON.stringify(page.objects);
        return {
          text,
          headers: {
            'content-type': 'application/json;charset=utf-8',
            'content-length': String(Buffer.byteLength(text)),
            ...(honoured ? { 'content-range': contentRangeOf(page.start, page.count, page.total) } : {}),
          },
        };
      });
      res.writeHead(200, answer.headers);
      res.end(answer.text);
    };
  }

  function lookup(kind: CatalogKind) {
    return (req: EmulatorRequest, res: ServerResponse) => {
      const p = partitionOf(req.scope);
      const ids = decodeId(req.params.ids).split(',').map((id) => id.trim()).filter(Boolean);
      if (ids.length === 0) throw legacyError(400, 'At least one id is required');
      if (ids.length > 100) throw legacyError(400, 'At most 100 ids can be looked up at once');
      const properties = propertiesOf(req.query);
      const out: Record<string, CatalogBody> = {};
      let single: CatalogBody | undefined;
      for (const id of new Set(ids)) {
        const object = catalog.get(kind, p, id);
        if (!object) continue;
        out[id] = project(object.body, properties);
        single = object.body;
      }
      if (Object.keys(out).length === 0) throw legacyError(404, `No ${kind} found with id(s) ${ids.join(',')}`);
      sendJson(res, 200, out, ids.length === 1 && single ? { 'e-tag': etagOf(single), etag: etagOf(single) } : {});
    };
  }

  routes.platform('GET', `${BASE}/dataSets`, list('dataSets'));
  routes.platform('GET', `${BASE}/dataSets/:ids`, lookup('dataSets'));
  routes.platform('GET', `${BASE}/batches`, list('batches'));
  routes.platform('GET', `${BASE}/batches/:ids`, lookup('batches'));
  routes.platform('GET', `${BASE}/dataSetFiles`, list('dataSetFiles'));
  routes.platform('GET', `${BASE}/dataSetFiles/:ids`, lookup('dataSetFiles'));

  // The dataset's `files` link: its dataSetFiles.
  routes.platform('GET', `${BASE}/dataSets/:id/views/:viewId/files`, (req, res) => {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.id);
    const dataset = catalog.get('dataSets', p, id);
    if (!dataset || dataset.body.viewId !== decodeId(req.params.viewId)) throw legacyError(404, `No dataSets found with id ${id} and view ${req.params.viewId ?? ''}`);
    const items = catalog
      .snapshot('dataSetFiles', p)
      .filter((file) => file.internal.dataSetId === id)
      .map((file) => queryItem('dataSetFiles', file));
    sendJson(res, 200, runListQuery(items, req.query));
  });

  // The last batches of datasets, keyed by dataset id (platform-api.md §3.5).
  routes.platform('GET', `${BASE}/lastBatches`, (req, res) => {
    const p = partitionOf(req.scope);
    const raw = req.query.get('dataSetId');
    if (!raw) throw legacyError(400, 'The dataSetId query parameter is required');
    const out: Record<string, CatalogBody> = {};
    for (const id of new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))) {
      const dataset = catalog.get('dataSets', p, id);
      if (!dataset) continue;
      const body = dataset.body;
      out[id] = {
        ...(body.lastBatchId !== undefined ? { lastBatchId: body.lastBatchId, lastBatchStatus: body.lastBatchStatus } : {}),
        ...(body.lastSuccessfulBatch !== undefined ? { lastSuccessfulBatchId: body.lastSuccessfulBatch } : {}),
        ...(body.lastFailedBatch !== undefined ? { lastFailedBatchId: body.lastFailedBatch } : {}),
        imsOrg: body.imsOrg,
        sandboxId: body.sandboxId,
        created: body.created,
        updated: body.updated,
      };
    }
    if (Object.keys(out).length === 0) throw legacyError(404, `No dataSets found with id(s) ${raw}`);
    sendJson(res, 200, out);
  });

  routes.platform('POST', `${BASE}/dataSets`, async (req, res) => {
    requireContentType(req, 'application/json');
    const input = await readJson(req);
    if (!isObject(input)) throw legacyError(400, 'The request body must be a JSON object');
    checkDatasetFields(services, req.scope, input);
    const now = ctx.now();
    const id = newCatalogId(now);
    const viewId = viewIdOf(id);
    if (validateOnly(req)) {
      sendJson(res, 200, []);
      return;
    }
    const user = userOf(req.scope);
    const body: CatalogBody = {
      ...writableOf(input),
      imsOrg: req.scope.orgId,
      sandboxId: req.scope.sandbox.id,
      namespace: 'ACP',
      state: 'DRAFT',
      enableErrorDiagnostics: input.enableErrorDiagnostics ?? false,
      tags: input.tags ?? {},
      version: '1.0.0',
      created: now,
      updated: now,
      createdClient: req.scope.clientId,
      createdUser: user,
      updatedUser: user,
      viewId,
      files: `@/dataSets/${id}/views/${viewId}/files`,
      schemaMetadata: { delta: [], gdpr: [] },
    };
    catalog.put('dataSets', partitionOf(req.scope), id, body, {});
    lockSchemaOfProfileDataset(services.registry, req.scope, body);
    sendJson(res, 201, [`@/dataSets/${id}`], { location: `${req.origin}${BASE}/dataSets/${id}` });
  });

  async function update(req: EmulatorRequest, res: ServerResponse, mode: 'patch' | 'put'): Promise<void> {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.ids);
    const type = mediaType(req);
    if (mode === 'put') requireContentType(req, 'application/json');
    else requireContentType(req, 'application/json', 'application/json-patch+json');
    const input = await readJson(req);
    const stored = catalog.get('dataSets', p, id);
    if (!stored) throw legacyError(404, `No dataSets found with id ${id}`);
    checkIfMatch(req, stored.body);
    let fields: Record<string, unknown>;
    if (type === 'application/json-patch+json') {
      if (!Array.isArray(input)) throw legacyError(400, 'A JSON Patch document must be an array of operations');
      try {
        fields = fastJsonPatch.applyPatch(structuredClone(stored.body), input as Operation[], true, false).newDocument;
      } catch (cause) {
        throw legacyError(400, `Invalid JSON Patch: ${cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause)}`);
      }
      if (!isObject(fields)) throw legacyError(400, 'The patched dataset must stay an object');
      for (const key of Object.keys(stored.body)) if (!WRITABLE.has(key) && !(key in fields)) fields[key] = stored.body[key];
    } else {
      if (!isObject(input)) throw legacyError(400, 'The request body must be a JSON object');
      fields = mode === 'patch' ? { ...writableOf(stored.body), ...input } : input;
    }
    const system = Object.fromEntries(Object.entries(stored.body).filter(([key]) => !WRITABLE.has(key)));
    const writable = Object.fromEntries(Object.entries(fields).filter(([key]) => !(key in system) || JSON.stringify(system[key]) !== JSON.stringify(fields[key])));
    checkDatasetFields(services, req.scope, writable, stored.body);
    if (validateOnly(req)) {
      sendJson(res, 200, []);
      return;
    }
    const body: CatalogBody = {
      ...writableOf(writable),
      ...system,
      version: bumpVersion(stored.body.version),
      updated: ctx.now(),
      updatedUser: userOf(req.scope),
    };
    catalog.put('dataSets', p, id, body);
    lockSchemaOfProfileDataset(services.registry, req.scope, body);
    sendJson(res, 200, [`@/dataSets/${id}`]);
  }

  routes.platform('PATCH', `${BASE}/dataSets/:ids`, (req, res) => update(req, res, 'patch'));
  routes.platform('PUT', `${BASE}/dataSets/:ids`, (req, res) => update(req, res, 'put'));

  routes.platform('DELETE', `${BASE}/dataSets/:ids`, (req, res) => {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.ids);
    const stored = catalog.get('dataSets', p, id);
    if (stored) checkIfMatch(req, stored.body);
    const deleted = catalog.delete('dataSets', p, id);
    sendJson(res, 200, deleted ? [`@/dataSets/${id}`] : []);
  });
}
