/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /**
   * A point in time, serialized as an ISO 8601 string in UTC (`2026-01-31T12:00:00.000Z`).
   * The Platform's epoch-millisecond timestamps are converted on the way out; inputs accept
   * an ISO 8601 string or epoch milliseconds.
   */
  DateTime: { input: string; output: string; }
  /**
   * Any JSON value: a record read back from a dataset, a resolved XDM schema, or
   * Platform fields this API does not model yet.
   */
  JSON: { input: unknown; output: unknown; }
  /**
   * A file sent with the GraphQL multipart request specification
   * (https://github.com/jaydenseric/graphql-multipart-request-spec). Clients must send the
   * `apollo-require-preflight: true` header with multipart requests.
   */
  Upload: { input: File; output: File; }
};

/** Input of `abortBatch`. */
export type AbortBatchInput = {
  /** The batch to abort (only before it is loaded). */
  batchId: Scalars['ID']['input'];
};

/** Result of `abortBatch`. */
export type AbortBatchPayload = {
  __typename?: 'AbortBatchPayload';
  /** The batch after the abort. */
  batch: Batch;
};

/** Input of `addSchemaFields`: an additive change only. */
export type AddSchemaFieldsInput = {
  /** The fields to add below the tenant namespace. A field that exists with the same type is left as it is; one that exists with another type is refused. */
  fields: Array<SchemaFieldInput>;
  /** The schema's `$id` or `meta:altId`. */
  schemaId: Scalars['ID']['input'];
};

/** Result of `addSchemaFields`. */
export type AddSchemaFieldsPayload = {
  __typename?: 'AddSchemaFieldsPayload';
  /** The dot paths that were added (empty when all fields existed already). */
  addedPaths: Array<Scalars['String']['output']>;
  /** The schema after the change. */
  schema: Schema;
};

/** An ingestion batch. */
export type Batch = {
  __typename?: 'Batch';
  /** When processing finished. */
  completed?: Maybe<Scalars['DateTime']['output']>;
  /** When the batch was created. */
  created?: Maybe<Scalars['DateTime']['output']>;
  /** The dataset the batch writes into; null when it cannot be found. */
  dataset?: Maybe<Dataset>;
  /** The id of the dataset the batch writes into. */
  datasetId?: Maybe<Scalars['ID']['output']>;
  /** Processing errors recorded on the batch. */
  errors: Array<BatchError>;
  /** Records that failed ingestion (error diagnostics must be on). */
  failedRows: Array<FailedRow>;
  /** The files the batch stored (through Data Access). */
  files: Array<BatchFile>;
  /** The batch id. */
  id: Scalars['ID']['output'];
  /** The format of the batch's files. */
  inputFormat: InputFormat;
  /** Counts of the processed batch; null before processing. */
  metrics?: Maybe<BatchMetrics>;
  /** The Platform's own format word. */
  rawInputFormat?: Maybe<Scalars['String']['output']>;
  /** The Platform's own status word, for statuses this enum lacks. */
  rawStatus: Scalars['String']['output'];
  /** The records the batch stored, decoded on the server. At most `limit` (1..1000). */
  rows: Array<Scalars['JSON']['output']>;
  /** When processing started. */
  started?: Maybe<Scalars['DateTime']['output']>;
  /** The batch's state. */
  status: BatchStatus;
  /** Whether the status is final (no further change will come). */
  terminal: Scalars['Boolean']['output'];
  /** When the batch last changed. */
  updated?: Maybe<Scalars['DateTime']['output']>;
};


/** An ingestion batch. */
export type BatchFailedRowsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};


/** An ingestion batch. */
export type BatchRowsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of batches. */
export type BatchConnection = {
  __typename?: 'BatchConnection';
  /** The batches of this page with their cursors. */
  edges: Array<BatchEdge>;
  /** The batches of this page. */
  nodes: Array<Batch>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** Always null: the Catalog does not report the size of a list. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** An edge in a batch list. */
export type BatchEdge = {
  __typename?: 'BatchEdge';
  /** The cursor of this batch, for `after`. */
  cursor: Scalars['String']['output'];
  /** The batch. */
  node: Batch;
};

/** A processing error recorded on a batch (not an HTTP error). */
export type BatchError = {
  __typename?: 'BatchError';
  /** The Platform's code, e.g. `INGEST-1555-400`. */
  code?: Maybe<Scalars['String']['output']>;
  /** What went wrong. */
  description?: Maybe<Scalars['String']['output']>;
  /** How many records the error concerns, when diagnostics are on. */
  recordCount?: Maybe<Scalars['Int']['output']>;
  /** The rows concerned, as numbers or ranges (`3`, `3-5`). */
  rows: Array<Scalars['String']['output']>;
};

/** A file of a batch as Data Access lists it. */
export type BatchFile = {
  __typename?: 'BatchFile';
  /** When the file was created. */
  created?: Maybe<Scalars['DateTime']['output']>;
  /** The dataSetFile id. */
  id: Scalars['ID']['output'];
  /** Whether the file holds valid, promoted data. */
  isValid?: Maybe<Scalars['Boolean']['output']>;
  /** Records in the file, when known. */
  records?: Maybe<Scalars['Int']['output']>;
  /** Size in bytes, when known. */
  size?: Maybe<Scalars['Float']['output']>;
};

/** Which batches to list. */
export type BatchFilter = {
  /** Only batches created after this time (exclusive). */
  createdAfter?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only batches created before this time (exclusive). */
  createdBefore?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only batches of this dataset. */
  datasetId?: InputMaybe<Scalars['ID']['input']>;
  /** Only batches in one of these states (UNKNOWN is not allowed). */
  status?: InputMaybe<Array<BatchStatus>>;
};

/** Counts the Platform reports for a processed batch. */
export type BatchMetrics = {
  __typename?: 'BatchMetrics';
  /** Records that failed validation or conversion. */
  failedRecordCount?: Maybe<Scalars['Int']['output']>;
  /** Bytes uploaded. */
  inputByteSize?: Maybe<Scalars['Float']['output']>;
  /** Files uploaded. */
  inputFileCount?: Maybe<Scalars['Int']['output']>;
  /** Every metric as the Platform reports it. */
  raw: Scalars['JSON']['output'];
  /** Records read from the uploaded files. */
  recordsRead?: Maybe<Scalars['Int']['output']>;
  /** Records written to the dataset. */
  recordsWritten?: Maybe<Scalars['Int']['output']>;
};

/**
 * A batch's state, one value per status the Platform documents. `UNKNOWN` stands for a
 * status this API does not know yet: read `Batch.rawStatus` then.
 */
export type BatchStatus =
  /** Never completed by its client (terminal). */
  | 'ABANDONED'
  /** Aborted by its client (terminal). */
  | 'ABORTED'
  /** Promoted and available downstream; the Platform uses it interchangeably with SUCCESS (terminal). */
  | 'ACTIVE'
  /** Moved to cold storage. */
  | 'ARCHIVED'
  /** Its data was removed (terminal). */
  | 'DELETED'
  /** Failed: bad configuration or bad data; see `errors` (terminal). */
  | 'FAILED'
  /** Failed; the Platform uses it interchangeably with FAILED (terminal). */
  | 'FAILURE'
  /** Promoted, then reverted or expired; not consumable (terminal). */
  | 'INACTIVE'
  /** All files written; ready for promotion, can no longer be aborted. */
  | 'LOADED'
  /** Created; files are being uploaded (COMPLETE not called yet). */
  | 'LOADING'
  /** Being processed. */
  | 'PROCESSING'
  /** Queued for processing. */
  | 'QUEUED'
  /** Kept in the archive. */
  | 'RETAINED'
  /** A transient failure; being retried automatically. */
  | 'RETRYING'
  /** Staging is done; the ingestion job has run. */
  | 'STAGED'
  /** Signalled for promotion; data is being processed and staged. */
  | 'STAGING'
  /** Retries exhausted; promotion stalled. */
  | 'STALLED'
  /** Promoted and available downstream (terminal). */
  | 'SUCCESS'
  /** A status this API does not know; see `rawStatus`. */
  | 'UNKNOWN';

/**
 * One observed state of a batch. A subscription sends the current state first
 * (`initial: true`), then one event per change of status, metrics or errors.
 */
export type BatchStatusEvent = {
  __typename?: 'BatchStatusEvent';
  /** The batch as it is now. */
  batch: Batch;
  /** True for what is sent on subscribing (the current state), false for changes seen since. */
  initial: Scalars['Boolean']['output'];
  /** When the gateway saw this state. */
  observedAt: Scalars['DateTime']['output'];
  /** The Platform's own word for the previous status; null when `previousStatus` is. */
  previousRawStatus?: Maybe<Scalars['String']['output']>;
  /** The status before this change; null for the first state the gateway saw of this batch. */
  previousStatus?: Maybe<BatchStatus>;
  /** 1 for the first state the gateway saw of this batch, then one more per change: a gap means a missed event. */
  sequence: Scalars['Int']['output'];
  /** Whether the status changed (false when only metrics or errors did, and for the first state seen). */
  statusChanged: Scalars['Boolean']['output'];
  /** Whether the batch reached a terminal status: no event follows for it. */
  terminal: Scalars['Boolean']['output'];
};

/** Input of `completeBatch`. */
export type CompleteBatchInput = {
  /** The batch whose files are all uploaded. */
  batchId: Scalars['ID']['input'];
};

/** Result of `completeBatch`. */
export type CompleteBatchPayload = {
  __typename?: 'CompleteBatchPayload';
  /** The batch after COMPLETE was accepted; follow its status until it is terminal. */
  batch: Batch;
};

/** Input of `createBatch`. */
export type CreateBatchInput = {
  /** The dataset to write into. */
  datasetId: Scalars['ID']['input'];
  /** Keep row-level diagnostics of failed records (needed for `failedRows`). */
  errorDiagnostics?: InputMaybe<Scalars['Boolean']['input']>;
  /** The format of the files that will be uploaded. */
  format: InputFormat;
  /** JSON only: the file is one top-level array rather than JSON Lines. */
  isMultiLineJson?: InputMaybe<Scalars['Boolean']['input']>;
  /** Partial ingestion: the batch fails only when more than this percentage of rows is bad (0..100). Absent: any bad row fails it. */
  partialIngestionPercent?: InputMaybe<Scalars['Float']['input']>;
};

/** Result of `createBatch`. */
export type CreateBatchPayload = {
  __typename?: 'CreateBatchPayload';
  /** The new batch, in LOADING state. */
  batch: Batch;
};

/** Input of `createDataset`. */
export type CreateDatasetInput = {
  /** What the dataset holds. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Keep row-level error diagnostics of failed records. */
  enableErrorDiagnostics?: InputMaybe<Scalars['Boolean']['input']>;
  /** The format files are stored in; PARQUET unless the dataset takes CSV. */
  format?: InputMaybe<InputFormat>;
  /** Feed Identity Service (sets the `unifiedIdentity` tag). */
  identityEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** The dataset's name. */
  name: Scalars['String']['input'];
  /** Feed Real-Time Customer Profile (sets the `unifiedProfile` tag). */
  profileEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** The `$id` or `meta:altId` of the schema records must conform to. */
  schemaId: Scalars['ID']['input'];
  /** Further tags (`namespace` → list of values). */
  tags?: InputMaybe<Scalars['JSON']['input']>;
};

/** Result of `createDataset`. */
export type CreateDatasetPayload = {
  __typename?: 'CreateDatasetPayload';
  /** The new dataset. */
  dataset: Dataset;
};

/** Input of `createSchema`. */
export type CreateSchemaInput = {
  /** A standard class; give exactly one of `class` and `classId`. */
  class?: InputMaybe<SchemaClass>;
  /** The `$id` of any other class; give exactly one of `class` and `classId`. */
  classId?: InputMaybe<Scalars['String']['input']>;
  /** What the schema describes. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The `$id`s of existing field groups to include. */
  fieldGroups?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Custom fields, created in a new field group named after the schema. */
  fields?: InputMaybe<Array<SchemaFieldInput>>;
  /** The title, unique within the organization. */
  title: Scalars['String']['input'];
};

/** Result of `createSchema`. */
export type CreateSchemaPayload = {
  __typename?: 'CreateSchemaPayload';
  /** The new schema. */
  schema: Schema;
};

/** A Catalog dataset: where ingested records of one schema are stored. */
export type Dataset = {
  __typename?: 'Dataset';
  /** The dataset's batches, newest first. */
  batches: BatchConnection;
  /** When the dataset was created. */
  created?: Maybe<Scalars['DateTime']['output']>;
  /** What the dataset holds. */
  description?: Maybe<Scalars['String']['output']>;
  /** The stored files of the dataset (one or more per successful batch). */
  files: DatasetFileConnection;
  /** The Catalog id (24 hex characters). */
  id: Scalars['ID']['output'];
  /** Whether the dataset feeds Identity Service (the `unifiedIdentity` tag holds `enabled:true`). */
  identityEnabled: Scalars['Boolean']['output'];
  /**
   * The most recent batch, null when none was ever created. `id`, `status`, `rawStatus` and
   * `terminal` alone are answered from the dataset (the Catalog's `lastBatchId` and
   * `lastBatchStatus`) with no further call; any other field looks the batch up.
   */
  lastBatch?: Maybe<Batch>;
  /** The dataset's name. */
  name: Scalars['String']['output'];
  /** Whether the dataset feeds Real-Time Customer Profile (the `unifiedProfile` tag holds `enabled:true`). */
  profileEnabled: Scalars['Boolean']['output'];
  /**
   * Records read back through Data Access from the dataset's successful batches, newest batch
   * first, decoded on the server (Parquet included) into JSON objects. At most `limit` (1..1000).
   */
  rows: Array<Scalars['JSON']['output']>;
  /** The schema the records conform to; null when it cannot be found. */
  schema?: Maybe<Schema>;
  /** The dataset's tags (`namespace` → values), reserved ones included. */
  tags: Scalars['JSON']['output'];
  /** When the dataset last changed. */
  updated?: Maybe<Scalars['DateTime']['output']>;
};


/** A Catalog dataset: where ingested records of one schema are stored. */
export type DatasetBatchesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<BatchStatus>>;
};


/** A Catalog dataset: where ingested records of one schema are stored. */
export type DatasetFilesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A Catalog dataset: where ingested records of one schema are stored. */
export type DatasetRowsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of datasets. */
export type DatasetConnection = {
  __typename?: 'DatasetConnection';
  /** The datasets of this page with their cursors. */
  edges: Array<DatasetEdge>;
  /** The datasets of this page. */
  nodes: Array<Dataset>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** Always null: the Catalog does not report the size of a list. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** An edge in a dataset list. */
export type DatasetEdge = {
  __typename?: 'DatasetEdge';
  /** The cursor of this dataset, for `after`. */
  cursor: Scalars['String']['output'];
  /** The dataset. */
  node: Dataset;
};

/** A stored data file of a dataset (a Catalog dataSetFile). */
export type DatasetFile = {
  __typename?: 'DatasetFile';
  /** The batch that produced the file. */
  batchId?: Maybe<Scalars['ID']['output']>;
  /** When the file was created. */
  created?: Maybe<Scalars['DateTime']['output']>;
  /** The dataSetFile id, `<batchId>-<n>`. */
  id: Scalars['ID']['output'];
  /** How many records the file holds, when known. */
  records?: Maybe<Scalars['Int']['output']>;
  /** The file's size in bytes, when known. */
  size?: Maybe<Scalars['Float']['output']>;
};

/** A page of dataset files. */
export type DatasetFileConnection = {
  __typename?: 'DatasetFileConnection';
  /** The files of this page with their cursors. */
  edges: Array<DatasetFileEdge>;
  /** The files of this page. */
  nodes: Array<DatasetFile>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** Always null: the Catalog does not report the size of a list. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** An edge in a dataset file list. */
export type DatasetFileEdge = {
  __typename?: 'DatasetFileEdge';
  /** The cursor of this file, for `after`. */
  cursor: Scalars['String']['output'];
  /** The file. */
  node: DatasetFile;
};

/** Which datasets to list. */
export type DatasetFilter = {
  /** Only datasets with exactly this name (without commas: the Catalog reads a comma as "or"). */
  name?: InputMaybe<Scalars['String']['input']>;
};

/** Input of `deleteDataset`. */
export type DeleteDatasetInput = {
  /** The dataset to delete. */
  id: Scalars['ID']['input'];
};

/** Result of `deleteDataset`. */
export type DeleteDatasetPayload = {
  __typename?: 'DeleteDatasetPayload';
  /** The id of the deleted dataset. */
  deletedId: Scalars['ID']['output'];
};

/** A record that failed ingestion, with why. */
export type FailedRow = {
  __typename?: 'FailedRow';
  /** The validation errors the Platform attached (`_validationErrors`/`_errors`). */
  errors: Scalars['JSON']['output'];
  /** The record as it was read (without the error fields). */
  record: Scalars['JSON']['output'];
};

/** Input of `ingestFiles`. */
export type IngestFilesInput = {
  /** The dataset to write into. */
  datasetId: Scalars['ID']['input'];
  /** Keep row-level diagnostics of failed records. */
  errorDiagnostics?: InputMaybe<Scalars['Boolean']['input']>;
  /** The files, all of the same format; uploaded in order. */
  files: Array<Scalars['Upload']['input']>;
  /** The files' format. */
  format: InputFormat;
  /** JSON only: each file is one top-level array rather than JSON Lines. */
  isMultiLineJson?: InputMaybe<Scalars['Boolean']['input']>;
  /** Partial ingestion threshold (0..100). */
  partialIngestionPercent?: InputMaybe<Scalars['Float']['input']>;
  /** The files' sizes in bytes, in the order of `files`, when the client knows them: as `size` of `uploadBatchFile`, each file then streams straight through, none held in memory. */
  sizes?: InputMaybe<Array<Scalars['Float']['input']>>;
};

/** Result of `ingestFiles`. */
export type IngestFilesPayload = {
  __typename?: 'IngestFilesPayload';
  /** The completed batch; follow its status until it is terminal. */
  batch: Batch;
  /** What was sent, one entry per file. */
  files: Array<UploadedFile>;
};

/** The file formats the Platform ingests in batches. */
export type InputFormat =
  /** CSV, for flat (ad-hoc) schemas only; promoted without row validation. */
  | 'CSV'
  /** JSON: JSON Lines by default, or one top-level array with `isMultiLineJson`. */
  | 'JSON'
  /** Apache Parquet; columns must match a subset of the dataset's schema. */
  | 'PARQUET'
  /** A format this API does not know yet; see the raw value next to it. */
  | 'UNKNOWN';

/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Cancels a batch that is still loading. */
  abortBatch: AbortBatchPayload;
  /**
   * Adds fields to a schema. Only additive changes are allowed (the Platform refuses
   * others once data is ingested); a change to an existing field is refused with
   * BAD_USER_INPUT before anything is written. The new fields go into a new field
   * group that is added to the schema, so the schema's version goes up by one.
   */
  addSchemaFields: AddSchemaFieldsPayload;
  /** Signals that all files are uploaded: the Platform starts processing. */
  completeBatch: CompleteBatchPayload;
  /** Creates a batch on a dataset; upload files into it, then complete it. */
  createBatch: CreateBatchPayload;
  /** Creates a dataset on a schema. */
  createDataset: CreateDatasetPayload;
  /** Creates a schema from a class, existing field groups and custom fields. */
  createSchema: CreateSchemaPayload;
  /** Deletes a dataset. */
  deleteDataset: DeleteDatasetPayload;
  /** Creates a batch, uploads every file into it, checks that the Platform holds each one whole, and completes it, in one call. A file that did not arrive fails with UPLOAD_INCOMPLETE (extensions.missingFiles, extensions.batchId) and leaves the batch open, not completed: send the missing files with uploadBatchFile, then completeBatch. */
  ingestFiles: IngestFilesPayload;
  /** Changes a dataset's name, description or tags. */
  updateDataset: UpdateDatasetPayload;
  /** Streams one file into a loading batch: one PUT up to the small-file limit, else the large-file protocol. */
  uploadBatchFile: UploadBatchFilePayload;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationAbortBatchArgs = {
  input: AbortBatchInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationAddSchemaFieldsArgs = {
  input: AddSchemaFieldsInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationCompleteBatchArgs = {
  input: CompleteBatchInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationCreateBatchArgs = {
  input: CreateBatchInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationCreateDatasetArgs = {
  input: CreateDatasetInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationCreateSchemaArgs = {
  input: CreateSchemaInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationDeleteDatasetArgs = {
  input: DeleteDatasetInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationIngestFilesArgs = {
  input: IngestFilesInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationUpdateDatasetArgs = {
  input: UpdateDatasetInput;
};


/** Writes: every mutation takes one `input` argument and returns a payload type. */
export type MutationUploadBatchFileArgs = {
  input: UploadBatchFileInput;
};

/** Where a list page sits in the whole list (Relay cursor connections). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the last edge of this page: pass it as `after` to get the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether a further page exists after this one (the upstream was asked, not guessed). */
  hasNextPage: Scalars['Boolean']['output'];
  /** Always false: the Platform's paging only goes forward. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the first edge of this page, null when the page is empty. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type Query = {
  __typename?: 'Query';
  /** One batch by id; null when it does not exist. */
  batch?: Maybe<Batch>;
  /** A page of batches, newest first (Catalog offset paging, at most 100 a page). */
  batches: BatchConnection;
  /** The sandbox this request runs in (the `x-sandbox-name` header, else the gateway's default). */
  currentSandbox?: Maybe<Sandbox>;
  /** One dataset by id; null when it does not exist. */
  dataset?: Maybe<Dataset>;
  /** A page of datasets in the Catalog's order (offset paging, at most 100 a page). */
  datasets: DatasetConnection;
  /** The sandboxes active for the caller. */
  sandboxes: Array<Sandbox>;
  /** One schema by `$id` or `meta:altId`; null when it does not exist. */
  schema?: Maybe<Schema>;
  /** A page of schemas, in title order. */
  schemas: SchemaConnection;
};


/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type QueryBatchArgs = {
  id: Scalars['ID']['input'];
};


/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type QueryBatchesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<BatchFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type QueryDatasetArgs = {
  id: Scalars['ID']['input'];
};


/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type QueryDatasetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<DatasetFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type QuerySchemaArgs = {
  id: Scalars['ID']['input'];
};


/** Reads: schemas, datasets, batches and sandboxes of the sandbox named by the `x-sandbox-name` header. */
export type QuerySchemasArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  container?: InputMaybe<SchemaContainer>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A Platform sandbox: an isolated partition of the organization's data. */
export type Sandbox = {
  __typename?: 'Sandbox';
  /** When the sandbox was created. */
  created?: Maybe<Scalars['DateTime']['output']>;
  /** Whether this is the organization's default production sandbox. */
  isDefault: Scalars['Boolean']['output'];
  /** The sandbox name, sent as `x-sandbox-name`. */
  name: Scalars['ID']['output'];
  /** The data region, e.g. `VA7`. */
  region?: Maybe<Scalars['String']['output']>;
  /** The life-cycle state. */
  state: SandboxState;
  /** The display title. */
  title?: Maybe<Scalars['String']['output']>;
  /** Production or development. */
  type: SandboxType;
  /** When the sandbox last changed. */
  updated?: Maybe<Scalars['DateTime']['output']>;
};

/** The life-cycle state of a sandbox. */
export type SandboxState =
  /** Ready for use. */
  | 'ACTIVE'
  /** Being provisioned. */
  | 'CREATING'
  /** Deleted. */
  | 'DELETED'
  /** Being deleted. */
  | 'DELETING'
  /** Provisioning failed. */
  | 'FAILED'
  /** Being reset. */
  | 'RESETTING'
  /** A state this API does not know. */
  | 'UNKNOWN';

/** The kind of a sandbox. */
export type SandboxType =
  /** A development sandbox. */
  | 'DEVELOPMENT'
  /** A production sandbox. */
  | 'PRODUCTION'
  /** A type this API does not know. */
  | 'UNKNOWN';

/** An XDM schema in the Schema Registry. */
export type Schema = {
  __typename?: 'Schema';
  /** The schema's `meta:altId`, e.g. `_aeplocal.schemas.<hex>`; accepted wherever an id is. */
  altId: Scalars['String']['output'];
  /** The `$id` of the class the schema is based on (`meta:class`). */
  class?: Maybe<Scalars['String']['output']>;
  /** When the schema was created. */
  created?: Maybe<Scalars['DateTime']['output']>;
  /** The datasets of the current sandbox built on this schema, in the Catalog's order (found by scanning the Catalog's schema references: one call per 100 datasets, then one lookup). */
  datasets: Array<Dataset>;
  /** What the schema describes. */
  description?: Maybe<Scalars['String']['output']>;
  /** The `$id`s of the field groups the schema is composed of. */
  fieldGroups: Array<Scalars['String']['output']>;
  /**
   * Every field of the resolved schema, flattened to dot paths, objects included.
   * `under` keeps only the fields at or below a path, e.g. `_aeplocal`.
   */
  fields: Array<SchemaField>;
  /** The schema's `$id` URI, e.g. `https://ns.adobe.com/aeplocal/schemas/<hex>`. */
  id: Scalars['ID']['output'];
  /** The fully resolved schema (the Registry's `xed-full` document) as JSON. */
  json: Scalars['JSON']['output'];
  /** The schema's title, unique within the organization. */
  title: Scalars['String']['output'];
  /** When the schema last changed. */
  updated?: Maybe<Scalars['DateTime']['output']>;
  /** The Registry's `major.minor` version; the minor part grows with every change. */
  version: Scalars['String']['output'];
};


/** An XDM schema in the Schema Registry. */
export type SchemaDatasetsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** An XDM schema in the Schema Registry. */
export type SchemaFieldsArgs = {
  under?: InputMaybe<Scalars['String']['input']>;
};

/** The standard XDM classes a new schema can be based on. */
export type SchemaClass =
  /** XDM ExperienceEvent (`https://ns.adobe.com/xdm/context/experienceevent`): time-series events. */
  | 'EXPERIENCE_EVENT'
  /** XDM Individual Profile (`https://ns.adobe.com/xdm/context/profile`): record data about a person. */
  | 'PROFILE';

/** A page of schemas. */
export type SchemaConnection = {
  __typename?: 'SchemaConnection';
  /** The schemas of this page with their cursors. */
  edges: Array<SchemaEdge>;
  /** The schemas of this page. */
  nodes: Array<Schema>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** Always null: the Registry does not report the size of the whole list. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

/** Which Schema Registry container to read from. */
export type SchemaContainer =
  /** Schemas defined by Adobe and partners (read only). */
  | 'GLOBAL'
  /** Schemas owned by your organization (readable and writable). */
  | 'TENANT';

/** An edge in a schema list. */
export type SchemaEdge = {
  __typename?: 'SchemaEdge';
  /** The cursor of this schema, for `after`. */
  cursor: Scalars['String']['output'];
  /** The schema. */
  node: Schema;
};

/** One field of a resolved schema. */
export type SchemaField = {
  __typename?: 'SchemaField';
  /** What the field holds. */
  description?: Maybe<Scalars['String']['output']>;
  /** The allowed values, when the field is an enumeration. */
  enum?: Maybe<Array<Scalars['String']['output']>>;
  /** The dot path from the root, e.g. `_aeplocal.loyalty.loyaltyPoints`. */
  path: Scalars['String']['output'];
  /** The Registry's own type word (`meta:xdmType`, else the JSON Schema type). */
  rawType: Scalars['String']['output'];
  /** Whether records must carry this field. */
  required: Scalars['Boolean']['output'];
  /** The field's display title. */
  title?: Maybe<Scalars['String']['output']>;
  /** The field's XDM type. */
  type: XdmFieldType;
};

/** A custom field to create under the tenant namespace. */
export type SchemaFieldInput = {
  /** What the field holds. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The allowed values of a STRING field. */
  enum?: InputMaybe<Array<Scalars['String']['input']>>;
  /** The dot path below the tenant namespace, e.g. `loyalty.tier` for `_aeplocal.loyalty.tier`. Parent objects are created as needed. */
  path: Scalars['String']['input'];
  /** Whether records must carry the field. */
  required?: InputMaybe<Scalars['Boolean']['input']>;
  /** The display title; defaults to the last path segment. */
  title?: InputMaybe<Scalars['String']['input']>;
  /** The field's XDM type (OBJECT only for an empty parent; ARRAY and MAP are not created by this API). */
  type: XdmFieldType;
};

/** Streams over WebSocket (graphql-ws, on the same path as queries). */
export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Follows one batch: its current state at once, then each change, until a
   * terminal status (SUCCESS, ACTIVE, FAILED, FAILURE, ABORTED, ABANDONED,
   * INACTIVE, DELETED), after which the stream completes. Statuses this API does
   * not know arrive as UNKNOWN (see `rawStatus`) and do not end the stream.
   * Errors with NOT_FOUND when the batch does not exist.
   */
  batchStatus: BatchStatusEvent;
  /**
   * Follows the batches of a dataset: the unfinished ones at once, then every
   * new batch and every change of them. Never completes on its own. Errors with
   * NOT_FOUND when the dataset does not exist.
   */
  datasetBatches: BatchStatusEvent;
};


/** Streams over WebSocket (graphql-ws, on the same path as queries). */
export type SubscriptionBatchStatusArgs = {
  id: Scalars['ID']['input'];
};


/** Streams over WebSocket (graphql-ws, on the same path as queries). */
export type SubscriptionDatasetBatchesArgs = {
  datasetId: Scalars['ID']['input'];
};

/** Input of `updateDataset`: only the fields given change. */
export type UpdateDatasetInput = {
  /** A new description. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The dataset to change. */
  id: Scalars['ID']['input'];
  /** Turn Identity Service ingestion on or off. */
  identityEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** A new name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Turn Real-Time Customer Profile ingestion on or off. */
  profileEnabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** Replaces the dataset's non-reserved tags. */
  tags?: InputMaybe<Scalars['JSON']['input']>;
};

/** Result of `updateDataset`. */
export type UpdateDatasetPayload = {
  __typename?: 'UpdateDatasetPayload';
  /** The dataset after the change. */
  dataset: Dataset;
};

/** Input of `uploadBatchFile`. */
export type UploadBatchFileInput = {
  /** The batch (in LOADING state) to add the file to. */
  batchId: Scalars['ID']['input'];
  /** The file; streamed to the Platform, never held whole in memory. */
  file: Scalars['Upload']['input'];
  /** The name in the batch (may contain `/`); defaults to the uploaded file's name. */
  fileName?: InputMaybe<Scalars['String']['input']>;
  /** The file's size in bytes, when the client knows it (`File.size` in a browser). With it, the gateway picks the protocol up front and streams every request straight from the client's bytes, holding none of them; without it, a file larger than one part (UPLOAD_PART_SIZE) is read into memory one part at a time. A file of another size than announced fails with UPLOAD_INCOMPLETE. */
  size?: InputMaybe<Scalars['Float']['input']>;
};

/** Result of `uploadBatchFile`. */
export type UploadBatchFilePayload = {
  __typename?: 'UploadBatchFilePayload';
  /** The batch the file went into. */
  batch: Batch;
  /** What was sent. */
  file: UploadedFile;
};

/** How a file was sent to the Platform. */
export type UploadProtocol =
  /** Initialize, PATCH parts, complete: for files past the small-file limit. */
  | 'LARGE'
  /** One PUT, for files under the small-file limit. */
  | 'SINGLE';

/** What the gateway sent upstream for one file. */
export type UploadedFile = {
  __typename?: 'UploadedFile';
  /** Bytes sent. */
  bytes: Scalars['Float']['output'];
  /** The file's name in the batch. */
  fileName: Scalars['String']['output'];
  /** SINGLE (one PUT) or LARGE (the multi-part large-file protocol). */
  protocol: UploadProtocol;
  /** sha256 of the bytes sent, hex. */
  sha256: Scalars['String']['output'];
};

/** The XDM data type of a field (`meta:xdmType`). */
export type XdmFieldType =
  /** An array of items. */
  | 'ARRAY'
  /** true or false. */
  | 'BOOLEAN'
  /** An 8-bit integer. */
  | 'BYTE'
  /** A calendar date, `YYYY-MM-DD`. */
  | 'DATE'
  /** An RFC 3339 date-time. */
  | 'DATE_TIME'
  /** A 32-bit integer. */
  | 'INT'
  /** A 64-bit integer (within ±2^53). */
  | 'LONG'
  /** A map of string keys to string or integer values. */
  | 'MAP'
  /** A double-precision number. */
  | 'NUMBER'
  /** An object with named sub-fields. */
  | 'OBJECT'
  /** A 16-bit integer. */
  | 'SHORT'
  /** A string; `format` and `enum` may constrain it. */
  | 'STRING'
  /** A type this API does not know; see `SchemaField.rawType`. */
  | 'UNKNOWN';

export type ExampleDatasetsQueryVariables = Exact<{
  first: Scalars['Int']['input'];
}>;


export type ExampleDatasetsQuery = { __typename?: 'Query', datasets: { __typename?: 'DatasetConnection', nodes: Array<{ __typename?: 'Dataset', id: string, name: string, schema?: { __typename?: 'Schema', title: string } | null, lastBatch?: { __typename?: 'Batch', id: string, status: BatchStatus } | null }> } };

export type ExampleIngestFileMutationVariables = Exact<{
  datasetId: Scalars['ID']['input'];
  files: Array<Scalars['Upload']['input']> | Scalars['Upload']['input'];
  sizes?: InputMaybe<Array<Scalars['Float']['input']> | Scalars['Float']['input']>;
  format: InputFormat;
}>;


export type ExampleIngestFileMutation = { __typename?: 'Mutation', ingestFiles: { __typename?: 'IngestFilesPayload', batch: { __typename?: 'Batch', id: string, status: BatchStatus }, files: Array<{ __typename?: 'UploadedFile', fileName: string, bytes: number, protocol: UploadProtocol }> } };

export type ExampleBatchStatusSubscriptionVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ExampleBatchStatusSubscription = { __typename?: 'Subscription', batchStatus: { __typename?: 'BatchStatusEvent', sequence: number, initial: boolean, terminal: boolean, observedAt: string, batch: { __typename?: 'Batch', id: string, status: BatchStatus, rawStatus: string, metrics?: { __typename?: 'BatchMetrics', recordsRead?: number | null, recordsWritten?: number | null, failedRecordCount?: number | null } | null, errors: Array<{ __typename?: 'BatchError', code?: string | null, description?: string | null }> } } };


export const ExampleDatasetsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ExampleDatasets"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"datasets"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"schema"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lastBatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ExampleDatasetsQuery, ExampleDatasetsQueryVariables>;
export const ExampleIngestFileDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ExampleIngestFile"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"datasetId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"files"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sizes"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Float"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"format"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InputFormat"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ingestFiles"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"datasetId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"datasetId"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"files"},"value":{"kind":"Variable","name":{"kind":"Name","value":"files"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"sizes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sizes"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"format"},"value":{"kind":"Variable","name":{"kind":"Name","value":"format"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"batch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"files"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"bytes"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}}]}}]}}]}}]} as unknown as DocumentNode<ExampleIngestFileMutation, ExampleIngestFileMutationVariables>;
export const ExampleBatchStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ExampleBatchStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"batchStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"initial"}},{"kind":"Field","name":{"kind":"Name","value":"terminal"}},{"kind":"Field","name":{"kind":"Name","value":"observedAt"}},{"kind":"Field","name":{"kind":"Name","value":"batch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordsRead"}},{"kind":"Field","name":{"kind":"Name","value":"recordsWritten"}},{"kind":"Field","name":{"kind":"Name","value":"failedRecordCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"errors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ExampleBatchStatusSubscription, ExampleBatchStatusSubscriptionVariables>;