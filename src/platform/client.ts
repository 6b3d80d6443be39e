// The interface the gateway programs against. `createPlatformClient(options)`
// in index.ts returns one per process; `client.scoped(scope)` binds it to one
// caller (org, sandbox, forwarded auth) and is cheap enough to call per request.
import type { Readable } from 'node:stream';
import type {
  Batch,
  CatalogPage,
  DataAccessFileEntry,
  DataAccessObject,
  DataSet,
  DataSetFile,
  PlatformScope,
  Sandbox,
  XdmListPage,
  XdmSchema,
  XdmSchemaSummary,
} from './types.ts';

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface CatalogListOptions extends CallOptions {
  /** Catalog `start` (offset). */
  readonly start?: number;
  /** 1..100 */
  readonly limit?: number;
  /** Top-level properties to return (Catalog `properties`); all when absent. */
  readonly properties?: readonly string[];
  /** e.g. 'desc:created' */
  readonly orderBy?: string;
  /** Simple filters, sent as query parameters as they are (`status=success,failed`, `dataSet=<id>`, `name=...`). */
  readonly filters?: Readonly<Record<string, string>>;
  /**
   * After a full page of 100 (the Catalog's maximum, so one more item cannot be
   * asked for), send a one-item probe to tell whether a next page exists. Off,
   * such a page reports `hasMore: true` (there may be more) without the extra
   * call: for callers that do not show whether a next page exists. @default true
   */
  readonly probe?: boolean;
}

export interface SchemaRegistryApi {
  /** `GET /tenant|global/schemas` with `application/vnd.adobe.xed-id+json`; `start` is the `_page.next` token. */
  listSchemas(opts: CallOptions & { container: 'tenant' | 'global'; start?: string; limit?: number; orderby?: string }): Promise<XdmListPage<XdmSchemaSummary>>;
  /** Lookup by $id or meta:altId; `full` resolves allOf (xed-full). Returns null on 404. */
  getSchema(id: string, opts?: CallOptions & { full?: boolean; container?: 'tenant' | 'global' }): Promise<XdmSchema | null>;
  createSchema(body: Record<string, unknown>, opts?: CallOptions): Promise<XdmSchema>;
  /** JSON Patch (sent as application/json, as the Registry wants). */
  patchSchema(id: string, ops: ReadonlyArray<Record<string, unknown>>, opts?: CallOptions): Promise<XdmSchema>;
  getFieldGroup(id: string, opts?: CallOptions & { full?: boolean; container?: 'tenant' | 'global' }): Promise<XdmSchema | null>;
  createFieldGroup(body: Record<string, unknown>, opts?: CallOptions): Promise<XdmSchema>;
  patchFieldGroup(id: string, ops: ReadonlyArray<Record<string, unknown>>, opts?: CallOptions): Promise<XdmSchema>;
  getClass(id: string, opts?: CallOptions & { container?: 'tenant' | 'global' }): Promise<XdmSchema | null>;
  /** `GET /stats`: the tenant id (without underscore). */
  getTenantId(opts?: CallOptions): Promise<string>;
}

export interface CatalogApi {
  listDataSets(opts?: CatalogListOptions): Promise<CatalogPage<DataSet>>;
  /** Multi-id lookup (`GET /dataSets/a,b,c`), one call for up to 100 ids; missing ids are absent from the map. */
  getDataSets(ids: readonly string[], opts?: CallOptions & { properties?: readonly string[] }): Promise<Map<string, DataSet>>;
  createDataSet(body: Record<string, unknown>, opts?: CallOptions): Promise<string>;
  updateDataSet(id: string, patch: Record<string, unknown>, opts?: CallOptions & { ifMatch?: string }): Promise<void>;
  deleteDataSet(id: string, opts?: CallOptions): Promise<void>;
  listBatches(opts?: CatalogListOptions): Promise<CatalogPage<Batch>>;
  getBatches(ids: readonly string[], opts?: CallOptions & { properties?: readonly string[] }): Promise<Map<string, Batch>>;
  /** `GET /batches/{id}`; null on 404. Never cached: batch-watch polls through this. */
  getBatch(id: string, opts?: CallOptions): Promise<Batch | null>;
  listDataSetFiles(opts?: CatalogListOptions): Promise<CatalogPage<DataSetFile>>;
}

export interface UploadSource {
  /** The bytes; read once, never buffered whole. */
  readonly stream: Readable;
  /** When known (Content-Length of the part or a file size), picks the protocol up front. */
  readonly size?: number;
  /**
   * Whether to compute the sha256 of the bytes sent. It is about a third of
   * the CPU of streaming an upload through, and the Platform offers no digest
   * to compare it with, so a caller that will not show it turns it off.
   * @default true
   */
  readonly sha256?: boolean;
}

export interface UploadResult {
  readonly fileName: string;
  readonly bytes: number;
  /** sha256 of the bytes sent, hex; absent when the source asked for none. */
  readonly sha256?: string;
  readonly protocol: 'single' | 'large';
}

export interface IngestionApi {
  createBatch(body: { datasetId: string; inputFormat: { format: string; isMultiLineJson?: boolean }; enableErrorDiagnostics?: boolean; partialIngestionPercentage?: number; [key: string]: unknown }, opts?: CallOptions): Promise<Batch>;
  /** Streams a file into a batch: one PUT up to the small-file limit, else the large-file protocol. */
  uploadFile(batchId: string, datasetId: string, fileName: string, source: UploadSource, opts?: CallOptions): Promise<UploadResult>;
  /**
   * What the Platform holds of one file of a batch, from `HEAD` on the file
   * path (its `Range` header): the byte ranges received, merged. Null when it
   * holds nothing of that file.
   */
  receivedRanges(batchId: string, datasetId: string, fileName: string, opts?: CallOptions): Promise<ReceivedRanges | null>;
  completeBatch(batchId: string, opts?: CallOptions): Promise<void>;
  abortBatch(batchId: string, opts?: CallOptions): Promise<void>;
}

/** Byte ranges of a file the Platform has received, inclusive offsets, in order. */
export interface ReceivedRanges {
  readonly ranges: ReadonlyArray<readonly [first: number, last: number]>;
  /** Bytes received in all. */
  readonly bytes: number;
  /** Bytes received from offset 0 without a gap: a file of that many bytes is whole. */
  readonly contiguousBytes: number;
}

export interface DataAccessApi {
  listBatchFiles(batchId: string, opts?: CallOptions & { start?: number; limit?: number }): Promise<DataAccessFileEntry[]>;
  listFile(dataSetFileId: string, opts?: CallOptions): Promise<DataAccessObject[]>;
  /** Downloads one file (whole), e.g. a Parquet file for decoding. */
  downloadFile(dataSetFileId: string, path: string, opts?: CallOptions): Promise<Buffer>;
  /** `GET /batches/{id}/failed?path=` contents, parsed as JSON lines; [] when there are none. */
  failedRows(batchId: string, opts?: CallOptions & { limit?: number }): Promise<Array<Record<string, unknown>>>;
}

export interface SandboxesApi {
  /** `GET /sandbox-management/` (the sandboxes active for the caller). */
  listSandboxes(opts?: CallOptions): Promise<Sandbox[]>;
  getSandbox(name: string, opts?: CallOptions): Promise<Sandbox | null>;
}

/** The platform client bound to one scope. */
export interface ScopedPlatform {
  readonly scope: PlatformScope;
  readonly schemaRegistry: SchemaRegistryApi;
  readonly catalog: CatalogApi;
  readonly ingestion: IngestionApi;
  readonly dataAccess: DataAccessApi;
  readonly sandboxes: SandboxesApi;
}

export interface PlatformClient {
  scoped(scope: PlatformScope): ScopedPlatform;
  /** Closes the connection pools the client created (idempotent); upstream calls are counted through the onCall option. */
  close(): Promise<void>;
}
