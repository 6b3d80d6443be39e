// Data Access (platform-api.md §5): the files a batch produced, their
// contents, and the rows a batch rejected. Paging is by `start`/`limit`
// (at most 100 per page); the next offset is computed here rather than
// taken from `_links.next.href`, whose host may differ from the base URL.
import type { CallOptions, DataAccessApi } from './client.ts';
import { readBytes, type BodyReader, type Http, type HttpRequest } from './http.ts';
import type { DataAccessFileEntry, DataAccessObject, PlatformScope } from './types.ts';

const BASE = '/data/foundation/export';
const ACCEPT_JSON = { accept: 'application/json' } as const;
const ACCEPT_ANY = { accept: '*/*' } as const;
export const DATA_ACCESS_MAX_LIMIT = 100;

export interface DataAccessOptions {
  /** Largest file downloadFile holds in memory. @default 256 * 1024 * 1024 // 256 MiB */
  readonly maxDownloadBytes?: number;
  /** Largest failed-records file read by failedRows. @default 16 * 1024 * 1024 // 16 MiB */
  readonly maxFailedFileBytes?: number;
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_FAILED_FILE_BYTES = 16 * 1024 * 1024;

interface DataPage<T> {
  data?: T[];
  _page?: { limit?: number; count?: number };
  _links?: { next?: { href?: string } | null };
}

/** Parses JSON Lines; a file that is one JSON array (multi-line JSON) is accepted too. Unparseable lines are kept as `{ _raw }`. */
export function parseJsonRecords(text: string): Array<Record<string, unknown>> {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    try {
      const all = JSON.parse(trimmed) as unknown;
      if (Array.isArray(all)) return all.map(asRecord);
    } catch {
      // Not one array: fall through to line by line.
    }
  }
  const records: Array<Record<string, unknown>> = [];
  for (const line of trimmed.split('\n')) {
    const l = line.trim();
    if (l === '') continue;
    try {
      records.push(asRecord(JSON.parse(l) as unknown));
    } catch {
      records.push({ _raw: l });
    }
  }
  return records;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

class ScopedDataAccess implements DataAccessApi {
  constructor(
    private readonly http: Http,
    private readonly scope: PlatformScope,
    private readonly maxDownloadBytes: number,
    maxFailedFileBytes: number,
  ) {
    this.readFailedFile = readBytes(maxFailedFileBytes, 'dataAccess');
  }

  private readonly readFailedFile: BodyReader<Buffer>;

  private get(path: string, route: string, opts: CallOptions | undefined, headers: Readonly<Record<string, string>> = ACCEPT_JSON): HttpRequest {
    return { api: 'dataAccess', method: 'GET', path: BASE + path, route, scope: this.scope, headers, signal: opts?.signal };
  }

  /**
   * With `limit` (or `start`): that one page. Without: every file, page
   * after page of 100, until a short or empty page or no `_links.next`.
   */
  async listBatchFiles(batchId: string, opts?: CallOptions & { start?: number; limit?: number }): Promise<DataAccessFileEntry[]> {
    const path = `/batches/${encodeURIComponent(batchId)}/files`;
    const onePage = opts?.limit !== undefined || opts?.start !== undefined;
    const limit = Math.min(DATA_ACCESS_MAX_LIMIT, Math.max(1, Math.trunc(opts?.limit ?? DATA_ACCESS_MAX_LIMIT)));
    let start = Math.max(0, Math.trunc(opts?.start ?? 0));
    const all: DataAccessFileEntry[] = [];
    for (;;) {
      const page = await this.http.json<DataPage<DataAccessFileEntry>>(this.get(`${path}?start=${start}&limit=${limit}`, '/batches/{id}/files', opts));
      const data = page?.data ?? [];
      all.push(...data);
      if (onePage || data.length < limit || !page?._links?.next) return all;
      start += data.length;
    }
  }

  async listFile(dataSetFileId: string, opts?: CallOptions): Promise<DataAccessObject[]> {
    const page = await this.http.json<DataPage<DataAccessObject>>(this.get(`/files/${encodeURIComponent(dataSetFileId)}`, '/files/{id}', opts));
    return page?.data ?? [];
  }

  downloadFile(dataSetFileId: string, path: string, opts?: CallOptions): Promise<Buffer> {
    return this.http.bytes(
      this.get(`/files/${encodeURIComponent(dataSetFileId)}?path=${encodeURIComponent(path)}`, '/files/{id}?path', opts, ACCEPT_ANY),
      this.maxDownloadBytes,
    );
  }

  async failedRows(batchId: string, opts?: CallOptions & { limit?: number }): Promise<Array<Record<string, unknown>>> {
    const limit = Math.max(0, Math.trunc(opts?.limit ?? 100));
    const base = `/batches/${encodeURIComponent(batchId)}/failed`;
    // No failed-records folder (nothing failed, or diagnostics off) is a 404: no rows.
    const listing = await this.http.jsonOrNull<DataPage<DataAccessObject>>({ ...this.get(base, '/batches/{id}/failed', opts), nullOn404: true });
    const rows: Array<Record<string, unknown>> = [];
    for (const file of listing?.data ?? []) {
      if (rows.length >= limit) break;
      // Marker files such as _SUCCESS hold nothing.
      if (file.name.startsWith('_') || file.length === '0') continue;
      const bytes = await this.http.request<Buffer | null>(
        { ...this.get(`${base}?path=${encodeURIComponent(file.name)}`, '/batches/{id}/failed?path', opts, ACCEPT_ANY), nullOn404: true },
        this.readFailedFile,
      );
      if (bytes === null) continue;
      for (const record of parseJsonRecords(bytes.toString('utf8'))) {
        if (rows.length >= limit) break;
        rows.push(record);
      }
    }
    return rows;
  }
}

export interface ResolvedDataAccessOptions {
  readonly maxDownloadBytes: number;
  readonly maxFailedFileBytes: number;
}

export function resolveDataAccessOptions(options: DataAccessOptions = {}): ResolvedDataAccessOptions {
  return {
    maxDownloadBytes: options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
    maxFailedFileBytes: options.maxFailedFileBytes ?? DEFAULT_MAX_FAILED_FILE_BYTES,
  };
}

export function createDataAccessApi(http: Http, scope: PlatformScope, options: ResolvedDataAccessOptions = resolveDataAccessOptions()): DataAccessApi {
  return new ScopedDataAccess(http, scope, options.maxDownloadBytes, options.maxFailedFileBytes);
}
