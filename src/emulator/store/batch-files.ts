// Which files a batch holds, by the names clients and the Platform use, and
// where their bytes are (a blob of file-store.ts). Areas: `upload` (input
// files), `file:<dataSetFileId>` (produced Parquet), `failed` (rejected
// rows) and `meta` (diagnostics). Large-file uploads keep their parts here
// until the file is completed. Each has an assembly blob, the file its parts
// make up: a part written in place has that blob as its own
// (assembly-claims.ts), any other part a blob of its own.
import type Database from 'better-sqlite3';
import type { Partition } from './catalog-store.ts';

export interface StoredFile {
  readonly name: string;
  readonly blob: string;
  readonly size: number;
}

export interface StoredPart {
  readonly first: number;
  readonly last: number;
  readonly blob: string;
}

export interface BatchFileStore {
  /** Records a file; returns the blob it replaced, if any, for the caller to delete. */
  putFile(p: Partition, batchId: string, area: string, file: StoredFile): string | undefined;
  getFile(p: Partition, batchId: string, area: string, name: string): StoredFile | undefined;
  listFiles(p: Partition, batchId: string, area: string): StoredFile[];
  /** Forgets every file and part of a batch; returns their blobs. */
  forgetBatch(p: Partition, batchId: string): string[];
  /** Starts (or restarts) a large-file upload whose parts make up `assembly`; returns the blobs it dropped. */
  initializeLarge(p: Partition, batchId: string, name: string, assembly: string): string[];
  isLargeOpen(p: Partition, batchId: string, name: string): boolean;
  /** The blob an open large-file upload's parts make up; undefined when it is not open (or was opened before assemblies existed). */
  largeAssembly(p: Partition, batchId: string, name: string): string | undefined;
  /** Records a part; the same range sent again replaces the old one (its blob is returned, unless it is the assembly). */
  putPart(p: Partition, batchId: string, name: string, part: StoredPart, total: number | undefined): string | undefined;
  listParts(p: Partition, batchId: string, name: string): StoredPart[];
  largeTotal(p: Partition, batchId: string, name: string): number | undefined;
  /** Ends a large-file upload (completed or given up); returns the blobs of its parts and its assembly. */
  closeLarge(p: Partition, batchId: string, name: string): string[];
  openLargeNames(p: Partition, batchId: string): string[];
  /** Forgets every file and part of every batch of the partition (a sandbox reset; the folder goes separately). */
  clearPartition(p: Partition): void;
}

export function createBatchFileStore(db: Database.Database): BatchFileStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS batch_files (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      org TEXT NOT NULL, sandbox TEXT NOT NULL, batch_id TEXT NOT NULL, area TEXT NOT NULL,
      name TEXT NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
      UNIQUE (org, sandbox, batch_id, area, name)
    );
    CREATE TABLE IF NOT EXISTS batch_large_files (
      org TEXT NOT NULL, sandbox TEXT NOT NULL, batch_id TEXT NOT NULL, name TEXT NOT NULL, total INTEGER,
      PRIMARY KEY (org, sandbox, batch_id, name)
    );
    CREATE TABLE IF NOT EXISTS batch_large_parts (
      org TEXT NOT NULL, sandbox TEXT NOT NULL, batch_id TEXT NOT NULL, name TEXT NOT NULL,
      first INTEGER NOT NULL, last INTEGER NOT NULL, blob TEXT NOT NULL,
      PRIMARY KEY (org, sandbox, batch_id, name, first, last)
    );
  `);
  // Data folders written before assemblies existed: their open uploads have none, and complete into a new blob.
  const largeColumns = db.prepare<unknown[], { name: string }>('PRAGMA table_info(batch_large_files)').all();
  if (!largeColumns.some((c) => c.name === 'assembly')) db.exec('ALTER TABLE batch_large_files ADD COLUMN assembly TEXT');
  const sql = {
    getFile: db.prepare<unknown[], StoredFile>('SELECT name, blob, size FROM batch_files WHERE org = ? AND sandbox = ? AND batch_id = ? AND area = ? AND name = ?'),
    listFiles: db.prepare<unknown[], StoredFile>('SELECT name, blob, size FROM batch_files WHERE org = ? AND sandbox = ? AND batch_id = ? AND area = ? ORDER BY seq'),
    putFile: db.prepare(
      `INSERT INTO batch_files (org, sandbox, batch_id, area, name, blob, size) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org, sandbox, batch_id, area, name) DO UPDATE SET blob = excluded.blob, size = excluded.size`,
    ),
    batchBlobs: db.prepare<unknown[], { blob: string }>(
      `SELECT blob FROM batch_files WHERE org = ? AND sandbox = ? AND batch_id = ?
       UNION SELECT blob FROM batch_large_parts WHERE org = ? AND sandbox = ? AND batch_id = ?
       UNION SELECT assembly FROM batch_large_files WHERE org = ? AND sandbox = ? AND batch_id = ? AND assembly IS NOT NULL`,
    ),
    forgetFiles: db.prepare('DELETE FROM batch_files WHERE org = ? AND sandbox = ? AND batch_id = ?'),
    forgetParts: db.prepare('DELETE FROM batch_large_parts WHERE org = ? AND sandbox = ? AND batch_id = ?'),
    forgetLarge: db.prepare('DELETE FROM batch_large_files WHERE org = ? AND sandbox = ? AND batch_id = ?'),
    openLarge: db.prepare('INSERT OR REPLACE INTO batch_large_files (org, sandbox, batch_id, name, total, assembly) VALUES (?, ?, ?, ?, NULL, ?)'),
    getLarge: db.prepare<unknown[], { total: number | null; assembly: string | null }>(
      'SELECT total, assembly FROM batch_large_files WHERE org = ? AND sandbox = ? AND batch_id = ? AND name = ?',
    ),
    setTotal: db.prepare('UPDATE batch_large_files SET total = ? WHERE org = ? AND sandbox = ? AND batch_id = ? AND name = ?'),
    largeNames: db.prepare<unknown[], { name: string }>('SELECT name FROM batch_large_files WHERE org = ? AND sandbox = ? AND batch_id = ?'),
    parts: db.prepare<unknown[], StoredPart>(
      'SELECT first, last, blob FROM batch_large_parts WHERE org = ? AND sandbox = ? AND batch_id = ? AND name = ? ORDER BY first, last',
    ),
    getPart: db.prepare<unknown[], { blob: string }>(
      'SELECT blob FROM batch_large_parts WHERE org = ? AND sandbox = ? AND batch_id = ? AND name = ? AND first = ? AND last = ?',
    ),
    putPart: db.prepare('INSERT OR REPLACE INTO batch_large_parts (org, sandbox, batch_id, name, first, last, blob) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    dropParts: db.prepare('DELETE FROM batch_large_parts WHERE org = ? AND sandbox = ? AND batch_id = ? AND name = ?'),
    closeLarge: db.prepare('DELETE FROM batch_large_files WHERE org = ? AND sandbox = ? AND batch_id = ? AND name = ?'),
    clearTables: ['batch_files', 'batch_large_parts', 'batch_large_files'].map((table) => db.prepare(`DELETE FROM ${table} WHERE org = ? AND sandbox = ?`)),
  };
  /** The blobs of an upload's parts and its assembly, each once. */
  const largeBlobs = (p: Partition, batchId: string, name: string) => {
    const blobs = new Set(sql.parts.all(p.org, p.sandbox, batchId, name).map((part) => part.blob));
    const assembly = sql.getLarge.get(p.org, p.sandbox, batchId, name)?.assembly;
    if (assembly) blobs.add(assembly);
    return [...blobs];
  };

  return {
    putFile(p, batchId, area, file) {
      return db.transaction(() => {
        const old = sql.getFile.get(p.org, p.sandbox, batchId, area, file.name);
        sql.putFile.run(p.org, p.sandbox, batchId, area, file.name, file.blob, file.size);
        return old && old.blob !== file.blob ? old.blob : undefined;
      })();
    },
    getFile: (p, batchId, area, name) => sql.getFile.get(p.org, p.sandbox, batchId, area, name),
    listFiles: (p, batchId, area) => sql.listFiles.all(p.org, p.sandbox, batchId, area),
    forgetBatch(p, batchId) {
      return db.transaction(() => {
        const blobs = sql.batchBlobs.all(p.org, p.sandbox, batchId, p.org, p.sandbox, batchId, p.org, p.sandbox, batchId).map((row) => row.blob);
        sql.forgetFiles.run(p.org, p.sandbox, batchId);
        sql.forgetParts.run(p.org, p.sandbox, batchId);
        sql.forgetLarge.run(p.org, p.sandbox, batchId);
        return blobs;
      })();
    },
    initializeLarge(p, batchId, name, assembly) {
      return db.transaction(() => {
        const dropped = largeBlobs(p, batchId, name);
        sql.dropParts.run(p.org, p.sandbox, batchId, name);
        sql.openLarge.run(p.org, p.sandbox, batchId, name, assembly);
        return dropped;
      })();
    },
    isLargeOpen: (p, batchId, name) => sql.getLarge.get(p.org, p.sandbox, batchId, name) !== undefined,
    largeAssembly: (p, batchId, name) => sql.getLarge.get(p.org, p.sandbox, batchId, name)?.assembly ?? undefined,
    putPart(p, batchId, name, part, total) {
      return db.transaction(() => {
        const old = sql.getPart.get(p.org, p.sandbox, batchId, name, part.first, part.last);
        sql.putPart.run(p.org, p.sandbox, batchId, name, part.first, part.last, part.blob);
        if (total !== undefined) sql.setTotal.run(total, p.org, p.sandbox, batchId, name);
        // A part written in place leaves its bytes in the assembly, which the other parts share.
        const assembly = sql.getLarge.get(p.org, p.sandbox, batchId, name)?.assembly;
        return old && old.blob !== part.blob && old.blob !== assembly ? old.blob : undefined;
      })();
    },
    listParts: (p, batchId, name) => sql.parts.all(p.org, p.sandbox, batchId, name),
    largeTotal: (p, batchId, name) => sql.getLarge.get(p.org, p.sandbox, batchId, name)?.total ?? undefined,
    closeLarge(p, batchId, name) {
      return db.transaction(() => {
        const dropped = largeBlobs(p, batchId, name);
        sql.dropParts.run(p.org, p.sandbox, batchId, name);
        sql.closeLarge.run(p.org, p.sandbox, batchId, name);
        return dropped;
      })();
    },
    openLargeNames: (p, batchId) => sql.largeNames.all(p.org, p.sandbox, batchId).map((row) => row.name),
    clearPartition(p) {
      for (const statement of sql.clearTables) statement.run(p.org, p.sandbox);
    },
  };
}
