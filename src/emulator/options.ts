// Every emulator setting, with its default, resolved in one place.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';

export interface ClientCredential {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Adobe solutions that may share a production sandbox's identity graph or
 * its segments; each one blocks a sandbox reset (platform-api.md §6).
 */
export type SandboxLink = 'cross-device-analytics' | 'people-based-destinations' | 'segment-sharing';

export interface EmulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where SQLite metadata and file bytes live. @default a fresh temporary folder */
  dataDir?: string;
  /** Seed the tenant, sandboxes prod and dev, and the Loyalty Members schema. @default true */
  seed?: boolean;
  /** @default '0DEC0DE0000000000000000A@AdobeOrg' */
  orgId?: string;
  /** @default 'aeplocal' */
  tenantId?: string;
  /** OAuth server-to-server credentials that IMS accepts; the client id is also a valid x-api-key. @default [{ clientId: 'aep-local', clientSecret: 'aep-local-secret' }] */
  clients?: ClientCredential[];
  /** IMS token lifetime. @default 86_399 // seconds, as the real IMS */
  tokenLifetimeSeconds?: number;
  /** Extra static bearer tokens accepted without IMS (never expire). @default [] */
  staticTokens?: string[];
  /** Name of the development sandbox created by the seed. @default 'dev' */
  devSandboxName?: string;
  /** What a request without x-sandbox-name gets: the default production sandbox, or a 400. @default 'default' */
  missingSandbox?: 'default' | 'error';
  /** Delay between the batch states loading -> processing -> success|failed. @default 200 // ms */
  processingDelayMs?: number;
  /** Files above this many bytes must use the large-file protocol. @default 256 * 1024 * 1024 */
  smallFileLimit?: number;
  /** Enables fault injection and per-route request counters, and the /__emulator admin endpoint. @default false */
  faults?: boolean;
  /** Logs one line per request to stderr. @default false */
  log?: boolean;
  /**
   * Production sandboxes (by name) whose identity graph or segments other Adobe
   * solutions use; the emulator runs none of them, so only this makes the
   * documented reset refusals reachable. @default {}
   */
  sandboxLinks?: Readonly<Record<string, readonly SandboxLink[]>>;
}

export type EmulatorSettings = Readonly<Required<EmulatorOptions>>;

export function resolveEmulatorOptions(options: EmulatorOptions = {}): EmulatorSettings {
  return Object.freeze({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'aep-emulator-')),
    seed: options.seed ?? true,
    orgId: options.orgId ?? '0DEC0DE0000000000000000A@AdobeOrg',
    tenantId: options.tenantId ?? 'aeplocal',
    clients: options.clients ?? [{ clientId: 'aep-local', clientSecret: 'aep-local-secret' }],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 86_399,
    staticTokens: options.staticTokens ?? [],
    devSandboxName: options.devSandboxName ?? 'dev',
    missingSandbox: options.missingSandbox ?? 'default',
    processingDelayMs: options.processingDelayMs ?? 200,
    smallFileLimit: options.smallFileLimit ?? 256 * 1024 * 1024,
    faults: options.faults ?? false,
    log: options.log ?? false,
    sandboxLinks: options.sandboxLinks ?? {},
  });
}
