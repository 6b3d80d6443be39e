// Schema Registry: list and look up schemas, create them, evolve them
// additively. Lists return the Registry's short entries; a field that needs
// the resolved schema loads it once per schema through the request's loader.
import type { DataSet, XdmSchema, XdmSchemaSummary } from '../src/platform/types.ts';
import type { GatewayContext } from '../src/gateway/context.ts';
import type { Resolvers } from '../src/generated/resolvers-types.ts';
import { badUserInput, isNotFound } from '../src/gateway/errors.ts';
import { loadOrNull, schemaKey } from '../src/gateway/loaders.ts';
import { connection, keyAfter, keyCursor, pageSize } from '../src/gateway/paging.ts';
import { STANDARD_CLASSES, checkFieldInputs, fieldGroupBody, flattenFields, planAdditiveChange, schemaComposition } from '../src/gateway/xdm.ts';

/** The Registry's short listing entries carry only $id, altId, version and title. */
function isResolved(schema: XdmSchemaSummary): schema is XdmSchema {
  return 'type' in schema || 'properties' in schema || 'allOf' in schema;
}

function resolved(schema: XdmSchemaSummary, { loaders }: GatewayContext): Promise<XdmSchema> {
  return isResolved(schema) ? Promise.resolve(schema) : loaders.schema.load(schema.$id);
}

async function tenantNamespace(schema: XdmSchema | null, { platform }: GatewayContext): Promise<string> {
  const fromSchema = schema?.['meta:tenantNamespace'];
  return typeof fromSchema === 'string' && fromSchema !== '' ? fromSchema : `_${await platform.schemaRegistry.getTenantId()}`;
}

/** Loads a schema again after a write, so the response shows the new version. */
async function reload(id: string, { loaders }: GatewayContext): Promise<XdmSchema> {
  loaders.schema.clear(id);
  return loaders.schema.load(id);
}

/** Catalog scans for "datasets on this schema" read this many datasets a call. */
const SCAN_PAGE = 100;

/**
 * The Catalog cannot filter on `schemaRef.id` (a nested property): scan the
 * datasets' schema references only, then look the matches up in one call.
 */
async function datasetsUsing(schema: XdmSchemaSummary, first: number, { platform, loaders }: GatewayContext): Promise<DataSet[]> {
  const key = schemaKey(schema.$id);
  const ids: string[] = [];
  for (let start = 0; ids.length < first; ) {
    const page = await platform.catalog.listDataSets({ start, limit: SCAN_PAGE, properties: ['schemaRef'] });
    for (const dataset of page.items) {
      if (dataset.schemaRef?.id && schemaKey(dataset.schemaRef.id) === key && ids.length < first) ids.push(dataset.id);
    }
    if (!page.hasMore) break;
    start += page.items.length;
  }
  const found = await loaders.dataset.loadMany(ids);
  const failure = found.find((dataset) => dataset instanceof Error && !isNotFound(dataset));
  if (failure) throw failure;
  // A dataset deleted between the scan and the lookup is left out.
  return found.filter((dataset): dataset is DataSet => !(dataset instanceof Error));
}

export const schemaResolvers: Resolvers = {
  Query: {
    schemas: async (_root, { first, after, container }, { platform }) => {
      const size = pageSize(first);
      const page = await platform.schemaRegistry.listSchemas({
        container: container === 'GLOBAL' ? 'global' : 'tenant',
        orderby: 'title',
        limit: size,
        ...(after ? { start: keyAfter(after) } : {}),
      });
      // The Registry treats `limit` as a hint: never show more than asked.
      const items = page.results.slice(0, size);
      const hasNextPage = page.results.length > size || page._page.next !== null;
      return connection(items.map((node) => ({ cursor: keyCursor(node.title), node })), hasNextPage);
    },
    schema: (_root, { id }, { loaders }) => loadOrNull(loaders.schema, id),
  },

  Mutation: {
    createSchema: async (_root, { input }, ctx) => {
      const { platform, loaders } = ctx;
      if ((input.class ? 1 : 0) + (input.classId ? 1 : 0) !== 1) throw badUserInput('give exactly one of "class" and "classId"');
      const classId = input.class ? STANDARD_CLASSES[input.class] : input.classId!;
      const fields = input.fields ?? [];
      checkFieldInputs(fields);
      const fieldGroups = [...(input.fieldGroups ?? [])];
      if (fields.length > 0) {
        const namespace = await tenantNamespace(null, ctx);
        const group = await platform.schemaRegistry.createFieldGroup(
          fieldGroupBody({ title: `${input.title} fields`, description: `Custom fields of the ${input.title} schema`, classId, tenantNamespace: namespace, fields }),
        );
        fieldGroups.push(group.$id);
      }
      const created = await platform.schemaRegistry.createSchema({
        title: input.title,
        description: input.description ?? '',
        type: 'object',
        allOf: [{ $ref: classId }, ...fieldGroups.map(($ref) => ({ $ref }))],
      });
      return { schema: await loaders.schema.load(created.$id) };
    },

    addSchemaFields: async (_root, { input }, ctx) => {
      const schema = await ctx.loaders.schema.load(input.schemaId);
      const namespace = await tenantNamespace(schema, ctx);
      // Refused here, before any write, when the change is not additive.
      const plan = planAdditiveChange(flattenFields(schema), namespace, input.fields);
      if (plan.toAdd.length === 0) return { schema, addedPaths: [] };
      const { classId } = schemaComposition(schema);
      if (!classId) throw badUserInput(`schema ${schema.$id} has no class (meta:class); fields cannot be added`);
      const group = await ctx.platform.schemaRegistry.createFieldGroup(
        fieldGroupBody({
          title: `${schema.title} fields ${schema.version}+${plan.addedPaths.length}@${Date.now().toString(36)}`,
          description: `Fields added to the ${schema.title} schema: ${plan.addedPaths.join(', ')}`,
          classId,
          tenantNamespace: namespace,
          fields: plan.toAdd,
        }),
      );
      await ctx.platform.schemaRegistry.patchSchema(schema.$id, [
        { op: 'add', path: '/meta:extends/-', value: group.$id },
        { op: 'add', path: '/allOf/-', value: { $ref: group.$id } },
      ]);
      return { schema: await reload(schema.$id, ctx), addedPaths: plan.addedPaths };
    },
  },

  Schema: {
    id: (schema) => schema.$id,
    altId: (schema) => schema['meta:altId'],
    title: (schema) => schema.title,
    version: (schema) => schema.version,
    description: async (schema, _args, ctx) => (await resolved(schema, ctx)).description ?? null,
    class: async (schema, _args, ctx) => schemaComposition(await resolved(schema, ctx)).classId,
    fieldGroups: async (schema, _args, ctx) => schemaComposition(await resolved(schema, ctx)).fieldGroups,
    fields: async (schema, { under }, ctx) => {
      const fields = flattenFields(await resolved(schema, ctx));
      if (!under) return fields;
      return fields.filter((field) => field.path === under || field.path.startsWith(`${under}.`));
    },
    json: (schema, _args, ctx) => resolved(schema, ctx),
    datasets: (schema, { first }, ctx) => datasetsUsing(schema, pageSize(first), ctx),
    created: async (schema, _args, ctx) => (await resolved(schema, ctx))['meta:registryMetadata']?.['repo:createdDate'] ?? null,
    updated: async (schema, _args, ctx) => (await resolved(schema, ctx))['meta:registryMetadata']?.['repo:lastModifiedDate'] ?? null,
  },
};
