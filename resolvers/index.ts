// All resolvers, merged from one map per domain. A new domain adds its map to
// DOMAINS; fields of the same type (Query, Mutation, ...) are merged, and a
// field defined twice is a startup error rather than a silent override.
import type { Resolvers } from '../src/generated/resolvers-types.ts';
import { batchResolvers } from './batches.ts';
import { datasetResolvers } from './datasets.ts';
import { sandboxResolvers } from './sandboxes.ts';
import { scalarResolvers } from './scalars.ts';
import { schemaResolvers } from './schemas.ts';
import { uploadResolvers } from './uploads.ts';
import { subscriptionResolvers } from './subscriptions.ts';

const DOMAINS: readonly Resolvers[] = [scalarResolvers, schemaResolvers, datasetResolvers, batchResolvers, uploadResolvers, sandboxResolvers, subscriptionResolvers];

export function mergeResolvers(maps: readonly Resolvers[]): Resolvers {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [typeName, fields] of Object.entries(map)) {
      const existing = merged[typeName];
      if (existing === undefined) {
        merged[typeName] = fields;
        continue;
      }
      if (!isPlainObject(existing) || !isPlainObject(fields)) throw new Error(`resolvers for ${typeName} are defined twice`);
      for (const field of Object.keys(fields)) {
        if (field in existing) throw new Error(`resolver ${typeName}.${field} is defined twice`);
      }
      merged[typeName] = { ...existing, ...fields };
    }
  }
  return merged as Resolvers;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

export const resolvers: Resolvers = mergeResolvers(DOMAINS);
