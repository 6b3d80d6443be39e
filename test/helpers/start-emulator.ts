// Starts a real emulator on port 0 in a fresh temporary data dir, closed and
// removed in afterAll. `token()` gets an IMS token the way a client would;
// `headers()` gives the four Platform headers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmulator } from '../../src/emulator/server.ts';
import type { Emulator } from '../../src/emulator/server.ts';
import type { EmulatorOptions } from '../../src/emulator/options.ts';

export interface TestEmulator extends Emulator {
  readonly dataDir: string;
  /** A fresh IMS access token for the first configured client. */
  token(): Promise<string>;
  /** Authorization, x-api-key, x-gw-ims-org-id and x-sandbox-name (default 'prod'), with a cached token. */
  headers(sandbox?: string): Promise<Record<string, string>>;
}

export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aep-emulator-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function fetchToken(url: string, clientId = 'aep-local', clientSecret = 'aep-local-secret'): Promise<string> {
  const res = await fetch(`${url}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext',
    }),
  });
  if (res.status !== 200) throw new Error(`IMS answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Registers its own afterAll: call it from a describe block or the module top level. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? tempDataDir();
  const emulator = await createEmulator({ ...options, dataDir });
  afterAll(() => emulator.close());
  const client = emulator.settings.clients[0]!;
  let cached: string | undefined;
  const token = () => fetchToken(emulator.url, client.clientId, client.clientSecret);
  return Object.assign(Object.create(null) as object, emulator, {
    dataDir,
    token,
    async headers(sandbox = 'prod') {
      cached ??= await token();
      return {
        authorization: `Bearer ${cached}`,
        'x-api-key': client.clientId,
        'x-gw-ims-org-id': emulator.settings.orgId,
        'x-sandbox-name': sandbox,
      };
    },
  }) as TestEmulator;
}
