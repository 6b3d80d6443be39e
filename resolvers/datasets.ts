// Catalog datasets: offset-paged lists that ask only for the properties the
// query selects, lookups through the request's loader, and the writes.
//
// A page of datasets answers its items' fields without a promise each where it
// can: the list preloads the schemas its items name (one Registry call per
// distinct schema, usually from the schema cache), and `lastBatch { id status }`
// comes from the dataset object itself, whose `lastBatchId` and
// `lastBatchStatus` the Catalog keeps up to date (platform-api.md §3.4); only
// other batch fields look the batches up.
import type { DataSet } from '../src/platform/types.ts';
import type { GatewayContext } from '../src/gateway/context.ts';
import type { InputFormat, Resolvers } from '../src/generated/resolvers-types.ts';
import { badUserInput } from '../src/gateway/errors.ts';
import { loadOrNull } from '../src/gateway/loaders.ts';
import { offsetAfter, offsetConnection, pageSize } from '../src/gateway/paging.ts';
import { readDatasetRows, rowLimit } from '../src/gateway/rows.ts';
import { catalogProperties, selectedNodeFields, selectsOnly, selectsPageInfo } from '../src/gateway/selection.ts';
import { BATCH_PROPERTIES, rawStatuses } from './batches.ts';

/** GraphQL field of Dataset → the Catalog properties it reads. */
export const DATASET_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  id: [],
  name: ['name'],
  description: ['description'],
  schema: ['schemaRef'],
  tags: ['tags'],
  profileEnabled: ['tags'],
  identityEnabled: ['tags'],
  created: ['created'],
  updated: ['updated'],
  lastBatch: ['lastBatchId', 'lastBatchStatus'],
  batches: [],
  files: [],
  rows: [],
};

/** Fields of `lastBatch` the dataset answers by itself, from its `lastBatchId` and `lastBatchStatus`. */
const LAST_BATCH_FROM_DATASET: ReadonlySet<string> = new Set(['id', 'status', 'rawStatus', 'terminal']);

const PROFILE_TAG = 'unifiedProfile';
const IDENTITY_TAG = 'unifiedIdentity';
const ENABLED = 'enabled:true';

function tagEnabled(dataset: DataSet, tag: string): boolean {
  return dataset.tags?.[tag]?.includes(ENABLED) ?? false;
}

/** Tags must be `{ namespace: [values] }`. */
function checkTags(tags: unknown): Record<string, string[]> {
  if (tags === null || tags === undefined) return {};
  if (typeof tags !== 'object' || Array.isArray(tags)) throw badUserInput('"tags" must be an object of string lists');
  for (const [name, values] of Object.entries(tags)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw badUserInput(`tag ${JSON.stringify(name)} must be a list of strings`);
  }
  return tags as Record<string, string[]>;
}

/** The reserved tags follow the boolean switches: `enabled:true`, or removed. */
function withSwitch(tags: Record<string, string[]>, tag: string, enabled: boolean | null | undefined): Record<string, string[]> {
  if (enabled === null || enabled === undefined) return tags;
  const { [tag]: current = [], ...rest } = tags;
  const others = current.filter((value) => !value.startsWith('enabled:'));
  return enabled ? { ...rest, [tag]: [ENABLED, ...others] } : others.length > 0 ? { ...rest, [tag]: others } : rest;
}

const FILE_FORMATS: Readonly<Record<InputFormat, string | null>> = { PARQUET: 'parquet', JSON: 'json', CSV: 'csv', UNKNOWN: null };

export function formatWord(format: InputFormat): string {
  const word = FILE_FORMATS[format];
  if (!word) throw badUserInput('format UNKNOWN cannot be used in a request');
  return word;
}

async function reloadDataset(id: string, { loaders }: GatewayContext): Promise<DataSet> {
  loaders.dataset.clear(id);
  return loaders.dataset.load(id);
}

export const datasetResolvers: Resolvers = {
  Query: {
    datasets: async (_root, { first, after, filter }, { platform, loaders }, info) => {
      const limit = pageSize(first);
      const start = offsetAfter(after);
      const selected = selectedNodeFields(info);
      const properties = catalogProperties(selected, DATASET_PROPERTIES, 'name');
      // The Catalog reads a comma in a filter value as "or": an exact name cannot hold one.
      if (filter?.name?.includes(',')) throw badUserInput('"filter.name" cannot contain a comma (the Catalog reads it as a list of alternatives)');
      const page = await platform.catalog.listDataSets({
        start,
        limit,
        probe: selectsPageInfo(info),
        ...(properties ? { properties } : {}),
        ...(filter?.name ? { filters: { name: filter.name } } : {}),
      });
      if (selected.has('schema')) {
        const schemaIds: string[] = [];
        for (const dataset of page.items) if (dataset.schemaRef?.id) schemaIds.push(dataset.schemaRef.id);
        await loaders.preloadSchemas(schemaIds);
      }
      return offsetConnection(page.items, start, page.hasMore);
    },
    dataset: (_root, { id }, { loaders }) => loadOrNull(loaders.dataset, id),
  },

  Mutation: {
    createDataset: async (_root, { input }, ctx) => {
      const schema = await loadOrNull(ctx.loaders.schema, input.schemaId);
      if (!schema) throw badUserInput(`schema ${JSON.stringify(input.schemaId)} does not exist in this sandbox`);
      const format = formatWord(input.format ?? 'PARQUET');
      let tags = checkTags(input.tags);
      tags = withSwitch(tags, PROFILE_TAG, input.profileEnabled ?? false);
      tags = withSwitch(tags, IDENTITY_TAG, input.identityEnabled ?? false);
      const id = await ctx.platform.catalog.createDataSet({
        name: input.name,
        ...(input.description ? { description: input.description } : {}),
        schemaRef: { id: schema.$id, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
        fileDescription: { persisted: true, containerFormat: 'parquet', format },
        enableErrorDiagnostics: input.enableErrorDiagnostics ?? true,
        tags,
      });
      return { dataset: await reloadDataset(id, ctx) };
    },

    updateDataset: async (_root, { input }, ctx) => {
      const current = await ctx.loaders.dataset.load(input.id);
      const patch: Record<string, unknown> = {};
      if (input.name !== null && input.name !== undefined) patch.name = input.name;
      if (input.description !== null && input.description !== undefined) patch.description = input.description;
      const tagsChange = input.tags !== undefined && input.tags !== null;
      if (tagsChange || input.profileEnabled != null || input.identityEnabled != null) {
        const reserved = Object.fromEntries(Object.entries(current.tags ?? {}).filter(([name]) => name === PROFILE_TAG || name === IDENTITY_TAG));
        let tags = tagsChange ? { ...checkTags(input.tags), ...reserved } : { ...(current.tags ?? {}) };
        tags = withSwitch(tags, PROFILE_TAG, input.profileEnabled);
        tags = withSwitch(tags, IDENTITY_TAG, input.identityEnabled);
        patch.tags = tags;
      }
      if (Object.keys(patch).length === 0) throw badUserInput('nothing to change: give name, description, tags, profileEnabled or identityEnabled');
      await ctx.platform.catalog.updateDataSet(input.id, patch);
      return { dataset: await reloadDataset(input.id, ctx) };
    },

    deleteDataset: async (_root, { input }, { platform, loaders }) => {
      // The Catalog answers 200 even for an unknown id: check first, so a typo is a NOT_FOUND.
      await loaders.dataset.load(input.id);
      await platform.catalog.deleteDataSet(input.id);
      loaders.dataset.clear(input.id);
      return { deletedId: input.id };
    },
  },

  Dataset: {
    id: (dataset) => dataset.id,
    name: (dataset) => dataset.name ?? dataset.id,
    description: (dataset) => dataset.description ?? null,
    schema: (dataset, _args, { loaders }) => {
      const id = dataset.schemaRef?.id;
      if (!id) return null;
      const preloaded = loaders.loadedSchema(id);
      return preloaded !== undefined ? preloaded : loadOrNull(loaders.schema, id);
    },
    tags: (dataset) => dataset.tags ?? {},
    profileEnabled: (dataset) => tagEnabled(dataset, PROFILE_TAG),
    identityEnabled: (dataset) => tagEnabled(dataset, IDENTITY_TAG),
    created: (dataset) => dataset.created ?? null,
    updated: (dataset) => dataset.updated ?? null,
    lastBatch: (dataset, _args, { loaders }, info) => {
      if (!dataset.lastBatchId) return null;
      if (typeof dataset.lastBatchStatus === 'string' && selectsOnly(info, LAST_BATCH_FROM_DATASET)) {
        return { id: dataset.lastBatchId, status: dataset.lastBatchStatus };
      }
      return loaders.lastBatch.load(dataset);
    },
    batches: async (dataset, { first, after, status }, { platform }, info) => {
      const limit = pageSize(first);
      const start = offsetAfter(after);
      const properties = catalogProperties(selectedNodeFields(info), BATCH_PROPERTIES, 'status');
      const page = await platform.catalog.listBatches({
        start,
        limit,
        probe: selectsPageInfo(info),
        orderBy: 'desc:created',
        ...(properties ? { properties } : {}),
        filters: { dataSet: dataset.id, ...(status && status.length > 0 ? { status: rawStatuses(status) } : {}) },
      });
      return offsetConnection(page.items, start, page.hasMore);
    },
    files: async (dataset, { first, after }, { platform }, info) => {
      const limit = pageSize(first);
      const start = offsetAfter(after);
      const page = await platform.catalog.listDataSetFiles({ start, limit, probe: selectsPageInfo(info), filters: { dataSetId: dataset.id } });
      return offsetConnection(page.items, start, page.hasMore);
    },
    rows: (dataset, { limit }, { platform }) => readDatasetRows(platform, dataset.id, rowLimit(limit)),
  },

  DatasetFile: {
    id: (file) => file.id,
    batchId: (file) => file.batchId ?? null,
    records: (file) => (typeof file.records === 'number' ? file.records : null),
    size: (file) => (typeof file.size === 'number' ? file.size : null),
    created: (file) => file.created ?? null,
  },
};
