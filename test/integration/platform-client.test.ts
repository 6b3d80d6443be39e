// The Platform client against the real emulator: auth modes, retries under
// injected faults, and the Platform's own tutorial end to end.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPlatformClient, PlatformError, type FullPlatformClient, type PlatformClientOptions } from '../../src/platform/index.ts';
import type { CallInfo } from '../../src/platform/http.ts';
import type { PlatformScope } from '../../src/platform/types.ts';
import { startEmulator } from '../helpers/start-emulator.ts';

const STATIC_TOKEN = 'platform-client-test-static-token';

const emulator = await startEmulator({
  faults: true,
  tokenLifetimeSeconds: 2,
  staticTokens: [STATIC_TOKEN],
  smallFileLimit: 1024 * 1024,
  processingDelayMs: 50,
});
const credential = emulator.settings.clients[0]!;
const SCOPE: PlatformScope = { orgId: emulator.settings.orgId, sandbox: 'prod' };

const clients: FullPlatformClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function client(options: Partial<PlatformClientOptions> = {}): { client: FullPlatformClient; calls: CallInfo[] } {
  const calls: CallInfo[] = [];
  const created = createPlatformClient({
    baseUrl: emulator.url,
    imsUrl: emulator.url,
    auth: { mode: 'oauth', clientId: credential.clientId, clientSecret: credential.clientSecret },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    smallFileLimit: 1024 * 1024,
    partSize: 256 * 1024,
    onCall: (info) => calls.push(info),
    ...options,
  });
  clients.push(created);
  return { client: created, calls };
}

const count = (calls: CallInfo[], api: CallInfo['api'], method?: string) => calls.filter((c) => c.api === api && (!method || c.method === method)).length;

beforeEach(() => {
  emulator.faults.clear();
  emulator.resetCounters();
});

describe('auth modes against the emulator', () => {
  it('should call with a static token', async () => {
    const { client: c } = client({ auth: { mode: 'static', token: STATIC_TOKEN, apiKey: credential.clientId } });
    const sandboxes = await c.scoped(SCOPE).sandboxes.listSandboxes();
    expect(sandboxes.map((s) => s.name)).toContain('prod');
  });

  it('should forward the caller credentials in pass-through mode', async () => {
    const { client: c } = client({ auth: { mode: 'pass-through' } });
    const token = await emulator.token();
    const scoped = c.scoped({ ...SCOPE, forwardedAuth: { authorization: `Bearer ${token}`, apiKey: credential.clientId } });
    expect(await scoped.sandboxes.getSandbox('prod')).toMatchObject({ name: 'prod', isDefault: true });
    await expect(c.scoped({ ...SCOPE, forwardedAuth: { authorization: 'Bearer nope', apiKey: credential.clientId } }).sandboxes.listSandboxes())
      .rejects.toMatchObject({ kind: 'http', status: 401, aepCode: '401013' });
  });

  it('should refresh an OAuth token of 2 seconds while calls go on', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes();
    expect(count(calls, 'ims')).toBe(1);
    // Past the lifetime: the next call needs (and gets) a new token, with no 401 seen.
    await sleep(2_100);
    await scoped.sandboxes.listSandboxes();
    expect(count(calls, 'ims')).toBe(2);
    expect(calls.filter((call) => call.api === 'sandboxes').every((call) => call.status === 200)).toBe(true);
  });

  it('should share one IMS call among 20 concurrent first calls', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await Promise.all(Array.from({ length: 20 }, () => scoped.sandboxes.getSandbox('prod')));
    expect(count(calls, 'ims')).toBe(1);
    expect(emulator.counters()['POST /ims/token/v3']).toBe(1);
  });

  it('should report IMS refusing bad client credentials as kind auth', async () => {
    const { client: c } = client({ auth: { mode: 'oauth', clientId: credential.clientId, clientSecret: 'wrong' } });
    const error = await c.scoped(SCOPE).sandboxes.listSandboxes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, api: 'ims' });
  });

  it('should report an unknown sandbox as the emulator answers it', async () => {
    const { client: c } = client();
    await expect(c.scoped({ ...SCOPE, sandbox: 'no-such-sandbox' }).sandboxes.listSandboxes()).rejects.toMatchObject({ kind: 'http', status: 403 });
  });
});

describe('retries under injected faults', () => {
  it('should retry a burst of 503 on a GET and succeed', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes(); // token first, so only the GET is counted below
    emulator.resetCounters();
    emulator.faults.add({ path: '/data/foundation/sandbox-management/sandboxes/*', method: 'GET', respond: 503, count: 2, retryAfterSeconds: 0 });
    expect(await scoped.sandboxes.getSandbox('prod')).toMatchObject({ name: 'prod' });
    expect(emulator.counters()['GET /data/foundation/sandbox-management/sandboxes/:name']).toBe(3);
    expect(calls.filter((call) => call.route === '/sandboxes/{name}').map((call) => call.status)).toEqual([503, 503, 200]);
  });

  it('should wait out a 429 with Retry-After and succeed', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', method: 'GET', respond: 429, count: 1, retryAfterSeconds: 1 });
    expect((await scoped.sandboxes.listSandboxes()).length).toBeGreaterThan(0);
    expect(calls.filter((call) => call.api === 'sandboxes').map((call) => call.status)).toEqual([429, 200]);
  });

  it('should surface a 429 whose Retry-After is longer than it may wait', async () => {
    const { client: c, calls } = client({ retry: { maxRetryAfterMs: 1_000 } });
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', respond: 429, count: 1, retryAfterSeconds: 60 });
    await expect(c.scoped(SCOPE).sandboxes.listSandboxes()).rejects.toMatchObject({ status: 429, retryAfterSeconds: 60, aepCode: 'TooManyRequestsError' });
    expect(count(calls, 'sandboxes')).toBe(1);
  });

  it('should retry a reset connection on a GET', async () => {
    const { client: c } = client();
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', respond: 'reset', count: 1 });
    expect(await c.scoped(SCOPE).sandboxes.getSandbox('prod')).toMatchObject({ name: 'prod' });
  });

  it('should turn a slow answer into kind timeout', async () => {
    const { client: c } = client({ timeouts: { headers: 200 }, retry: { maxAttempts: 1 } });
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes();
    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', latencyMs: 1_000, count: 1 });
    await expect(scoped.sandboxes.listSandboxes()).rejects.toMatchObject({ kind: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('should not retry POST /batches: the 503 surfaces after one call', async () => {
    const { client: c, calls } = client();
    const scoped = c.scoped(SCOPE);
    await scoped.sandboxes.listSandboxes();
    emulator.resetCounters();
    emulator.faults.add({ path: '/data/foundation/import/batches', method: 'POST', respond: 503, count: 5, retryAfterSeconds: 0 });
    const error = await scoped.ingestion.createBatch({ datasetId: '5c8c3c555033b814b69f947f', inputFormat: { format: 'json' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'http', status: 503 });
    expect(count(calls, 'ingestion', 'POST')).toBe(1);
    const posts = Object.entries(emulator.counters()).filter(([key]) => key.startsWith('POST ') && !key.includes('/ims/'));
    expect(posts.reduce((sum, [, n]) => sum + n, 0)).toBe(1);
  });
});
