// Batch Ingestion (platform-api.md §4): create a batch, stream files into
// it, complete it. A file goes up in one PUT when its size is known and
// within the small-file limit; otherwise through the large-file protocol
// (INITIALIZE, PATCH parts with Content-Range, COMPLETE). With the size
// known, every request streams its bytes from the source: nothing of the
// file is held here. A file of unknown size is read up to one part first:
// if the stream ends there (and within the small-file limit) those bytes go
// up in one PUT, else they become the first part, and each part is read
// into memory before its PATCH (its Content-Range must name its last byte),
// so memory stays at one part.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CallOptions, IngestionApi, ReceivedRanges, UploadResult, UploadSource } from './client.ts';
import type { Http, HttpRequest, ResponseMeta } from './http.ts';
import type { Batch, PlatformScope } from './types.ts';
import { ByteSlices, toBuffer } from './byte-slices.ts';

const BASE = '/data/foundation/import';

const JSON_BODY = { 'content-type': 'application/json', accept: 'application/json' } as const;
const ACCEPT_JSON = { accept: 'application/json' } as const;
const OCTETS = 'application/octet-stream';
const FILE_ROUTE = '/batches/{id}/datasets/{id}/files/{path}';

export interface IngestionOptions {
  /** Files above this size use the large-file protocol. @default 256 * 1024 * 1024 // 256 MiB, the Platform's single-PUT limit */
  readonly smallFileLimit?: number;
  /** Bytes per PATCH of the large-file protocol, and the memory one upload holds. @default 64 * 1024 * 1024 // 64 MiB */
  readonly partSize?: number;
}

export const DEFAULT_SMALL_FILE_LIMIT = 256 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 64 * 1024 * 1024;
/** The Platform's largest PATCH chunk (platform-api.md §4.4). */
export const MAX_PART_SIZE = 512_000_000;

/** A file path keeps its folders (`part=a/file.parquet`); each segment is percent-encoded. */
export function encodeFilePath(fileName: string): string {
  return fileName.split('/').map(encodeURIComponent).join('/');
}

/** The Content-Range of one part: inclusive offsets, with the total when it is known. */
export function contentRange(first: number, length: number, total: number | undefined): string {
  return `bytes ${first}-${first + length - 1}${total === undefined ? '' : `/${total}`}`;
}

const ignore = (): void => undefined;

/** The result's sha256 field: the digest in hex, or nothing when none was asked for. */
function hexOf(hash: Hash | null): { sha256?: string } {
  return hash ? { sha256: hash.digest('hex') } : {};
}

/** Below this, a part of several chunks is joined by a plain concat; above, it is gathered into one reused buffer of partSize. */
const GATHER_FROM_BYTES = 1024 * 1024;

/**
 * Cuts a stream of unknown size into parts of `partSize` bytes (the last one
 * shorter) and tells, with each part, whether it is the last: it reads one
 * chunk ahead to know. A large part is copied chunk by chunk into one buffer
 * kept for the whole upload, so memory stays at one part plus one chunk (no
 * second copy while joining, no new allocation per part). A part is valid
 * until the next call to `next()`.
 */
export class PartReader {
  private readonly iterator: AsyncIterator<unknown>;
  private pending: Buffer | null = null;
  private ended = false;
  private finished = false;
  private gather: Buffer | null = null;

  constructor(
    stream: Readable | AsyncIterable<unknown>,
    private readonly partSize: number,
  ) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  /** Reads the next non-empty chunk into `pending`, or marks the end. */
  private async pull(): Promise<void> {
    while (!this.pending && !this.ended) {
      const result = await this.iterator.next();
      if (result.done) this.ended = true;
      else {
        const chunk = toBuffer(result.value);
        if (chunk.length > 0) this.pending = chunk;
      }
    }
  }

  /** The next part; null once the stream is exhausted (an empty stream gives one empty, last part). */
  async next(): Promise<{ part: Buffer; last: boolean } | null> {
    if (this.finished) return null;
    let chunks: Buffer[] | null = [];
    let filled = 0;
    while (filled < this.partSize) {
      await this.pull();
      const pending = this.pending;
      if (!pending) break;
      const take = Math.min(this.partSize - filled, pending.length);
      const piece = take === pending.length ? pending : pending.subarray(0, take);
      this.pending = take === pending.length ? null : pending.subarray(take);
      if (chunks && filled + take > GATHER_FROM_BYTES && chunks.length > 0) {
        // A large part: from here on, bytes are copied into the shared buffer as they arrive.
        this.gather ??= Buffer.allocUnsafe(this.partSize);
        let at = 0;
        for (const chunk of chunks) at += chunk.copy(this.gather, at);
        chunks = null;
      }
      if (chunks) chunks.push(piece);
      else piece.copy(this.gather!, filled);
      filled += take;
    }
    await this.pull();
    const last = this.ended && !this.pending;
    if (last) this.finished = true;
    const part = chunks === null ? this.gather!.subarray(0, filled) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, filled);
    return { part, last };
  }

  /** Stops reading early (an error elsewhere): releases the source. */
  async cancel(): Promise<void> {
    this.ended = true;
    this.finished = true;
    this.pending = null;
    this.gather = null;
    await this.iterator.return?.();
  }
}

/**
 * The `Range` header of a file HEAD (`bytes=0-99,200-299`, or `bytes 0-99`):
 * the ranges received. An absent or empty header means nothing received.
 */
export function parseReceivedRanges(value: string | undefined): ReceivedRanges {
  const ranges: Array<readonly [number, number]> = [];
  const list = value?.trim().replace(/^bytes[ =]/i, '') ?? '';
  for (const item of list.split(',')) {
    const match = /^\s*(\d+)-(\d+)(?:\/\S*)?\s*$/.exec(item);
    if (!match) continue;
    const first = Number(match[1]);
    const last = Number(match[2]);
    if (Number.isSafeInteger(first) && Number.isSafeInteger(last) && last >= first) ranges.push([first, last]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let bytes = 0;
  let contiguousBytes = 0;
  for (const [first, last] of ranges) {
    bytes += last - first + 1;
    if (first <= contiguousBytes) contiguousBytes = Math.max(contiguousBytes, last + 1);
  }
  return { ranges, bytes, contiguousBytes };
}

export interface IngestionClient extends IngestionApi {
  readonly smallFileLimit: number;
  readonly partSize: number;
}

type CreateBatchBody = Parameters<IngestionApi['createBatch']>[0];

class ScopedIngestion implements IngestionClient {
  constructor(
    private readonly http: Http,
    private readonly scope: PlatformScope,
    readonly smallFileLimit: number,
    readonly partSize: number,
  ) {}

  private call(method: HttpRequest['method'], path: string, route: string, opts: CallOptions | undefined, extra?: Partial<HttpRequest>): HttpRequest {
    return { api: 'ingestion', method, path: BASE + path, route, scope: this.scope, headers: ACCEPT_JSON, signal: opts?.signal, ...extra };
  }

  createBatch(body: CreateBatchBody, opts?: CallOptions): Promise<Batch> {
    // The Platform's field is partialIngestionPercent; accept the longer spelling too.
    const { partialIngestionPercentage, ...rest } = body;
    const wire = partialIngestionPercentage !== undefined && rest.partialIngestionPercent === undefined
      ? { ...rest, partialIngestionPercent: partialIngestionPercentage }
      : rest;
    // A create is never retried: a lost response may have created a batch, and a second try would make another.
    return this.http.json<Batch>(this.call('POST', '/batches', '/batches', opts, { headers: JSON_BODY, body: JSON.stringify(wire), idempotent: false }));
  }

  async uploadFile(batchId: string, datasetId: string, fileName: string, source: UploadSource, opts?: CallOptions): Promise<UploadResult> {
    if (fileName === '' || fileName.startsWith('/') || fileName.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new TypeError(`Invalid file name for a batch upload: ${JSON.stringify(fileName)}`);
    }
    if (source.size !== undefined && !(Number.isSafeInteger(source.size) && source.size >= 0)) {
      throw new TypeError(`Invalid upload size: ${source.size}`);
    }
    const filePath = `/batches/${encodeURIComponent(batchId)}/datasets/${encodeURIComponent(datasetId)}/files/${encodeFilePath(fileName)}`;
    const hash = source.sha256 === false ? null : createHash('sha256');
    if (source.size !== undefined) {
      try {
        return source.size <= this.smallFileLimit
          ? await this.putStream(filePath, fileName, source.stream, source.size, hash, opts)
          : await this.uploadLargeStreamed(filePath, fileName, source.stream, source.size, hash, opts);
      } catch (error) {
        // Nothing will read the rest: release the source (a multipart parser waits on it otherwise).
        source.stream.destroy();
        throw error;
      }
    }
    const reader = new PartReader(source.stream, this.partSize);
    try {
      const first = await reader.next();
      const bytes = first?.part ?? Buffer.alloc(0);
      if (first === null || (first.last && bytes.length <= this.smallFileLimit)) {
        return await this.putBuffer(filePath, fileName, bytes, hash, opts);
      }
      return await this.uploadLargeBuffered(filePath, fileName, reader, first, hash, opts);
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
  }

  /** One PUT with the source as the body. Not retried: a stream cannot be sent twice. */
  private async putStream(filePath: string, fileName: string, stream: Readable, size: number, hash: Hash | null, opts: CallOptions | undefined): Promise<UploadResult> {
    const slices = new ByteSlices(stream, size, hash ? (chunk) => hash.update(chunk) : ignore);
    await this.http.empty(
      this.call('PUT', filePath, FILE_ROUTE, opts, {
        headers: { 'content-type': OCTETS, 'content-length': String(size), accept: 'application/json' },
        body: slices.take(size, true),
        idempotent: false,
      }),
    );
    slices.confirm(size);
    return { fileName, bytes: slices.offset, ...hexOf(hash), protocol: 'single' };
  }

  /** One PUT of bytes in memory: replayable, so a PUT (idempotent: it replaces the file) may be retried. */
  private async putBuffer(filePath: string, fileName: string, bytes: Buffer, hash: Hash | null, opts: CallOptions | undefined): Promise<UploadResult> {
    await this.http.empty(
      this.call('PUT', filePath, FILE_ROUTE, opts, {
        headers: { 'content-type': OCTETS, accept: 'application/json' },
        body: bytes,
        idempotent: true,
      }),
    );
    return { fileName, bytes: bytes.length, ...hexOf(hash?.update(bytes) ?? null), protocol: 'single' };
  }

  private async initializeLarge(filePath: string, opts: CallOptions | undefined): Promise<void> {
    await this.http.empty(this.call('POST', `${filePath}?action=INITIALIZE`, `${FILE_ROUTE}?action=INITIALIZE`, opts, { idempotent: false }));
  }

  private async completeLarge(filePath: string, opts: CallOptions | undefined): Promise<void> {
    await this.http.empty(this.call('POST', `${filePath}?action=COMPLETE`, `${FILE_ROUTE}?action=COMPLETE`, opts, { idempotent: false }));
  }

  /**
   * The size known: each PATCH streams its part from the source with
   * Content-Length and Content-Range first-last/total, so nothing of the file
   * is held here. Not retried: a streamed part cannot be sent twice (a part
   * that fails is reported, and the Platform's HEAD tells what it holds).
   */
  private async uploadLargeStreamed(filePath: string, fileName: string, stream: Readable, total: number, hash: Hash | null, opts: CallOptions | undefined): Promise<UploadResult> {
    await this.initializeLarge(filePath, opts);
    const slices = new ByteSlices(stream, total, hash ? (chunk) => hash.update(chunk) : ignore);
    for (let first = 0; first < total; first += this.partSize) {
      const length = Math.min(this.partSize, total - first);
      await this.http.empty(
        this.call('PATCH', filePath, FILE_ROUTE, opts, {
          headers: { 'content-type': OCTETS, 'content-length': String(length), 'content-range': contentRange(first, length, total), accept: 'application/json' },
          body: slices.take(length, first + length === total),
          idempotent: false,
        }),
      );
      slices.confirm(first + length);
    }
    await this.completeLarge(filePath, opts);
    return { fileName, bytes: slices.offset, ...hexOf(hash), protocol: 'large' };
  }

  /**
   * The size unknown (until the stream ends): each part is read into memory
   * first, since its Content-Range must name its last byte, then sent. A part
   * in memory names its range, so its PATCH may be sent again.
   */
  private async uploadLargeBuffered(filePath: string, fileName: string, reader: PartReader, firstPart: { part: Buffer; last: boolean }, hash: Hash | null, opts: CallOptions | undefined): Promise<UploadResult> {
    await this.initializeLarge(filePath, opts);
    let offset = 0;
    let next: { part: Buffer; last: boolean } | null = firstPart;
    while (next && next.part.length > 0) {
      const { part } = next;
      hash?.update(part);
      await this.http.empty(
        this.call('PATCH', filePath, FILE_ROUTE, opts, {
          headers: { 'content-type': OCTETS, 'content-range': contentRange(offset, part.length, undefined), accept: 'application/json' },
          body: part,
          // The part is in memory and names its range: sending it again writes the same bytes to the same place.
          idempotent: true,
        }),
      );
      offset += part.length;
      if (next.last) break;
      next = await reader.next();
    }
    await this.completeLarge(filePath, opts);
    return { fileName, bytes: offset, ...hexOf(hash), protocol: 'large' };
  }

  async receivedRanges(batchId: string, datasetId: string, fileName: string, opts?: CallOptions): Promise<ReceivedRanges | null> {
    const filePath = `/batches/${encodeURIComponent(batchId)}/datasets/${encodeURIComponent(datasetId)}/files/${encodeFilePath(fileName)}`;
    // A HEAD is a read: retried like any GET.
    const meta = await this.http.request<ResponseMeta | null>(this.call('HEAD', filePath, FILE_ROUTE, opts, { nullOn404: true }), async (response) => {
      await response.body.dump();
      return { status: response.statusCode, headers: response.headers };
    });
    if (meta === null) return null;
    const range = meta.headers.range;
    return parseReceivedRanges(Array.isArray(range) ? range.join(',') : range);
  }

  async completeBatch(batchId: string, opts?: CallOptions): Promise<void> {
    // COMPLETE is documented as safe to repeat: an accepted batch answers success again.
    await this.http.empty(this.call('POST', `/batches/${encodeURIComponent(batchId)}?action=COMPLETE`, '/batches/{id}?action=COMPLETE', opts, { idempotent: true }));
  }

  async abortBatch(batchId: string, opts?: CallOptions): Promise<void> {
    // Not repeated: a second ABORT after a lost answer would report an error about an already aborted batch.
    await this.http.empty(this.call('POST', `/batches/${encodeURIComponent(batchId)}?action=ABORT`, '/batches/{id}?action=ABORT', opts, { idempotent: false }));
  }
}

export interface ResolvedIngestionOptions {
  readonly smallFileLimit: number;
  readonly partSize: number;
}

/** Applies the defaults and checks the limits once, when the client is created. */
export function resolveIngestionOptions(options: IngestionOptions = {}): ResolvedIngestionOptions {
  const smallFileLimit = options.smallFileLimit ?? DEFAULT_SMALL_FILE_LIMIT;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!(Number.isSafeInteger(partSize) && partSize > 0 && partSize <= MAX_PART_SIZE)) {
    throw new RangeError(`partSize must be an integer between 1 and ${MAX_PART_SIZE}`);
  }
  if (!(Number.isSafeInteger(smallFileLimit) && smallFileLimit >= 0)) throw new RangeError('smallFileLimit must be a non-negative integer');
  return { smallFileLimit, partSize };
}

export function createIngestionApi(http: Http, scope: PlatformScope, options: ResolvedIngestionOptions = resolveIngestionOptions()): IngestionClient {
  return new ScopedIngestion(http, scope, options.smallFileLimit, options.partSize);
}
