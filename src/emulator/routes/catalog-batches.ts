// Catalog-side batch writes (platform-api.md §3.5): create, create with a
// given id, replace, merge and the deprecated delete. These batches are
// Catalog records only: files go through batches created by the import API,
// which also owns its batches while they ingest (loading, processing).
import type { ServerResponse } from 'node:http';
import { legacyError } from '../errors.ts';
import { readJson, requireContentType, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import { bumpVersion, catalogServices, newCatalogId, userOf } from '../store/catalog-services.ts';
import { partitionOf } from '../store/catalog-store.ts';
import type { CatalogBody } from '../store/catalog-store.ts';
import { checkIfMatch } from './catalog-versions.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const BASE = '/data/foundation/catalog/batches';

/** The Catalog spec's batch status enum. */
const STATUSES = new Set(['processing', 'success', 'failure', 'queued', 'retrying', 'stalled', 'aborted', 'abandoned', 'inactive', 'failed', 'loading', 'loaded', 'staged', 'active', 'staging', 'deleted']);

/** Fields a client may write on a batch; the rest (id, imsOrg, created, version, users) is Catalog's. */
const WRITABLE = new Set(['status', 'externalId', 'relatedObjects', 'tags', 'inputFormat', 'metrics', 'errors', 'availableDates', 'replay', 'started', 'completed', 'recordCount', 'failedRecordCount', 'size', 'failedBatchLocation']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkFields(fields: Record<string, unknown>): void {
  for (const key of Object.keys(fields)) if (!WRITABLE.has(key)) throw legacyError(400, `The property '${key}' is read-only and cannot be set`);
  if (typeof fields.status !== 'string' || !STATUSES.has(fields.status)) throw legacyError(400, `status is required and must be one of ${[...STATUSES].join(', ')}`);
  if (fields.relatedObjects !== undefined && (!Array.isArray(fields.relatedObjects) || fields.relatedObjects.some((r) => !isObject(r) || typeof r.type !== 'string' || typeof r.id !== 'string'))) {
    throw legacyError(400, 'relatedObjects must be an array of {type, id}');
  }
  if (fields.tags !== undefined && (!isObject(fields.tags) || Object.values(fields.tags).some((v) => !Array.isArray(v) || v.some((s) => typeof s !== 'string')))) {
    throw legacyError(400, 'tags must be an object of string arrays');
  }
}

function decodeId(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw legacyError(400, 'Malformed object id in the path');
  }
}

export function register(routes: RouteTable, ctx: EmulatorContext): void {
  const { catalog } = catalogServices(ctx);

  async function readFields(req: EmulatorRequest): Promise<Record<string, unknown>> {
    requireContentType(req, 'application/json');
    const input = await readJson(req);
    if (!isObject(input)) throw legacyError(400, 'The request body must be a JSON object');
    return input;
  }

  function create(req: EmulatorRequest, id: string, fields: Record<string, unknown>): void {
    checkFields(fields);
    const now = ctx.now();
    const user = userOf(req.scope);
    const body: CatalogBody = {
      ...fields,
      id,
      imsOrg: req.scope.orgId,
      externalId: typeof fields.externalId === 'string' ? fields.externalId : id,
      relatedObjects: fields.relatedObjects ?? [],
      tags: fields.tags ?? {},
      version: '1.0.0',
      created: now,
      updated: now,
      createdClient: req.scope.clientId,
      createdUser: user,
      updatedUser: user,
    };
    catalog.put('batches', partitionOf(req.scope), id, body, {});
  }

  /** A batch the import API created is its own until ingestion ends. */
  function requireNotIngesting(id: string, internal: Record<string, unknown>, status: unknown): void {
    if ('datasetId' in internal && (status === 'loading' || status === 'processing')) {
      throw legacyError(409, `Batch ${id} is being ingested (status ${String(status)}): change it through the import API`);
    }
  }

  routes.platform('POST', BASE, async (req, res) => {
    const fields = await readFields(req);
    const id = newCatalogId(ctx.now());
    create(req, id, fields);
    sendJson(res, 201, [`@/batches/${id}`], { location: `${req.origin}${BASE}/${id}` });
  });

  routes.platform('POST', `${BASE}/:id`, async (req, res) => {
    const id = decodeId(req.params.id);
    const fields = await readFields(req);
    if (catalog.get('batches', partitionOf(req.scope), id)) throw legacyError(409, `Batch ${id} already exists`);
    create(req, id, fields);
    sendJson(res, 200, [`@/batches/${id}`]);
  });

  async function update(req: EmulatorRequest, res: ServerResponse, mode: 'put' | 'patch'): Promise<void> {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.id);
    const input = await readFields(req);
    const stored = catalog.get('batches', p, id);
    if (!stored) throw legacyError(404, `No batches found with id ${id}`);
    checkIfMatch(req, stored.body);
    requireNotIngesting(id, stored.internal, stored.body.status);
    const current = Object.fromEntries(Object.entries(stored.body).filter(([key]) => WRITABLE.has(key)));
    const fields = mode === 'patch' ? { ...current, ...input } : input;
    checkFields(fields);
    const system = Object.fromEntries(Object.entries(stored.body).filter(([key]) => !WRITABLE.has(key)));
    catalog.put('batches', p, id, { ...fields, ...system, version: bumpVersion(stored.body.version), updated: ctx.now(), updatedUser: userOf(req.scope) });
    sendJson(res, 200, [`@/batches/${id}`]);
  }

  routes.platform('PUT', `${BASE}/:id`, (req, res) => update(req, res, 'put'));
  routes.platform('PATCH', `${BASE}/:id`, (req, res) => update(req, res, 'patch'));

  // Deprecated in favour of the import API's REVERT, which also removes the
  // batch's files; here only batches without stored files are deleted.
  routes.platform('DELETE', `${BASE}/:id`, (req, res) => {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.id);
    const stored = catalog.get('batches', p, id);
    if (!stored) {
      sendJson(res, 200, []);
      return;
    }
    checkIfMatch(req, stored.body);
    if ('datasetId' in stored.internal) throw legacyError(409, `Batch ${id} holds ingested data: remove it with the import API's action=REVERT`);
    catalog.delete('batches', p, id);
    sendJson(res, 200, [`@/batches/${id}`]);
  });
}
