// What other emulator modules use from the Schema Registry: one store per
// emulator (so caches agree), the resolved-schema types and the lock hook.
import type { EmulatorContext } from '../routes/types.ts';
import { createSchemaRegistryStoreFor } from './store.ts';
import type { SchemaRegistryStore } from './store.ts';

export type { SchemaRegistryStore } from './store.ts';
export type { ResolvedField, ResolvedSchema } from './resolve.ts';
export type { XdmResource } from './kinds.ts';

const stores = new WeakMap<EmulatorContext, SchemaRegistryStore>();

/**
 * The Schema Registry store of this emulator (created on first use, then
 * shared): `resolveSchema(scope, schemaId)` gives the xed-full view a dataset's
 * rows are validated against; `markSchemaInUse(scope, schemaId)` locks the
 * schema to additive changes once data was ingested with it.
 */
export function createSchemaRegistryStore(ctx: EmulatorContext): SchemaRegistryStore {
  let store = stores.get(ctx);
  if (!store) {
    store = createSchemaRegistryStoreFor(ctx);
    stores.set(ctx, store);
  }
  return store;
}
