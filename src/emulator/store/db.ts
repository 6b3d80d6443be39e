// The emulator's one SQLite database and its file-bytes folder, both under
// the data dir, so that a restart on the same folder loses nothing.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface EmulatorStorage {
  readonly db: Database.Database;
  /** `<dataDir>/files`: where uploaded and produced file bytes live. */
  readonly filesDir: string;
  close(): void;
}

export function openStorage(dataDir: string): EmulatorStorage {
  mkdirSync(dataDir, { recursive: true });
  const filesDir = join(dataDir, 'files');
  mkdirSync(filesDir, { recursive: true });
  const db = new Database(join(dataDir, 'emulator.sqlite'));
  // WAL + NORMAL: durable across process exits (not power loss), and readers never block the writer.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS emulator_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  return {
    db,
    filesDir,
    close() {
      if (db.open) db.close();
    },
  };
}

/** Forgets that a `once` work was done, so that it runs again (a sandbox reset re-seeds). */
export function forgetOnce(db: Database.Database, key: string): void {
  db.prepare('DELETE FROM emulator_meta WHERE key = ?').run(key);
}

/** Runs `work` once per data dir: a marker row remembers it was done (seeds). */
export function once(db: Database.Database, key: string, work: () => void): void {
  const done = db.prepare('SELECT 1 FROM emulator_meta WHERE key = ?').get(key);
  if (done) return;
  db.transaction(() => {
    work();
    db.prepare('INSERT INTO emulator_meta (key, value) VALUES (?, ?)').run(key, new Date().toISOString());
  })();
}
