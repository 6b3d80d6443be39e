// Data Access (platform-api.md §5): the files a batch produced, their bytes
// (with Range), the rows a batch rejected and its diagnostics, and a dataset
// preview decoded from its Parquet files. Links are absolute, built from the
// origin the client used.
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { EmulatorError, legacyError } from '../errors.ts';
import { header, sendEmpty, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import { coerceRecord } from '../ingest/coerce.ts';
import { plainParquetValue } from '../ingest/parquet-reader.ts';
import type { JsonRecord } from '../ingest/types.ts';
import type { XdmFieldSchema } from '../ingest/xdm-field.ts';
import { catalogServices } from '../store/catalog-services.ts';
import { partitionOf } from '../store/catalog-store.ts';
import type { Partition } from '../store/catalog-store.ts';
import type { StoredFile } from '../store/batch-files.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const BASE = '/data/foundation/export';
const MAX_LIMIT = 100;
const PREVIEW_ROWS = 100;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  parquet: 'application/parquet',
  json: 'application/json',
  csv: 'application/csv',
};

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

function decodeId(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw legacyError(400, 'Malformed id in the path');
  }
}

function pageParams(req: EmulatorRequest): { start: number; limit: number } {
  const check = (name: string, fallback: number, min: number, max: number) => {
    const raw = req.query.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw legacyError(400, `Invalid ${name} value '${raw}': it must be an integer between ${min} and ${max}`);
    }
    return value;
  };
  return { start: check('start', 0, 0, Number.MAX_SAFE_INTEGER), limit: check('limit', MAX_LIMIT, 1, MAX_LIMIT) };
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `size` bytes; null when unsatisfiable. */
export function parseRange(value: string, size: number): { start: number; end: number } | null | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

function listing(req: EmulatorRequest, entries: readonly StoredFile[], href: (name: string) => string) {
  return {
    data: entries.map((entry) => ({ name: entry.name, length: String(entry.size), _links: { self: { href: href(entry.name) } } })),
    _page: { limit: MAX_LIMIT, count: entries.length },
  };
}

export function register(routes: RouteTable, ctx: EmulatorContext): void {
  const { catalog, batchFiles, files, registry } = catalogServices(ctx);

  function requireBatch(p: Partition, batchId: string): void {
    if (!catalog.get('batches', p, batchId)) throw legacyError(404, `Batch ${batchId} not found`);
  }

  async function sendFile(req: EmulatorRequest, res: ServerResponse, file: StoredFile, headOnly = false): Promise<void> {
    const type = contentTypeOf(file.name);
    const common = { 'content-type': type, 'accept-ranges': 'bytes' };
    if (headOnly) {
      sendEmpty(res, 200, { ...common, 'content-length': String(file.size) });
      return;
    }
    const rangeHeader = header(req, 'range');
    const range = rangeHeader ? parseRange(rangeHeader, file.size) : undefined;
    if (range === null) throw new EmulatorError(416, { type: '/placeholder/type/uri', status: 416, title: 'RangeNotSatisfiableError', detail: `Range ${rangeHeader ?? ''} cannot be satisfied for a file of ${file.size} bytes` }, { 'content-range': `bytes */${file.size}` });
    if (range) {
      res.writeHead(206, { ...common, 'content-length': range.end - range.start + 1, 'content-range': `bytes ${range.start}-${range.end}/${file.size}` });
      await pipeline(files.read(file.blob, range), res);
      return;
    }
    res.writeHead(200, { ...common, 'content-length': file.size });
    await pipeline(files.read(file.blob), res);
  }

  routes.platform('GET', `${BASE}/batches/:batchId/files`, (req, res) => {
    const p = partitionOf(req.scope);
    const batchId = decodeId(req.params.batchId);
    requireBatch(p, batchId);
    const { start, limit } = pageParams(req);
    const all = catalog.list('dataSetFiles', p).filter((file) => file.body.batchId === batchId);
    const page = all.slice(start, start + limit);
    const self = `${req.origin}${BASE}/batches/${encodeURIComponent(batchId)}/files`;
    sendJson(res, 200, {
      data: page.map(({ id, body }) => ({
        dataSetFileId: id,
        dataSetViewId: body.dataSetViewId,
        version: body.version,
        created: String(body.created),
        updated: String(body.updated),
        isValid: body.isValid !== false,
        records: String(body.records ?? 0),
        size: String(body.size ?? 0),
        _links: { self: { href: `${req.origin}${BASE}/files/${encodeURIComponent(id)}` } },
      })),
      _page: { limit, count: all.length },
      _links: {
        ...(start + limit < all.length ? { next: { href: `${self}?start=${start + limit}&limit=${limit}` } } : {}),
        page: { href: `${self}?start=${start}&limit=${limit}`, templated: true },
      },
    });
  });

  function dataSetFile(p: Partition, id: string) {
    const file = catalog.get('dataSetFiles', p, id);
    if (!file) throw legacyError(404, `File ${id} not found`);
    return batchFiles.listFiles(p, String(file.body.batchId), `file:${id}`).map((entry) => ({ ...entry, batchId: String(file.body.batchId) }));
  }

  routes.platform('GET', `${BASE}/files/:fileId`, async (req, res) => {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.fileId);
    const entries = dataSetFile(p, id);
    const path = req.query.get('path');
    if (path === null) {
      const { start, limit } = pageParams(req);
      const body = listing(req, entries.slice(start, start + limit), (name) => `${req.origin}${BASE}/files/${encodeURIComponent(id)}?path=${encodeURIComponent(name)}`);
      sendJson(res, 200, { ...body, _page: { limit, count: entries.length } });
      return;
    }
    const file = entries.find((entry) => entry.name === path);
    if (!file) throw legacyError(404, `File ${path} not found in ${id}`);
    await sendFile(req, res, file);
  });

  routes.platform('HEAD', `${BASE}/files/:fileId`, async (req, res) => {
    const p = partitionOf(req.scope);
    const id = decodeId(req.params.fileId);
    const path = req.query.get('path');
    if (path === null) throw legacyError(400, 'The path query parameter is required');
    const file = dataSetFile(p, id).find((entry) => entry.name === path);
    if (!file) throw legacyError(404, `File ${path} not found in ${id}`);
    await sendFile(req, res, file, true);
  });

  routes.platform('GET', `${BASE}/batches/:batchId/failed`, async (req, res) => {
    const p = partitionOf(req.scope);
    const batchId = decodeId(req.params.batchId);
    requireBatch(p, batchId);
    const entries = batchFiles.listFiles(p, batchId, 'failed');
    const path = req.query.get('path');
    if (entries.length === 0) throw legacyError(404, `Batch ${batchId} has no failed records`);
    if (path === null) {
      sendJson(res, 200, listing(req, entries, (name) => `${req.origin}${BASE}/batches/${encodeURIComponent(batchId)}/failed?path=${encodeURIComponent(name)}`));
      return;
    }
    const file = entries.find((entry) => entry.name === path);
    if (!file) throw legacyError(404, `File ${path} not found among the failed records of batch ${batchId}`);
    await sendFile(req, res, file);
  });

  routes.platform('GET', `${BASE}/batches/:batchId/meta`, async (req, res) => {
    const p = partitionOf(req.scope);
    const batchId = decodeId(req.params.batchId);
    requireBatch(p, batchId);
    const entries = batchFiles.listFiles(p, batchId, 'meta');
    const path = (req.query.get('path') ?? '').replace(/^\/+|\/+$/g, '');
    const exact = entries.find((entry) => entry.name === path);
    if (exact) {
      await sendFile(req, res, exact);
      return;
    }
    // A folder: its direct children (files, or sub-folders with their total size).
    const prefix = path === '' ? '' : `${path}/`;
    const children = new Map<string, number>();
    for (const entry of entries) {
      if (!entry.name.startsWith(prefix)) continue;
      const child = entry.name.slice(prefix.length).split('/')[0]!;
      children.set(child, (children.get(child) ?? 0) + entry.size);
    }
    if (children.size === 0) throw legacyError(404, `Path ${path} not found in the metadata of batch ${batchId}`);
    const listed = [...children].map(([name, size]) => ({ name, blob: '', size }));
    sendJson(res, 200, listing(req, listed, (name) => `${req.origin}${BASE}/batches/${encodeURIComponent(batchId)}/meta?path=${encodeURIComponent(prefix + name)}`));
  });

  routes.platform('GET', `${BASE}/datasets/:datasetId/preview`, async (req, res) => {
    const p = partitionOf(req.scope);
    const datasetId = decodeId(req.params.datasetId);
    const dataset = catalog.get('dataSets', p, datasetId);
    if (!dataset) throw legacyError(404, `Dataset ${datasetId} not found`);
    // Rows are given back as they were ingested: dates as full-dates, date-times in ISO form, per the dataset's schema.
    const schemaRef = dataset.body.schemaRef as { id?: string } | undefined;
    const schema = schemaRef?.id ? (registry.resolveSchema(req.scope, schemaRef.id) as XdmFieldSchema | null) : null;
    const asJson = (row: unknown): unknown => {
      const plain = plainParquetValue(row) as JsonRecord;
      return schema ? coerceRecord(plain, schema, 'parquet') : plain;
    };
    const rows: unknown[] = [];
    for (const dataSetFileObject of catalog.list('dataSetFiles', p)) {
      if (dataSetFileObject.internal.dataSetId !== datasetId) continue;
      for (const entry of batchFiles.listFiles(p, String(dataSetFileObject.body.batchId), `file:${dataSetFileObject.id}`)) {
        if (rows.length >= PREVIEW_ROWS) break;
        const file = await asyncBufferFromFile(files.absolute(entry.blob));
        const metadata = await parquetMetadataAsync(file);
        const wanted = Math.min(Number(metadata.num_rows), PREVIEW_ROWS - rows.length);
        const read = await parquetReadObjects({ file, metadata, rowStart: 0, rowEnd: wanted });
        rows.push(...read.map(asJson));
      }
      if (rows.length >= PREVIEW_ROWS) break;
    }
    sendJson(res, 200, { data: rows });
  });
}
