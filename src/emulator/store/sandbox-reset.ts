// Sandbox reset (platform-api.md §6): the "factory reset" that removes every
// schema, descriptor, dataset, batch and file of one sandbox and leaves the
// others alone. Each store clears its partition through its own
// `clearPartition`, and all of them run in one SQLite transaction together
// with the sandbox's move to 'resetting', so a reset is all or nothing. The
// file bytes live outside SQLite: the same transaction records that the
// partition's folder must go, and the folder is then moved away in one
// rename; a process stopped in between finishes the removal at its next
// start. A sandbox the emulator seeds gets its seed again, so it looks fresh.
import type { EmulatorError } from '../errors.ts';
import { sandboxError } from '../errors.ts';
import type { RequestScope } from '../http.ts';
import type { EmulatorContext } from '../routes/types.ts';
import { createDescriptorStore } from '../schema-registry/descriptors.ts';
import { reseedSchemaRegistry } from '../schema-registry/seed.ts';
import { catalogServices } from './catalog-services.ts';
import type { Partition } from './catalog-store.ts';
import type { SandboxRecord, SandboxStore } from './sandboxes.ts';

export interface SandboxReset {
  /** The documented refusal (SMS-2074..2077-400) for resetting this sandbox, if any. */
  refusal(sandbox: SandboxRecord, ignoreWarnings: boolean): EmulatorError | undefined;
  /** Clears the sandbox's data and marks it 'resetting'; returns the sandbox as it now is. */
  reset(sandbox: SandboxRecord, by: string): SandboxRecord;
}

/** A store's part of a reset: forget one partition, inside the caller's transaction. */
interface PartitionHook {
  clearPartition(p: Partition): void;
}

export interface SandboxResetOptions {
  readonly sandboxes: SandboxStore;
  /** Names of the sandboxes the emulator seeds (empty when seeding is off). */
  readonly seeded: readonly string[];
}

export function createSandboxReset(ctx: EmulatorContext, { sandboxes, seeded }: SandboxResetOptions): SandboxReset {
  const { db, settings } = ctx;
  const services = catalogServices(ctx);
  const hooks: PartitionHook[] = [services.catalog, services.batchFiles, services.registry, createDescriptorStore(ctx, services.registry)];
  db.exec(`CREATE TABLE IF NOT EXISTS sandbox_folder_removals (
    org TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    PRIMARY KEY (org, sandbox)
  )`);
  const sql = {
    schedule: db.prepare('INSERT OR IGNORE INTO sandbox_folder_removals (org, sandbox) VALUES (?, ?)'),
    done: db.prepare('DELETE FROM sandbox_folder_removals WHERE org = ? AND sandbox = ?'),
    pending: db.prepare<[], Partition>('SELECT org, sandbox FROM sandbox_folder_removals'),
  };

  /** Moves the folder out of sight now (new files of the sandbox must not land in it), deletes its bytes later. */
  function removeFolder(p: Partition): void {
    const detached = services.files.detachPartition(p);
    sql.done.run(p.org, p.sandbox);
    if (detached) ctx.track(services.files.removeDetached(detached));
  }

  // Resets a previous process recorded but whose folder it did not get to move.
  for (const p of sql.pending.all()) removeFolder(p);

  return {
    refusal(sandbox, ignoreWarnings) {
      // The documented refusals concern the identity graph of production sandboxes.
      if (sandbox.type !== 'production') return undefined;
      const links = new Set(settings.sandboxLinks[sandbox.name] ?? []);
      const cda = links.has('cross-device-analytics');
      const pbd = links.has('people-based-destinations');
      const prefix = `Sandbox \`${sandbox.name}\` cannot be reset. The identity graph hosted in this sandbox is also being used by`;
      if (cda && pbd) {
        return sandboxError(
          'SMS-2076-400',
          `${prefix} Adobe Audience Manager for the People Based Destinations (PBD) feature, as well by Adobe Analytics for the Cross Device Analytics (CDA) feature.`,
        );
      }
      if (cda) return sandboxError('SMS-2074-400', `${prefix} Adobe Analytics for the Cross Device Analytics (CDA) feature.`);
      if (pbd) return sandboxError('SMS-2075-400', `${prefix} Adobe Audience Manager for the People Based Destinations (PBD) feature.`);
      // ignoreWarnings skips this one, except on the default production sandbox, where it does not apply.
      if (links.has('segment-sharing') && !(ignoreWarnings && !sandbox.isDefault)) {
        return sandboxError(
          'SMS-2077-400',
          `Warning: Sandbox \`${sandbox.name}\` is used for bi-directional segment sharing with Adobe Audience Manager or Audience Core Service.`,
        );
      }
      return undefined;
    },
    reset(sandbox, by) {
      const p: Partition = { org: settings.orgId, sandbox: sandbox.name };
      const scope: RequestScope = { orgId: settings.orgId, clientId: settings.clients[0]?.clientId ?? 'aep-local', sandbox };
      const record = db.transaction(() => {
        for (const hook of hooks) hook.clearPartition(p);
        sql.schedule.run(p.org, p.sandbox);
        if (seeded.includes(sandbox.name)) reseedSchemaRegistry(ctx, services.registry, scope);
        return sandboxes.startReset(sandbox.name, by);
      })();
      removeFolder(p);
      return record;
    },
  };
}
