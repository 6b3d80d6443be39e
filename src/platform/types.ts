// Wire types of the Platform APIs the gateway uses (platform-api.md and
// Adobe's OpenAPI documents). These are also the GraphQL codegen mappers:
// resolvers receive these objects and adapt them field by field.

/** Who the gateway calls the Platform as, and where: one per request or subscription. */
export interface PlatformScope {
  /** x-gw-ims-org-id */
  readonly orgId: string;
  /** x-sandbox-name */
  readonly sandbox: string;
  /** Pass-through mode only: the caller's own Authorization and x-api-key, forwarded as they came. */
  readonly forwardedAuth?: { readonly authorization: string; readonly apiKey: string };
  /** W3C trace context to propagate, when tracing is on. */
  readonly traceparent?: string;
}

// ---- Schema Registry -------------------------------------------------------

export interface XdmRegistryMetadata {
  'repo:createdDate'?: number;
  'repo:lastModifiedDate'?: number;
  eTag?: string;
  [key: string]: unknown;
}

/** A Schema Registry resource as returned by a lookup (raw or xed-full). */
export interface XdmSchema {
  $id: string;
  'meta:altId': string;
  'meta:resourceType'?: string;
  version: string;
  title: string;
  description?: string;
  type?: string;
  allOf?: Array<{ $ref?: string; [key: string]: unknown }>;
  properties?: Record<string, XdmField>;
  required?: string[];
  'meta:class'?: string;
  'meta:extends'?: string[];
  'meta:immutableTags'?: string[];
  'meta:tenantNamespace'?: string;
  'meta:registryMetadata'?: XdmRegistryMetadata;
  [key: string]: unknown;
}

/** One JSON-Schema field inside a resolved (xed-full) schema. */
export interface XdmField {
  type?: string;
  'meta:xdmType'?: string;
  title?: string;
  description?: string;
  format?: string;
  enum?: unknown[];
  'meta:enum'?: Record<string, string>;
  properties?: Record<string, XdmField>;
  items?: XdmField;
  required?: string[];
  [key: string]: unknown;
}

/** An entry of a `application/vnd.adobe.xed-id+json` listing. */
export interface XdmSchemaSummary {
  $id: string;
  'meta:altId': string;
  version: string;
  title: string;
}

export interface XdmListPage<T> {
  results: T[];
  _page: { orderby?: string; next: string | null; count: number };
  _links: { next: { href: string } | null; [key: string]: unknown };
}

// ---- Catalog ---------------------------------------------------------------

export interface SchemaRef {
  id: string;
  contentType: string;
}

/** A Catalog dataset; `id` is added by the client from the id-keyed response. */
export interface DataSet {
  id: string;
  name?: string;
  description?: string;
  imsOrg?: string;
  sandboxId?: string;
  tags?: Record<string, string[]>;
  schemaRef?: SchemaRef;
  fileDescription?: Record<string, unknown>;
  enableErrorDiagnostics?: boolean;
  lastBatchId?: string;
  lastBatchStatus?: string;
  lastSuccessfulBatch?: string;
  lastFailedBatch?: string;
  viewId?: string;
  files?: string;
  version?: string;
  created?: number;
  updated?: number;
  [key: string]: unknown;
}

export interface BatchError {
  code?: string;
  description?: string;
  rows?: string[];
  recordCount?: number;
  [key: string]: unknown;
}

export interface RelatedObject {
  type: string;
  id: string;
  [key: string]: unknown;
}

/** A Catalog batch; `id` is added by the client from the id-keyed response. */
export interface Batch {
  id: string;
  status?: string;
  imsOrg?: string;
  created?: number;
  updated?: number;
  started?: number;
  completed?: number;
  externalId?: string;
  relatedObjects?: RelatedObject[];
  metrics?: Record<string, unknown>;
  errors?: BatchError[];
  inputFormat?: { format?: string; isMultiLineJson?: boolean; [key: string]: unknown };
  tags?: Record<string, string[]>;
  recordCount?: number;
  failedRecordCount?: number;
  size?: number;
  version?: string;
  [key: string]: unknown;
}

/** A Catalog dataSetFile. */
export interface DataSetFile {
  id: string;
  batchId?: string;
  dataSetViewId?: string;
  records?: number;
  size?: number;
  created?: number;
  updated?: number;
  [key: string]: unknown;
}

/** One page of a Catalog list, turned from the id-keyed object into an ordered array. */
export interface CatalogPage<T> {
  items: T[];
  /** The offset of the first item (Catalog `start`). */
  start: number;
  /** Whether a further page exists (found by asking for one more item than returned). */
  hasMore: boolean;
}

// ---- Data Access -----------------------------------------------------------

export interface DataAccessFileEntry {
  dataSetFileId: string;
  dataSetViewId?: string;
  version?: string;
  created?: string;
  updated?: string;
  isValid?: boolean;
  records?: string;
  size?: string;
  _links?: { self?: { href: string } };
}

export interface DataAccessObject {
  name: string;
  length: string;
  _links?: { self?: { href: string } };
}

// ---- Sandboxes -------------------------------------------------------------

export interface Sandbox {
  name: string;
  title?: string;
  state?: string;
  type?: string;
  region?: string;
  isDefault?: boolean;
  eTag?: number;
  createdDate?: string;
  lastModifiedDate?: string;
  [key: string]: unknown;
}
