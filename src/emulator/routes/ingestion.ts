// Batch Ingestion (platform-api.md §4): create a batch, upload files (one
// PUT, or the large-file protocol), then COMPLETE / ABORT / REVERT. Bytes are
// streamed to disk, never held whole; processing is the worker's job
// (ingest/batch-worker.ts). A large file's parts are written in place into
// its assembly when no received part overlaps them (store/assembly-claims.ts),
// so that COMPLETE copies only the parts that could not be, usually none.
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { ulid } from 'ulid';
import { legacyError } from '../errors.ts';
import { header, mediaType, readJson, requireContentType, sendEmpty, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import { createBatchWorker } from '../ingest/batch-worker.ts';
import type { BatchInternal, BatchWorker } from '../ingest/batch-worker.ts';
import { csvOptionsOf } from '../ingest/csv-options.ts';
import { partialIngestionPercent } from '../ingest/partial-ingestion.ts';
import { readRecords } from '../ingest/read-records.ts';
import type { InputFormat } from '../ingest/read-records.ts';
import { IngestFileError } from '../ingest/types.ts';
import { catalogServices, userOf } from '../store/catalog-services.ts';
import type { CatalogServices } from '../store/catalog-services.ts';
import { partitionOf } from '../store/catalog-store.ts';
import type { CatalogBody, Partition } from '../store/catalog-store.ts';
import type { StoredPart } from '../store/batch-files.ts';
import { createAssemblyClaims } from '../store/assembly-claims.ts';
import { SizeLimitError } from '../store/file-store.ts';
import { safeRelativePath } from '../store/paths.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const BASE = '/data/foundation/import';
/** The largest PATCH part (platform-api.md §4.4). */
export const MAX_PART_BYTES = 512_000_000;
const FORMATS = new Set<InputFormat>(['parquet', 'json', 'csv']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function decodePath(raw: string | undefined): string {
  let decoded: string;
  try {
    decoded = (raw ?? '').split('/').map(decodeURIComponent).join('/');
  } catch {
    throw legacyError(400, 'Invalid file name: malformed percent-encoding');
  }
  return safeRelativePath(decoded);
}

function decodeId(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch {
    throw legacyError(400, 'Malformed id in the path');
  }
}

/**
 * The request body as chunks. Stopping early (a size limit) must not destroy
 * the request, or the socket goes with it and the client never reads the
 * refusal: the rest of the body is left for node:http to drain.
 */
function bodyOf(req: EmulatorRequest): AsyncIterable<Uint8Array> {
  return req.raw.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
}

/** A preview cell as text: objects and lists as JSON, dates in ISO form. */
function previewCell(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The client went away mid-body: nothing was stored and nobody is left to answer. */
function clientGone(req: EmulatorRequest, res: ServerResponse): boolean {
  if (!req.raw.destroyed && !req.raw.readableAborted) return false;
  res.destroy();
  return true;
}

function requireOctets(req: EmulatorRequest): void {
  if (mediaType(req) !== 'application/octet-stream') {
    throw legacyError(415, `Unsupported media type '${header(req, 'content-type') ?? ''}': file uploads must be sent as application/octet-stream`);
  }
}

/** `bytes a-b` or `bytes a-b/total` (also `bytes=a-b`), inclusive offsets. */
export function parseContentRange(value: string | undefined): { first: number; last: number; total?: number } {
  const match = value ? /^bytes[ =](\d+)-(\d+)(?:\/(\d+|\*))?$/i.exec(value.trim()) : null;
  if (!match) throw legacyError(400, `Invalid Content-Range '${value ?? ''}': expected 'bytes {first}-{last}' or 'bytes {first}-{last}/{total}'`);
  const first = Number(match[1]);
  const last = Number(match[2]);
  const total = match[3] !== undefined && match[3] !== '*' ? Number(match[3]) : undefined;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) throw legacyError(400, `Invalid Content-Range '${value}': the last byte is before the first`);
  if (total !== undefined && last >= total) throw legacyError(400, `Invalid Content-Range '${value}': the range ends beyond the total`);
  return { first, last, ...(total !== undefined ? { total } : {}) };
}

/** Received parts as merged ranges: `bytes=0-99,200-299`. */
export function receivedRange(parts: readonly StoredPart[]): string {
  const merged: Array<[number, number]> = [];
  for (const { first, last } of [...parts].sort((a, b) => a.first - b.first)) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return `bytes=${merged.map(([a, b]) => `${a}-${b}`).join(',')}`;
}

/** Parts must tile 0..end exactly: a gap or an overlap is an error at COMPLETE. */
export function checkParts(parts: readonly StoredPart[], total: number | undefined): void {
  let next = 0;
  for (const part of [...parts].sort((a, b) => a.first - b.first || a.last - b.last)) {
    if (part.first < next) throw legacyError(400, `Overlapping chunks: bytes ${part.first}-${part.last} overlap bytes already received up to ${next - 1}`);
    if (part.first > next) throw legacyError(400, `Missing chunk: bytes ${next}-${part.first - 1} were never uploaded`);
    next = part.last + 1;
  }
  if (total !== undefined && next !== total) throw legacyError(400, `Missing chunk: bytes ${next}-${total - 1} were never uploaded`);
}

export function register(routes: RouteTable, ctx: EmulatorContext): void {
  const services: CatalogServices = catalogServices(ctx);
  const { catalog, batchFiles, files } = services;
  const worker: BatchWorker = createBatchWorker(services);
  const claims = createAssemblyClaims();
  worker.resume();
  finishReverts();

  function batchOf(p: Partition, id: string) {
    const batch = catalog.get('batches', p, id);
    if (!batch) throw legacyError(404, `Batch ${id} not found`);
    // A batch written through Catalog alone has no staging area to take files.
    if (!('datasetId' in batch.internal)) throw legacyError(400, `Batch ${id} was not created through the import API`);
    return { body: batch.body, internal: batch.internal as unknown as BatchInternal };
  }

  /** The batch a file request names, checked against its dataset and its state. */
  function uploadTarget(req: EmulatorRequest) {
    const p = partitionOf(req.scope);
    const batchId = decodeId(req.params.batchId);
    const datasetId = decodeId(req.params.datasetId);
    const batch = batchOf(p, batchId);
    if (!catalog.get('dataSets', p, datasetId)) throw legacyError(404, `Dataset ${datasetId} not found`);
    if (batch.internal.datasetId !== datasetId) throw legacyError(400, `Batch ${batchId} does not belong to dataset ${datasetId}`);
    const name = decodePath(req.params['*']);
    return { p, batchId, datasetId, batch, name };
  }

  function requireLoading(batchId: string, batch: { body: CatalogBody; internal: BatchInternal }): void {
    if (batch.body.status !== 'loading' || batch.internal.completeRequested) {
      throw legacyError(400, `Batch ${batchId} is no longer accepting files (status ${String(batch.body.status)}${batch.internal.completeRequested ? ', completed' : ''})`);
    }
  }

  /** The batch again once a body has streamed in: it may have been reverted or its sandbox reset meanwhile. */
  async function batchAfterUpload(p: Partition, batchId: string, blob: string) {
    try {
      return batchOf(p, batchId);
    } catch (error) {
      await files.remove(blob);
      throw error;
    }
  }

  async function dropBlobs(blobs: readonly (string | undefined)[]): Promise<void> {
    await Promise.all(blobs.filter((b): b is string => b !== undefined).map((blob) => files.remove(blob)));
  }

  routes.platform('POST', `${BASE}/batches`, async (req, res) => {
    requireContentType(req, 'application/json');
    const input = await readJson(req);
    if (!isObject(input)) throw legacyError(400, 'The request body must be a JSON object');
    const p = partitionOf(req.scope);
    const datasetId = input.datasetId;
    if (typeof datasetId !== 'string' || datasetId === '') throw legacyError(400, 'datasetId is required');
    // The dataset is named in the body, not the path: an unknown one is a bad request.
    if (!catalog.get('dataSets', p, datasetId)) throw legacyError(400, `Dataset ${datasetId} not found`);
    const inputFormat = input.inputFormat ?? {};
    if (!isObject(inputFormat)) throw legacyError(400, 'inputFormat must be an object');
    const format = String(inputFormat.format ?? 'parquet').toLowerCase() as InputFormat;
    if (!FORMATS.has(format)) throw legacyError(400, `Unsupported inputFormat.format '${String(inputFormat.format)}': use parquet, json or csv`);
    if (inputFormat.isMultiLineJson !== undefined && typeof inputFormat.isMultiLineJson !== 'boolean') throw legacyError(400, 'inputFormat.isMultiLineJson must be a boolean');
    for (const key of ['delimiter', 'quote', 'escape'] as const) {
      const value = inputFormat[key];
      if (value !== undefined && (typeof value !== 'string' || value.length !== 1)) throw legacyError(400, `inputFormat.${key} must be one character`);
    }
    if (inputFormat.header !== undefined && typeof inputFormat.header !== 'boolean') throw legacyError(400, 'inputFormat.header must be a boolean');
    if (inputFormat.nullMarker !== undefined && typeof inputFormat.nullMarker !== 'string') throw legacyError(400, 'inputFormat.nullMarker must be a string');
    const csv = csvOptionsOf(inputFormat, catalog.get('dataSets', p, datasetId)!.body.fileDescription);
    if (input.enableErrorDiagnostics !== undefined && typeof input.enableErrorDiagnostics !== 'boolean') throw legacyError(400, 'enableErrorDiagnostics must be a boolean');
    const threshold = partialIngestionPercent(input);
    if (threshold.error) throw legacyError(400, threshold.error);
    const tags = input.tags ?? {};
    if (!isObject(tags) || Object.values(tags).some((v) => !Array.isArray(v) || v.some((s) => typeof s !== 'string'))) throw legacyError(400, 'tags must be an object of string arrays');
    if (input.externalId !== undefined && typeof input.externalId !== 'string') throw legacyError(400, 'externalId must be a string');

    const id = ulid();
    const now = ctx.now();
    const diagnostics = input.enableErrorDiagnostics === true;
    const user = userOf(req.scope);
    const body: CatalogBody = {
      id,
      imsOrg: req.scope.orgId,
      updated: now,
      created: now,
      status: 'loading',
      relatedObjects: [{ type: 'dataSet', id: datasetId }],
      version: '1.0.0',
      tags: {
        ...(tags as Record<string, string[]>),
        acp_producer: [req.scope.clientId],
        acp_stagePath: [`${req.scope.clientId}/stage/${id}`],
        ...(diagnostics ? { acp_enableErrorDiagnostics: ['true'] } : {}),
        ...(threshold.percent !== undefined ? { acp_partialIngestionPercent: [String(threshold.percent)] } : {}),
      },
      createdUser: user,
      updatedUser: user,
      createdClient: req.scope.clientId,
      externalId: typeof input.externalId === 'string' ? input.externalId : id,
      inputFormat: { ...inputFormat, format, ...(format === 'json' ? { isMultiLineJson: inputFormat.isMultiLineJson === true } : {}) },
      ...(isObject(input.replay) ? { replay: input.replay } : {}),
    };
    const internal: BatchInternal = {
      scope: req.scope,
      datasetId,
      input: {
        format,
        isMultiLineJson: inputFormat.isMultiLineJson === true,
        ...(format === 'csv' ? csv : {}),
      },
      diagnostics,
      ...(threshold.percent !== undefined ? { partialIngestionPercent: threshold.percent } : {}),
    };
    catalog.transaction(() => {
      catalog.put('batches', p, id, body, internal as unknown as Record<string, unknown>);
      worker.noteOnDataset(p, datasetId, id, 'loading');
    });
    sendJson(res, 201, body);
  });

  const FILE_PATH = `${BASE}/batches/:batchId/datasets/:datasetId/files/*`;

  // Small file: the whole file in one PUT.
  routes.platform('PUT', FILE_PATH, async (req, res) => {
    requireOctets(req);
    const { p, batchId, batch, name } = uploadTarget(req);
    requireLoading(batchId, batch);
    const limit = ctx.settings.smallFileLimit;
    const tooLarge = () =>
      legacyError(413, `The file is larger than ${limit} bytes: upload it with the large-file protocol (action=INITIALIZE, PATCH parts with Content-Range, action=COMPLETE)`);
    const declared = Number(header(req, 'content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge();
    const blob = files.newBlob(p, batchId, 'upload');
    let size: number;
    try {
      size = await files.write(bodyOf(req), blob, limit);
    } catch (error) {
      if (error instanceof SizeLimitError) throw tooLarge();
      if (clientGone(req, res)) return;
      throw error;
    }
    // COMPLETE may have arrived while the bytes were streaming in.
    const now = await batchAfterUpload(p, batchId, blob);
    if (now.body.status !== 'loading' || now.internal.completeRequested) {
      await files.remove(blob);
      requireLoading(batchId, now);
    }
    await dropBlobs([...batchFiles.closeLarge(p, batchId, name), batchFiles.putFile(p, batchId, 'upload', { name, blob, size })]);
    sendEmpty(res, 200);
  });

  // Large file: INITIALIZE and COMPLETE.
  routes.platform('POST', FILE_PATH, async (req, res) => {
    const action = (req.query.get('action') ?? '').toUpperCase();
    const { p, batchId, batch, name } = uploadTarget(req);
    requireLoading(batchId, batch);
    if (action === 'INITIALIZE') {
      await dropBlobs(batchFiles.initializeLarge(p, batchId, name, files.newBlob(p, batchId, 'parts')));
      sendEmpty(res, 201);
      return;
    }
    if (action !== 'COMPLETE') throw legacyError(400, `Unsupported action '${req.query.get('action') ?? ''}': use INITIALIZE or COMPLETE`);
    if (!batchFiles.isLargeOpen(p, batchId, name)) throw legacyError(404, `File ${name} was not initialized in batch ${batchId}`);
    const opened = batchFiles.largeAssembly(p, batchId, name);
    // Parts still being written in place finish (or fail) before the parts are read; none starts meanwhile.
    const unseal = opened ? await claims.seal(opened) : undefined;
    try {
      const assembly = batchFiles.largeAssembly(p, batchId, name);
      // Completed, or initialized again, while this waited.
      if (!batchFiles.isLargeOpen(p, batchId, name) || assembly !== opened) throw legacyError(404, `File ${name} was not initialized in batch ${batchId}`);
      const parts = batchFiles.listParts(p, batchId, name);
      checkParts(parts, batchFiles.largeTotal(p, batchId, name));
      // An upload opened by an older emulator has no assembly: its parts all go into a new one.
      const target = assembly ?? files.newBlob(p, batchId, 'parts');
      let size = 0;
      for (const part of parts) {
        if (part.blob !== target) await files.writeAt(createReadStream(files.absolute(part.blob)), target, part.first, part.last - part.first + 1);
        size = Math.max(size, part.last + 1);
      }
      // What a part cut off past the end left in the assembly goes; an empty file is created.
      await files.truncate(target, size);
      const blob = files.newBlob(p, batchId, 'upload');
      await files.adopt(files.absolute(target), blob);
      await dropBlobs([...batchFiles.closeLarge(p, batchId, name), batchFiles.putFile(p, batchId, 'upload', { name, blob, size })]);
      sendJson(res, 201, { name, sizeInBytes: size });
    } finally {
      unseal?.();
    }
  });

  // Large file: one part.
  routes.platform('PATCH', FILE_PATH, async (req, res) => {
    requireOctets(req);
    const { p, batchId, batch, name } = uploadTarget(req);
    requireLoading(batchId, batch);
    const range = parseContentRange(header(req, 'content-range'));
    const length = range.last - range.first + 1;
    if (length > MAX_PART_BYTES) throw legacyError(413, `A chunk may hold at most ${MAX_PART_BYTES} bytes`);
    const declared = header(req, 'content-length');
    if (declared !== undefined && Number(declared) !== length) {
      throw legacyError(400, `Content-Length ${declared} does not match the ${length} bytes of Content-Range ${header(req, 'content-range') ?? ''}`);
    }
    if (!batchFiles.isLargeOpen(p, batchId, name)) throw legacyError(404, `File ${name} was not initialized in batch ${batchId}`);
    const known = batchFiles.largeTotal(p, batchId, name);
    if (range.total !== undefined && known !== undefined && range.total !== known) throw legacyError(400, `Content-Range total ${range.total} differs from the ${known} announced before`);
    const assembly = batchFiles.largeAssembly(p, batchId, name);
    const claim = assembly === undefined ? null : claims.claim(assembly, range.first, range.last, batchFiles.listParts(p, batchId, name));
    const blob = claim && assembly !== undefined ? assembly : files.newBlob(p, batchId, 'parts');
    /** Gives up this part's bytes: a blob of its own goes; an assembly only once no open upload uses it (the range stays unrecorded). */
    const dropBytes = async () => {
      if (!claim || batchFiles.largeAssembly(p, batchId, name) !== blob) await files.remove(blob);
    };
    try {
      let size: number;
      try {
        size = claim ? await files.writeAt(bodyOf(req), blob, range.first, length) : await files.write(bodyOf(req), blob, length);
      } catch (error) {
        await dropBytes();
        if (error instanceof SizeLimitError) throw legacyError(400, `The chunk has more bytes than Content-Range ${header(req, 'content-range') ?? ''} announces`);
        if (clientGone(req, res)) return;
        throw error;
      }
      if (size !== length) {
        await dropBytes();
        throw legacyError(400, `The chunk has ${size} bytes but Content-Range ${header(req, 'content-range') ?? ''} announces ${length}`);
      }
      // COMPLETE or ABORT may have arrived while the bytes were streaming in, or INITIALIZE started the file again.
      let now: ReturnType<typeof batchOf>;
      try {
        now = batchOf(p, batchId);
      } catch (error) {
        await dropBytes();
        throw error;
      }
      const reopened = claim !== null && batchFiles.largeAssembly(p, batchId, name) !== blob;
      if (now.body.status !== 'loading' || now.internal.completeRequested || !batchFiles.isLargeOpen(p, batchId, name) || reopened) {
        await dropBytes();
        requireLoading(batchId, now);
        throw legacyError(404, `File ${name} was not initialized in batch ${batchId}`);
      }
      await dropBlobs([batchFiles.putPart(p, batchId, name, { first: range.first, last: range.last, blob }, range.total)]);
    } finally {
      claim?.release();
    }
    const received = receivedRange(batchFiles.listParts(p, batchId, name));
    sendJson(res, 200, { name, sizeInBytes: length }, { range: received });
  });

  // Large file: what has been received so far.
  routes.platform('HEAD', FILE_PATH, (req, res) => {
    const { p, batchId, name } = uploadTarget(req);
    if (batchFiles.isLargeOpen(p, batchId, name)) {
      const parts = batchFiles.listParts(p, batchId, name);
      sendEmpty(res, 200, parts.length > 0 ? { range: receivedRange(parts) } : {});
      return;
    }
    const done = batchFiles.getFile(p, batchId, 'upload', name);
    if (!done) throw legacyError(404, `File ${name} not found in batch ${batchId}`);
    sendEmpty(res, 200, done.size > 0 ? { range: `bytes=0-${done.size - 1}` } : {});
  });

  routes.platform('POST', `${BASE}/batches/:batchId`, async (req: EmulatorRequest, res: ServerResponse) => {
    const p = partitionOf(req.scope);
    const batchId = decodeId(req.params.batchId);
    const action = (req.query.get('action') ?? '').toUpperCase();
    const batch = batchOf(p, batchId);
    const status = String(batch.body.status);
    switch (action) {
      case 'COMPLETE': {
        if (status === 'aborted' || status === 'inactive' || status === 'deleted') throw legacyError(400, `Batch ${batchId} cannot be completed in status ${status}`);
        if (!batch.internal.completeRequested) {
          const stored = catalog.get('batches', p, batchId)!;
          catalog.put('batches', p, batchId, stored.body, { ...stored.internal, completeRequested: true });
          for (const name of batchFiles.openLargeNames(p, batchId)) await dropBlobs(batchFiles.closeLarge(p, batchId, name));
          worker.start(p, batchId);
        }
        sendEmpty(res, 200);
        return;
      }
      case 'ABORT': {
        if (status !== 'loading' || batch.internal.completeRequested) throw legacyError(400, `Batch ${batchId} cannot be aborted in status ${status}${batch.internal.completeRequested ? ' after COMPLETE' : ''}`);
        worker.setStatus(p, batchId, 'aborted');
        await dropBlobs(batchFiles.forgetBatch(p, batchId));
        sendEmpty(res, 200);
        return;
      }
      case 'FAIL': {
        // Adobe lists FAIL without describing it; the emulator reads it as the
        // producer giving up on a batch it has not finalized: like ABORT, the
        // staged files go, but the batch ends `failed` with the reason in errors.
        if (status !== 'loading' || batch.internal.completeRequested) throw legacyError(400, `Batch ${batchId} cannot be failed in status ${status}${batch.internal.completeRequested ? ' after COMPLETE' : ''}`);
        worker.setStatus(p, batchId, 'failed', { completed: ctx.now(), errors: [{ code: 'FAIL', description: 'The batch was marked failed by its producer.' }] });
        await dropBlobs(batchFiles.forgetBatch(p, batchId));
        sendEmpty(res, 200);
        return;
      }
      case 'REVERT': {
        if (status !== 'success' && status !== 'failed') throw legacyError(400, `Batch ${batchId} cannot be reverted in status ${status}`);
        worker.setStatus(p, batchId, 'inactive');
        ctx.track(deleteLater(p, batchId));
        sendEmpty(res, 200);
        return;
      }
      default:
        throw legacyError(400, `Unsupported action '${req.query.get('action') ?? ''}': use COMPLETE, ABORT, FAIL or REVERT`);
    }
  });

  /** A reverted batch is garbage-collected: its dataSetFiles and bytes go, its status becomes `deleted`. */
  async function deleteLater(p: Partition, batchId: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ctx.settings.processingDelayMs));
    const batch = catalog.get('batches', p, batchId);
    if (!batch || batch.body.status !== 'inactive') return;
    catalog.transaction(() => {
      for (const file of catalog.list('dataSetFiles', p)) if (file.body.batchId === batchId) catalog.delete('dataSetFiles', p, file.id);
      worker.setStatus(p, batchId, 'deleted');
    });
    await dropBlobs(batchFiles.forgetBatch(p, batchId));
    await files.removeBatch(p, batchId);
  }

  function finishReverts(): void {
    for (const batch of catalog.findByStatus('batches', ['inactive'])) ctx.track(deleteLater(batch.partition, batch.id));
  }

  // Preview of an uploaded file, read with the given format parameters.
  routes.platform('GET', `${BASE}/batches/:batchId/datasets/:datasetId/preview`, async (req, res) => {
    const p = partitionOf(req.scope);
    const batchId = decodeId(req.params.batchId);
    const datasetId = decodeId(req.params.datasetId);
    const batch = batchOf(p, batchId);
    if (batch.internal.datasetId !== datasetId) throw legacyError(404, `Batch ${batchId} has no dataset ${datasetId}`);
    const formatParam = req.query.get('format');
    if (!formatParam) throw legacyError(400, 'The format query parameter is required');
    const format = formatParam.toLowerCase() as InputFormat;
    if (!FORMATS.has(format)) throw legacyError(400, `Unsupported format '${formatParam}': use parquet, json or csv`);
    const nrowRaw = req.query.get('nrow') ?? '0';
    const nrow = Number(nrowRaw);
    if (!Number.isInteger(nrow) || nrow < 0) throw legacyError(400, `Invalid nrow '${nrowRaw}'`);
    // nrow 0 (the default) means "as many as a preview shows": 100.
    const wanted = nrow === 0 ? 100 : Math.min(nrow, 100);
    const formatParams = {
      delimiter: req.query.get('delimiter') ?? ',',
      quote: req.query.get('quote') ?? '"',
      escape: req.query.get('escape') ?? '\\',
      charset: req.query.get('charset') ?? 'UTF-8',
      header: (req.query.get('header') ?? 'true') !== 'false',
      format,
    };
    const first = batchFiles.listFiles(p, batchId, 'upload')[0];
    const rows: Array<Record<string, unknown>> = [];
    if (first) {
      try {
        const input = { format, isMultiLineJson: req.query.get('isMultiLineJson') === 'true', delimiter: formatParams.delimiter, quote: formatParams.quote };
        for await (const item of readRecords(files.absolute(first.blob), first.name, input)) {
          if (item.kind === 'record') rows.push(item.record);
          if (rows.length >= wanted) break;
        }
      } catch (error) {
        if (error instanceof IngestFileError) throw legacyError(400, error.description);
        throw error;
      }
    }
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    sendJson(res, 200, {
      formatParams,
      preview: {
        // batch-ingestion.yaml: column ids are strings, and rows are objects of text cells keyed by column name.
        columns: columns.map((name, cid) => ({ cid: String(cid), name })),
        rows: rows.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, previewCell(value)]))),
      },
    });
  });
}
