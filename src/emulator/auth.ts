// IMS access tokens: opaque random strings kept in SQLite so that they
// survive a restart, with their expiry; plus the static tokens from the
// settings, which never expire. Every client belongs to the emulator's one
// organization, so a token's org is always settings.orgId.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EmulatorSettings } from './options.ts';

export interface TokenInfo {
  readonly clientId: string;
  readonly orgId: string;
  /** Epoch ms; Infinity for static tokens. */
  readonly expiresAt: number;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export interface TokenStore {
  issue(clientId: string): IssuedToken;
  /** The token's owner if the token exists and has not expired, else null. */
  verify(token: string): TokenInfo | null;
  /** Whether `clientId` with `clientSecret` is a configured credential. */
  checkClient(clientId: string, clientSecret: string): 'ok' | 'unknown-client' | 'bad-secret';
  isApiKey(key: string): boolean;
}

// Verification runs on every Platform request: answers are cached in memory
// so the hot path does not touch SQLite. Bounded so a token flood cannot grow it.
const CACHE_LIMIT = 10_000;

export function createTokenStore(db: Database.Database, settings: EmulatorSettings, now: () => number): TokenStore {
  db.exec(`CREATE TABLE IF NOT EXISTS ims_tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  )`);
  // Expired tokens are useless: drop them at start so the table does not grow forever.
  db.prepare('DELETE FROM ims_tokens WHERE expires_at <= ?').run(now());

  const insert = db.prepare('INSERT INTO ims_tokens (token, client_id, org_id, expires_at) VALUES (?, ?, ?, ?)');
  const select = db.prepare<[string], { client_id: string; org_id: string; expires_at: number }>(
    'SELECT client_id, org_id, expires_at FROM ims_tokens WHERE token = ?',
  );
  const clients = new Map(settings.clients.map((c) => [c.clientId, c.clientSecret]));
  const defaultClient = settings.clients[0]?.clientId ?? 'static';
  const staticTokens = new Map<string, TokenInfo>(
    settings.staticTokens.map((t) => [t, { clientId: defaultClient, orgId: settings.orgId, expiresAt: Infinity }]),
  );
  const cache = new Map<string, TokenInfo>();

  return {
    issue(clientId) {
      const accessToken = `aepl_${randomBytes(32).toString('base64url')}`;
      const expiresAt = now() + settings.tokenLifetimeSeconds * 1000;
      insert.run(accessToken, clientId, settings.orgId, expiresAt);
      return { accessToken, expiresInSeconds: settings.tokenLifetimeSeconds };
    },
    verify(token) {
      const fixed = staticTokens.get(token);
      if (fixed) return fixed;
      let info = cache.get(token);
      if (!info) {
        const row = select.get(token);
        if (!row) return null;
        info = { clientId: row.client_id, orgId: row.org_id, expiresAt: row.expires_at };
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(token, info);
      }
      if (info.expiresAt <= now()) {
        cache.delete(token);
        return null;
      }
      return info;
    },
    checkClient(clientId, clientSecret) {
      const secret = clients.get(clientId);
      if (secret === undefined) return 'unknown-client';
      return secret === clientSecret ? 'ok' : 'bad-secret';
    },
    isApiKey(key) {
      return clients.has(key);
    },
  };
}
