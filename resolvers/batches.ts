// Catalog batches: status as an enum with the Platform's own word next to it,
// metrics, errors, files and the records read back; and the batch life cycle
// (create, complete, abort).
import type { Batch } from '../src/platform/types.ts';
import type { GatewayContext } from '../src/gateway/context.ts';
import type { BatchStatus, InputFormat, Resolvers } from '../src/generated/resolvers-types.ts';
import { badUserInput } from '../src/gateway/errors.ts';
import { loadOrNull } from '../src/gateway/loaders.ts';
import { offsetAfter, offsetConnection, pageSize } from '../src/gateway/paging.ts';
import { readBatchRows, rowLimit, splitFailedRecord } from '../src/gateway/rows.ts';
import { catalogProperties, selectedNodeFields, selectsPageInfo } from '../src/gateway/selection.ts';

/** Every documented Platform status (platform-api.md §3.5, §4.7), by the Platform's word. */
const STATUS_BY_WORD: Readonly<Record<string, Exclude<BatchStatus, 'UNKNOWN'>>> = {
  loading: 'LOADING',
  loaded: 'LOADED',
  queued: 'QUEUED',
  staging: 'STAGING',
  staged: 'STAGED',
  processing: 'PROCESSING',
  retrying: 'RETRYING',
  stalled: 'STALLED',
  success: 'SUCCESS',
  active: 'ACTIVE',
  failed: 'FAILED',
  failure: 'FAILURE',
  aborted: 'ABORTED',
  abandoned: 'ABANDONED',
  inactive: 'INACTIVE',
  deleted: 'DELETED',
  archived: 'ARCHIVED',
  retained: 'RETAINED',
};

const TERMINAL: ReadonlySet<BatchStatus> = new Set(['SUCCESS', 'ACTIVE', 'FAILED', 'FAILURE', 'ABORTED', 'ABANDONED', 'INACTIVE', 'DELETED']);

export function batchStatus(raw: string | undefined): BatchStatus {
  return STATUS_BY_WORD[raw?.toLowerCase() ?? ''] ?? 'UNKNOWN';
}

/** The Catalog filter value for a list of statuses (`success,failed`). */
export function rawStatuses(statuses: readonly BatchStatus[]): string {
  return statuses
    .map((status) => {
      if (status === 'UNKNOWN') throw badUserInput('UNKNOWN cannot be used as a status filter');
      return status.toLowerCase();
    })
    .join(',');
}

/** GraphQL field of Batch → the Catalog properties it reads. */
export const BATCH_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  id: [],
  status: ['status'],
  rawStatus: ['status'],
  terminal: ['status'],
  dataset: ['relatedObjects'],
  datasetId: ['relatedObjects'],
  inputFormat: ['inputFormat'],
  rawInputFormat: ['inputFormat'],
  created: ['created'],
  updated: ['updated'],
  started: ['started'],
  completed: ['completed'],
  metrics: ['metrics', 'failedRecordCount', 'recordCount'],
  errors: ['errors'],
  files: [],
  failedRows: [],
  rows: [],
};

const FORMAT_BY_WORD: Readonly<Record<string, InputFormat>> = { parquet: 'PARQUET', json: 'JSON', csv: 'CSV' };

export function datasetIdOf(batch: Batch): string | null {
  return batch.relatedObjects?.find((related) => related.type === 'dataSet')?.id ?? null;
}

function numberOr(...values: unknown[]): number | null {
  for (const value of values) {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  return null;
}

export async function reloadBatch(id: string, { loaders }: GatewayContext): Promise<Batch> {
  loaders.batch.clear(id);
  return loaders.batch.load(id);
}

export interface BatchOptionsInput {
  readonly format: InputFormat;
  readonly isMultiLineJson?: boolean | null;
  readonly errorDiagnostics?: boolean | null;
  readonly partialIngestionPercent?: number | null;
}

/** The Batch Ingestion create body (platform-api.md §4.2). */
export function createBatchBody(datasetId: string, input: BatchOptionsInput): Parameters<GatewayContext['platform']['ingestion']['createBatch']>[0] {
  const format = FORMAT_BY_WORD[input.format.toLowerCase()];
  if (!format) throw badUserInput('format UNKNOWN cannot be used in a request');
  const percent = input.partialIngestionPercent;
  if (percent !== null && percent !== undefined && (!Number.isFinite(percent) || percent < 0 || percent > 100)) {
    throw badUserInput(`"partialIngestionPercent" must be between 0 and 100, got ${percent}`);
  }
  if (input.isMultiLineJson && format !== 'JSON') throw badUserInput('"isMultiLineJson" only applies to JSON');
  return {
    datasetId,
    inputFormat: { format: format.toLowerCase(), ...(input.isMultiLineJson ? { isMultiLineJson: true } : {}) },
    enableErrorDiagnostics: input.errorDiagnostics ?? true,
    ...(percent !== null && percent !== undefined ? { partialIngestionPercent: percent } : {}),
  };
}

export const batchResolvers: Resolvers = {
  Query: {
    batches: async (_root, { first, after, filter }, { platform }, info) => {
      const limit = pageSize(first);
      const start = offsetAfter(after);
      const properties = catalogProperties(selectedNodeFields(info), BATCH_PROPERTIES, 'status');
      const filters: Record<string, string> = {};
      if (filter?.datasetId) filters.dataSet = filter.datasetId;
      if (filter?.status && filter.status.length > 0) filters.status = rawStatuses(filter.status);
      if (filter?.createdAfter) filters.createdAfter = String(filter.createdAfter.getTime());
      if (filter?.createdBefore) filters.createdBefore = String(filter.createdBefore.getTime());
      const page = await platform.catalog.listBatches({ start, limit, probe: selectsPageInfo(info), orderBy: 'desc:created', filters, ...(properties ? { properties } : {}) });
      return offsetConnection(page.items, start, page.hasMore);
    },
    batch: (_root, { id }, { loaders }) => loadOrNull(loaders.batch, id),
  },

  Mutation: {
    createBatch: async (_root, { input }, ctx) => {
      const body = createBatchBody(input.datasetId, input);
      // A clear NOT_FOUND for an unknown dataset, whatever the upstream says.
      await ctx.loaders.dataset.load(input.datasetId);
      const batch = await ctx.platform.ingestion.createBatch(body);
      ctx.loaders.batch.prime(batch.id, batch);
      return { batch };
    },
    completeBatch: async (_root, { input }, ctx) => {
      await ctx.platform.ingestion.completeBatch(input.batchId);
      return { batch: await reloadBatch(input.batchId, ctx) };
    },
    abortBatch: async (_root, { input }, ctx) => {
      await ctx.platform.ingestion.abortBatch(input.batchId);
      return { batch: await reloadBatch(input.batchId, ctx) };
    },
  },

  Batch: {
    id: (batch) => batch.id,
    status: (batch) => batchStatus(batch.status),
    rawStatus: (batch) => batch.status ?? 'unknown',
    terminal: (batch) => TERMINAL.has(batchStatus(batch.status)),
    datasetId: (batch) => datasetIdOf(batch),
    dataset: (batch, _args, { loaders }) => {
      const id = datasetIdOf(batch);
      return id ? loadOrNull(loaders.dataset, id) : null;
    },
    inputFormat: (batch) => FORMAT_BY_WORD[batch.inputFormat?.format?.toLowerCase() ?? ''] ?? 'UNKNOWN',
    rawInputFormat: (batch) => batch.inputFormat?.format ?? null,
    created: (batch) => batch.created ?? null,
    updated: (batch) => batch.updated ?? null,
    started: (batch) => batch.started ?? null,
    completed: (batch) => batch.completed ?? null,
    metrics: (batch) => {
      const metrics = batch.metrics;
      if (!metrics && batch.failedRecordCount === undefined && batch.recordCount === undefined) return null;
      const m = metrics ?? {};
      return {
        recordsRead: numberOr(m.recordsRead, m.inputRecordCount),
        recordsWritten: numberOr(m.recordsWritten, m.outputRecordCount, batch.recordCount),
        failedRecordCount: numberOr(m.failedRecordCount, m.recordsFailed, batch.failedRecordCount),
        inputByteSize: numberOr(m.inputByteSize),
        inputFileCount: numberOr(m.inputFileCount),
        raw: m,
      };
    },
    errors: (batch) => batch.errors ?? [],
    files: (batch, _args, { platform }) => platform.dataAccess.listBatchFiles(batch.id),
    failedRows: async (batch, { limit }, { platform }) => {
      const lines = await platform.dataAccess.failedRows(batch.id, { limit: rowLimit(limit) });
      return lines.map(splitFailedRecord);
    },
    rows: (batch, { limit }, { platform }) => readBatchRows(platform, batch.id, rowLimit(limit)),
  },

  BatchError: {
    code: (error) => error.code ?? null,
    description: (error) => error.description ?? null,
    recordCount: (error) => (typeof error.recordCount === 'number' ? error.recordCount : null),
    rows: (error) => (Array.isArray(error.rows) ? error.rows.map(String) : []),
  },

  BatchFile: {
    id: (file) => file.dataSetFileId,
    isValid: (file) => file.isValid ?? null,
    records: (file) => numberOr(file.records),
    size: (file) => numberOr(file.size),
    created: (file) => file.created ?? null,
  },
};
