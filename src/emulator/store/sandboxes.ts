// The organization's sandboxes. `prod` (the default production sandbox) and
// the development sandbox always exist: every Platform request names one,
// so an emulator without them could serve nothing.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SandboxRef } from '../http.ts';
import type { EmulatorSettings } from '../options.ts';

export interface SandboxRecord extends SandboxRef {
  readonly title: string;
  readonly state: 'creating' | 'active' | 'failed' | 'deleted';
  readonly region: string;
  readonly isDefault: boolean;
  readonly eTag: number;
  readonly createdDate: string;
  readonly lastModifiedDate: string;
  readonly createdBy: string;
  readonly modifiedBy: string;
}

export interface SandboxStore {
  /** Active sandboxes of the org, default first, then by name. */
  list(): SandboxRecord[];
  get(name: string): SandboxRecord | undefined;
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
  state: SandboxRecord['state'];
  region: string;
  is_default: number;
  e_tag: number;
  created: number;
  modified: number;
  created_by: string;
  modified_by: string;
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
    PRIMARY KEY (org_id, name)
  )`);
  const insert = db.prepare(`INSERT OR IGNORE INTO sandboxes
    (org_id, name, id, title, type, state, region, is_default, e_tag, created, modified, created_by, modified_by)
    VALUES (?, ?, ?, ?, ?, 'active', 'VA7', ?, 1, ?, ?, ?, ?)`);
  const creator = settings.clients[0]?.clientId ?? 'aep-local';
  const t = now();
  insert.run(settings.orgId, 'prod', randomUUID(), 'Prod', 'production', 1, t, t, creator, creator);
  insert.run(settings.orgId, settings.devSandboxName, randomUUID(), 'Development', 'development', 0, t, t, creator, creator);

  const rows = db
    .prepare<[string], Row>(`SELECT * FROM sandboxes WHERE org_id = ? AND state = 'active' ORDER BY is_default DESC, name`)
    .all(settings.orgId);
  // Sandboxes never change while the emulator runs, so the gateway checks read them from memory.
  const byName = new Map(rows.map((row) => [row.name, toRecord(row)]));
  const all = [...byName.values()];
  const defaultSandbox = all.find((s) => s.isDefault) ?? all[0];
  if (!defaultSandbox) throw new Error('no sandbox: the sandboxes table is empty');
  return {
    list: () => all,
    get: (name) => byName.get(name),
    defaultSandbox,
  };
}
