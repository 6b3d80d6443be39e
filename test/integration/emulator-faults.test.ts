import { describe, expect, it } from 'vitest';
import { createFaultController } from '../../src/emulator/faults.ts';
import { startEmulator } from '../helpers/start-emulator.ts';

const SANDBOX = '/data/foundation/sandbox-management/sandboxes/:name';
const STATS = '/data/foundation/schemaregistry/stats';

describe('emulator fault injection', async () => {
  const emulator = await startEmulator({ faults: true });
  const headers = await emulator.headers();
  const get = (path: string) => fetch(emulator.url + path, { headers });

  it('should count requests per route pattern and method, IMS included', async () => {
    emulator.resetCounters();
    await get('/data/foundation/sandbox-management/sandboxes/prod');
    await get('/data/foundation/sandbox-management/sandboxes/dev');
    await emulator.token();
    expect(emulator.counters()).toEqual({ [`GET ${SANDBOX}`]: 2, 'POST /ims/token/v3': 1 });
    emulator.resetCounters();
    expect(emulator.counters()).toEqual({});
  });

  it('should answer a counted 429 with Retry-After and shape B, then the real response', async () => {
    emulator.faults.set([{ path: '/data/foundation/schemaregistry/**', method: 'GET', respond: 429, count: 2, retryAfterSeconds: 3 }]);
    emulator.resetCounters();
    for (let i = 0; i < 2; i++) {
      const res = await get(STATS);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toMatchObject({ type: '/placeholder/type/uri', status: 429, title: 'TooManyRequestsError' });
    }
    expect((await get(STATS)).status).toBe(200);
    expect(emulator.counters()[`GET ${STATS}`]).toBe(3);
    emulator.faults.clear();
  });

  it('should answer 500 and 503 only for matching methods and paths', async () => {
    emulator.faults.set([
      { path: STATS, method: 'GET', respond: 500, count: 1 },
      { path: /sandboxes\/dev$/, respond: 503, count: 1 },
    ]);
    expect((await get('/data/foundation/sandbox-management/sandboxes/prod')).status).toBe(200);
    const unavailable = await get('/data/foundation/sandbox-management/sandboxes/dev');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1');
    const failed = await get(STATS);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ status: 500, title: 'InternalServerError' });
    expect((await get(STATS)).status).toBe(200);
    emulator.faults.clear();
  });

  it('should cut the connection for a reset rule, IMS included', async () => {
    emulator.faults.set([{ path: '/ims/token/v3', respond: 'reset', count: 1 }]);
    await expect(emulator.token()).rejects.toThrow();
    await expect(emulator.token()).resolves.toEqual(expect.any(String));
  });

  it('should add latency without changing the response', async () => {
    emulator.faults.set([{ path: STATS, latencyMs: 50, count: 1 }]);
    const res = await get(STATS);
    expect(res.status).toBe(200);
    expect(emulator.faults.list()).toEqual([expect.objectContaining({ remaining: 0 })]);
    emulator.faults.clear();
  });

  it('should be controlled over HTTP under /__emulator', async () => {
    const put = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ pathRegex: '^/data/foundation/schemaregistry/stats$', respond: 503, count: 1 }] }),
    });
    expect(put.status).toBe(200);
    expect(((await (await fetch(`${emulator.url}/__emulator/faults`)).json()) as { rules: unknown[] }).rules).toHaveLength(1);
    expect((await get(STATS)).status).toBe(503);
    const counters = (await (await fetch(`${emulator.url}/__emulator/counters`)).json()) as { counters: Record<string, number> };
    expect(counters.counters[`GET ${STATS}`]).toBeGreaterThan(0);
    expect((await fetch(`${emulator.url}/__emulator/counters`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(emulator.faults.list()).toEqual([]);
    const bad = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ respond: 418 }]),
    });
    expect(bad.status).toBe(400);
    const badRegex = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ pathRegex: '(' }]),
    });
    expect(badRegex.status).toBe(400);
  });
});

describe('emulator without faults', async () => {
  const emulator = await startEmulator();

  it('should have no admin endpoint and count nothing', async () => {
    expect((await fetch(`${emulator.url}/__emulator/faults`)).status).toBe(404);
    await emulator.token();
    expect(emulator.counters()).toEqual({});
  });
});

describe('fault rules', () => {
  it('should apply a rate with the given random source', () => {
    const values = [0.1, 0.9, 0.4, 0.6];
    const faults = createFaultController(() => values.shift() ?? 0);
    faults.set([{ path: '/x/*', respond: 500, rate: 0.5 }]);
    const hits = [1, 2, 3, 4].map(() => faults.decide('GET', '/x/a')?.respond ?? null);
    expect(hits).toEqual([500, null, 500, null]);
    expect(faults.decide('GET', '/x/a/b')).toBeNull();
  });

  it('should refuse invalid rules', () => {
    const faults = createFaultController();
    expect(() => faults.set([{ rate: 2 }])).toThrow();
    expect(() => faults.set([{ count: -1 }])).toThrow();
    expect(() => faults.set([{ latencyMs: -5 }])).toThrow();
    expect(() => faults.set('nope' as never)).toThrow();
  });
});

describe('emulator close', async () => {
  const emulator = await startEmulator({ faults: true });
  const headers = await emulator.headers();

  it('should let a request in flight finish before close resolves', async () => {
    emulator.faults.set([{ path: STATS, latencyMs: 300 }]);
    const pending = fetch(emulator.url + STATS, { headers });
    while (!emulator.counters()[`GET ${STATS}`]) await new Promise((resolve) => setTimeout(resolve, 5));
    await emulator.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tenantId: emulator.settings.tenantId });
    await expect(fetch(emulator.url + STATS, { headers })).rejects.toThrow();
  });
});
