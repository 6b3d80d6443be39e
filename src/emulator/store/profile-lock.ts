// A dataset enabled for Real-Time Customer Profile (the reserved tag
// `unifiedProfile: ["enabled:true"]`) locks its schema to additive changes,
// as ingested data does (platform-api.md §2.11).
import type { RequestScope } from '../http.ts';
import type { SchemaRegistryStore } from '../schema-registry/index.ts';
import type { CatalogBody } from './catalog-store.ts';

export function isProfileEnabled(dataset: CatalogBody): boolean {
  const tags = dataset.tags as Record<string, unknown> | undefined;
  const profile = tags?.unifiedProfile;
  return Array.isArray(profile) && profile.includes('enabled:true');
}

/** Locks the dataset's schema when the dataset is enabled for Profile. */
export function lockSchemaOfProfileDataset(registry: SchemaRegistryStore, scope: RequestScope, dataset: CatalogBody): void {
  const schemaId = (dataset.schemaRef as { id?: unknown } | undefined)?.id;
  if (isProfileEnabled(dataset) && typeof schemaId === 'string') registry.markSchemaInUse(scope, schemaId);
}
