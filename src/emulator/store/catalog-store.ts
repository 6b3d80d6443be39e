// Catalog objects (dataSets, batches, dataSetFiles) as JSON bodies in
// SQLite, one row per object, partitioned by (org id, sandbox name). The
// body is exactly what Catalog answers for the object; whatever the emulator
// needs besides (the scope a batch was created in, the stored bytes of a
// dataSetFile) lives in `internal`, which never reaches a response.
//
// Lists are read far more often than objects change, and parsing every row's
// JSON is most of a list's cost: `snapshot` keeps the parsed, frozen objects
// of a list until the next write. Any write through this store, any
// transaction's end, and any commit by another connection (SQLite's
// data_version) makes every kept list stale; nothing is kept while a
// transaction is open, so a rolled-back write is never seen.
import type Database from 'better-sqlite3';
import type { RequestScope } from '../http.ts';

export type CatalogKind = 'dataSets' | 'batches' | 'dataSetFiles';

export interface Partition {
  readonly org: string;
  readonly sandbox: string;
}

export function partitionOf(scope: RequestScope): Partition {
  return { org: scope.orgId, sandbox: scope.sandbox.name };
}

export type CatalogBody = Record<string, unknown>;

export interface CatalogObject {
  readonly id: string;
  readonly body: CatalogBody;
  readonly internal: Record<string, unknown>;
}

export interface CatalogStore {
  get(kind: CatalogKind, p: Partition, id: string): CatalogObject | undefined;
  /** Every object of a kind in the partition, oldest first. */
  list(kind: CatalogKind, p: Partition): CatalogObject[];
  /**
   * The same objects as `list`, deeply frozen and shared by every caller
   * until the next write: for readers that only look (the Catalog's list
   * routes). The array is the same one as long as nothing changed.
   */
  snapshot(kind: CatalogKind, p: Partition): readonly CatalogObject[];
  /** Inserts or replaces; `internal` is kept as it was when not given. */
  put(kind: CatalogKind, p: Partition, id: string, body: CatalogBody, internal?: Record<string, unknown>): void;
  delete(kind: CatalogKind, p: Partition, id: string): boolean;
  /** Objects of a kind in any partition whose body `status` is one of `statuses` (restart recovery). */
  findByStatus(kind: CatalogKind, statuses: readonly string[]): Array<CatalogObject & { partition: Partition }>;
  /** Forgets every object of the partition (a sandbox reset); run it inside the reset's transaction. */
  clearPartition(p: Partition): void;
  transaction<T>(work: () => T): T;
}

interface Row {
  org: string;
  sandbox: string;
  id: string;
  body: string;
  internal: string;
}

const stores = new WeakMap<Database.Database, CatalogStore>();

/** One store per database connection (the Catalog, import and export routes share it). */
export function createCatalogStore(db: Database.Database): CatalogStore {
  const existing = stores.get(db);
  if (existing) return existing;
  db.exec(`
    CREATE TABLE IF NOT EXISTS catalog_objects (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      org TEXT NOT NULL,
      sandbox TEXT NOT NULL,
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      status TEXT,
      body TEXT NOT NULL,
      internal TEXT NOT NULL DEFAULT '{}',
      UNIQUE (org, sandbox, kind, id)
    );
    CREATE INDEX IF NOT EXISTS catalog_objects_status ON catalog_objects (kind, status);
  `);
  const sql = {
    get: db.prepare<[string, string, string, string], Row>('SELECT * FROM catalog_objects WHERE org = ? AND sandbox = ? AND kind = ? AND id = ?'),
    list: db.prepare<[string, string, string], Row>('SELECT * FROM catalog_objects WHERE org = ? AND sandbox = ? AND kind = ? ORDER BY seq'),
    insert: db.prepare(
      `INSERT INTO catalog_objects (org, sandbox, kind, id, status, body, internal) VALUES (@org, @sandbox, @kind, @id, @status, @body, @internal)
       ON CONFLICT (org, sandbox, kind, id) DO UPDATE SET status = excluded.status, body = excluded.body, internal = excluded.internal`,
    ),
    delete: db.prepare('DELETE FROM catalog_objects WHERE org = ? AND sandbox = ? AND kind = ? AND id = ?'),
    byStatus: db.prepare<[string], Row>('SELECT * FROM catalog_objects WHERE kind = ? ORDER BY seq'),
    clearPartition: db.prepare('DELETE FROM catalog_objects WHERE org = ? AND sandbox = ?'),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
  const toObject = (row: Row): CatalogObject => ({
    id: row.id,
    body: JSON.parse(row.body) as CatalogBody,
    internal: JSON.parse(row.internal) as Record<string, unknown>,
  });
  const snapshots = createSnapshots(() => sql.dataVersion.get()!);
  const store: CatalogStore = {
    get(kind, p, id) {
      const row = sql.get.get(p.org, p.sandbox, kind, id);
      return row ? toObject(row) : undefined;
    },
    list(kind, p) {
      return sql.list.all(p.org, p.sandbox, kind).map(toObject);
    },
    snapshot(kind, p) {
      if (db.inTransaction) return store.list(kind, p).map(deepFreeze);
      return snapshots.get(`${kind}\u0000${p.org}\u0000${p.sandbox}`, () => store.list(kind, p).map(deepFreeze));
    },
    put(kind, p, id, body, internal) {
      snapshots.invalidate();
      const keep = internal ?? (sql.get.get(p.org, p.sandbox, kind, id) ? store.get(kind, p, id)!.internal : {});
      sql.insert.run({
        org: p.org,
        sandbox: p.sandbox,
        kind,
        id,
        status: typeof body.status === 'string' ? body.status : null,
        body: JSON.stringify(body),
        internal: JSON.stringify(keep),
      });
    },
    delete(kind, p, id) {
      snapshots.invalidate();
      return sql.delete.run(p.org, p.sandbox, kind, id).changes > 0;
    },
    findByStatus(kind, statuses) {
      const wanted = new Set(statuses);
      return sql.byStatus
        .all(kind)
        .filter((row) => {
          const status = (JSON.parse(row.body) as CatalogBody).status;
          return typeof status === 'string' && wanted.has(status);
        })
        .map((row) => ({ ...toObject(row), partition: { org: row.org, sandbox: row.sandbox } }));
    },
    clearPartition(p) {
      snapshots.invalidate();
      sql.clearPartition.run(p.org, p.sandbox);
    },
    transaction(work) {
      try {
        return db.transaction(work)();
      } finally {
        snapshots.invalidate();
      }
    },
  };
  stores.set(db, store);
  return store;
}

/** Lists kept until the next write: at most one array per key, all dropped at once. */
function createSnapshots(dataVersion: () => number) {
  const kept = new Map<string, readonly CatalogObject[]>();
  // Another connection's commit changes data_version; this connection's own writes do not, so they invalidate.
  let seenVersion: number | undefined;
  return {
    get(key: string, read: () => readonly CatalogObject[]): readonly CatalogObject[] {
      const version = dataVersion();
      if (version !== seenVersion) {
        kept.clear();
        seenVersion = version;
      }
      let objects = kept.get(key);
      if (objects === undefined) {
        objects = Object.freeze(read());
        kept.set(key, objects);
      }
      return objects;
    },
    invalidate(): void {
      kept.clear();
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
