// The organization's sandboxes. `prod` (the default production sandbox) and
// the development sandbox always exist: every Platform request names one,
// so an emulator without them could serve nothing. Sandboxes created
// through the API are 'creating' for settings.processingDelayMs, then
// 'active', and so is a sandbox being reset ('resetting', then 'active');
// deleted ones keep their row (state 'deleted') so their name, which
// partitions all data, is never reused.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SandboxRef } from '../http.ts';
import type { EmulatorSettings } from '../options.ts';

export type SandboxState = 'creating' | 'active' | 'resetting' | 'deleted';

export interface SandboxRecord extends SandboxRef {
  readonly title: string;
  readonly state: SandboxState;
  readonly region: string;
  readonly isDefault: boolean;
  readonly eTag: number;
  readonly createdDate: string;
  readonly lastModifiedDate: string;
  readonly createdBy: string;
  readonly modifiedBy: string;
}

export interface SandboxStore {
  /** Sandboxes that are not deleted, default first, then by name. */
  list(): SandboxRecord[];
  /** Only active sandboxes: the ones requests may name. */
  listActive(): SandboxRecord[];
  /** A sandbox that is not deleted. */
  get(name: string): SandboxRecord | undefined;
  /** An active sandbox (the gateway check). */
  getActive(name: string): SandboxRecord | undefined;
  /** Whether the name was ever used, deleted sandboxes included. */
  exists(name: string): boolean;
  create(input: { name: string; title: string; type: 'production' | 'development'; by: string }): SandboxRecord;
  update(name: string, changes: { title: string; by: string }): SandboxRecord;
  remove(name: string, by: string): SandboxRecord;
  /** Marks a sandbox 'resetting' for settings.processingDelayMs; its data is cleared by the caller, in the same transaction. */
  startReset(name: string, by: string): SandboxRecord;
  readonly defaultSandbox: SandboxRecord;
}

/** `"2019-09-04 04:57:24"`, the Sandbox API's date format (UTC). */
export function sandboxDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

interface Row {
  name: string;
  id: string;
  title: string;
  type: 'production' | 'development';
  state: SandboxState;
  region: string;
  is_default: number;
  e_tag: number;
  created: number;
  modified: number;
  created_by: string;
  modified_by: string;
  ready_at: number;
}

function toRecord(row: Row): SandboxRecord {
  return Object.freeze({
    name: row.name,
    id: row.id,
    title: row.title,
    type: row.type,
    state: row.state,
    region: row.region,
    isDefault: row.is_default === 1,
    eTag: row.e_tag,
    createdDate: sandboxDate(row.created),
    lastModifiedDate: sandboxDate(row.modified),
    createdBy: row.created_by,
    modifiedBy: row.modified_by,
  });
}

export function createSandboxStore(db: Database.Database, settings: EmulatorSettings, now: () => number): SandboxStore {
  db.exec(`CREATE TABLE IF NOT EXISTS sandboxes (
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL,
    region TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    e_tag INTEGER NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    modified_by TEXT NOT NULL,
    ready_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, name)
  )`);
  // Data dirs from before sandboxes could be created lack the column.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(sandboxes)').all();
  if (!columns.some((c) => c.name === 'ready_at')) db.exec('ALTER TABLE sandboxes ADD COLUMN ready_at INTEGER NOT NULL DEFAULT 0');
  const insert = db.prepare(`INSERT OR IGNORE INTO sandboxes
    (org_id, name, id, title, type, state, region, is_default, e_tag, created, modified, created_by, modified_by, ready_at)
    VALUES (?, ?, ?, ?, ?, ?, 'VA7', ?, 1, ?, ?, ?, ?, ?)`);
  const write = db.prepare(
    'UPDATE sandboxes SET title = ?, state = ?, e_tag = ?, modified = ?, modified_by = ?, ready_at = ? WHERE org_id = ? AND name = ?',
  );
  const selectAll = db.prepare<[string], Row>('SELECT * FROM sandboxes WHERE org_id = ? ORDER BY is_default DESC, name');
  const creator = settings.clients[0]?.clientId ?? 'aep-local';
  const t = now();
  insert.run(settings.orgId, 'prod', randomUUID(), 'Prod', 'production', 'active', 1, t, t, creator, creator, 0);
  insert.run(settings.orgId, settings.devSandboxName, randomUUID(), 'Development', 'development', 'active', 0, t, t, creator, creator, 0);

  // Requests read sandboxes on every call: rows live in memory, written through to SQLite.
  const rows = new Map(selectAll.all(settings.orgId).map((row) => [row.name, row]));
  const records = new Map([...rows.values()].map((row) => [row.name, toRecord(row)]));

  function save(row: Row): SandboxRecord {
    write.run(row.title, row.state, row.e_tag, row.modified, row.modified_by, row.ready_at, settings.orgId, row.name);
    rows.set(row.name, row);
    const record = toRecord(row);
    records.set(row.name, record);
    return record;
  }

  function current(name: string): SandboxRecord | undefined {
    const row = rows.get(name);
    if (!row) return undefined;
    const provisioning = row.state === 'creating' || row.state === 'resetting';
    if (provisioning && now() >= row.ready_at) return save({ ...row, state: 'active', modified: row.ready_at });
    return records.get(name);
  }

  const sorted = () =>
    [...rows.keys()]
      .map(current)
      .filter((s): s is SandboxRecord => s !== undefined && s.state !== 'deleted')
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));

  // The default sandbox cannot be deleted, but a restart may find it still resetting.
  const defaultSandbox = [...records.values()].find((s) => s.isDefault && s.state !== 'deleted');
  if (!defaultSandbox) throw new Error('no default sandbox: the sandboxes table has none');

  return {
    list: sorted,
    listActive: () => sorted().filter((s) => s.state === 'active'),
    get(name) {
      const sandbox = current(name);
      return sandbox && sandbox.state !== 'deleted' ? sandbox : undefined;
    },
    getActive(name) {
      const sandbox = current(name);
      return sandbox?.state === 'active' ? sandbox : undefined;
    },
    exists: (name) => rows.has(name),
    create({ name, title, type, by }) {
      const at = now();
      const row: Row = {
        name,
        id: randomUUID(),
        title,
        type,
        state: 'creating',
        region: 'VA7',
        is_default: 0,
        e_tag: 1,
        created: at,
        modified: at,
        created_by: by,
        modified_by: by,
        ready_at: at + settings.processingDelayMs,
      };
      insert.run(settings.orgId, name, row.id, title, type, 'creating', 0, at, at, by, by, row.ready_at);
      rows.set(name, row);
      records.set(name, toRecord(row));
      return records.get(name)!;
    },
    update(name, { title, by }) {
      const row = rows.get(name)!;
      return save({ ...row, title, e_tag: row.e_tag + 1, modified: now(), modified_by: by });
    },
    remove(name, by) {
      const row = rows.get(name)!;
      return save({ ...row, state: 'deleted', e_tag: row.e_tag + 1, modified: now(), modified_by: by });
    },
    startReset(name, by) {
      const row = rows.get(name)!;
      const at = now();
      return save({ ...row, state: 'resetting', e_tag: row.e_tag + 1, modified: at, modified_by: by, ready_at: at + settings.processingDelayMs });
    },
    defaultSandbox,
  };
}
