// The stores the Catalog, import and export routes share: one set per
// emulator, so that all three see the same objects and files.
import { randomBytes } from 'node:crypto';
import type { RequestScope } from '../http.ts';
import type { EmulatorContext } from '../routes/types.ts';
import { createSchemaRegistryStore } from '../schema-registry/index.ts';
import type { SchemaRegistryStore } from '../schema-registry/index.ts';
import { createBatchFileStore } from './batch-files.ts';
import type { BatchFileStore } from './batch-files.ts';
import { createCatalogStore } from './catalog-store.ts';
import type { CatalogStore } from './catalog-store.ts';
import { createFileStore } from './file-store.ts';
import type { FileStore } from './file-store.ts';

export interface CatalogServices {
  readonly ctx: EmulatorContext;
  readonly catalog: CatalogStore;
  readonly batchFiles: BatchFileStore;
  readonly files: FileStore;
  readonly registry: SchemaRegistryStore;
}

const services = new WeakMap<EmulatorContext, CatalogServices>();

export function catalogServices(ctx: EmulatorContext): CatalogServices {
  let found = services.get(ctx);
  if (!found) {
    found = {
      ctx,
      catalog: createCatalogStore(ctx.db),
      batchFiles: createBatchFileStore(ctx.db),
      files: createFileStore(ctx.filesDir),
      registry: createSchemaRegistryStore(ctx),
    };
    services.set(ctx, found);
  }
  return found;
}

/** A Catalog object id: 24 lowercase hex, time first (as Catalog's own ids). */
export function newCatalogId(now: number): string {
  return Math.floor(now / 1000).toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

/** A dataset's view id is its id plus one (as in Catalog's examples). */
export function viewIdOf(datasetId: string): string {
  const next = (BigInt(`0x${datasetId}`) + 1n) % (1n << 96n);
  return next.toString(16).padStart(24, '0');
}

/** The user id Catalog records for a technical account. */
export function userOf(scope: RequestScope): string {
  return `${scope.clientId}@techacct.adobe.com`;
}

/** `1.0.3` -> `1.0.4`: Catalog bumps the patch number on every write. */
export function bumpVersion(version: unknown): string {
  const parts = typeof version === 'string' ? version.split('.').map(Number) : [];
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) return '1.0.0';
  return `${parts[0]}.${parts[1]}.${parts[2]! + 1}`;
}
