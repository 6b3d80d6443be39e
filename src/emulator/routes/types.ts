// The contract between the emulator's server and its route modules: each
// module exports `register(routes, ctx)` and declares its paths in full
// (e.g. '/data/foundation/catalog/dataSets/:id'); find-my-way syntax.
import type Database from 'better-sqlite3';
import type { RouteHandler } from '../http.ts';
import type { EmulatorSettings } from '../options.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface PlatformRouteOptions {
  /**
   * The route works without x-sandbox-name even when settings.missingSandbox
   * is 'error' (the Sandbox API lists sandboxes without naming one).
   * @default false
   */
  sandboxOptional?: boolean;
}

export interface RouteTable {
  /** A Platform API route: the gateway checks (token, x-api-key, org, sandbox) run first, then `req.scope` is set. */
  platform(method: Method | Method[], path: string, handler: RouteHandler, options?: PlatformRouteOptions): void;
  /** A route with no gateway checks (IMS, the OpenAPI documents, the admin endpoint). */
  open(method: Method | Method[], path: string, handler: RouteHandler): void;
}

export interface EmulatorContext {
  readonly settings: EmulatorSettings;
  /** One better-sqlite3 connection (WAL). Modules create their tables with CREATE TABLE IF NOT EXISTS at register time. */
  readonly db: Database.Database;
  /** `<dataDir>/files`, created at start: where file bytes live (names through store/paths.ts#resolveUnder). */
  readonly filesDir: string;
  /** Milliseconds since the epoch; one clock for the whole emulator. */
  now(): number;
  /** Work that must finish before close() returns (ingestion jobs): register its promise here. */
  track(work: Promise<unknown>): void;
}

export type RegisterRoutes = (routes: RouteTable, ctx: EmulatorContext) => void;
