// Automatic persisted queries and the persisted-documents allow-list, on real
// gateways in front of a real emulator: the APQ round trip (hash alone →
// PERSISTED_QUERY_NOT_FOUND, register, hash alone works), a Redis-backed APQ
// cache shared by two gateway instances (a real redis-server), and an
// allow-list that refuses an unlisted document over HTTP and WebSocket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/gateway/config.ts';
import { createGateway } from '../../src/gateway/server.ts';
import { sha256Hex } from '../../src/gateway/persisted-documents.ts';
import { REDIS_APQ_TTL_SECONDS } from '../../src/gateway/persisted-queries.ts';
import { REDIS_URL, redisMissing, serviceGate } from '../helpers/services.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import type { TestEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const SANDBOXES = 'query PersistedSandboxes { sandboxes { name } }';
const SCHEMAS = 'query PersistedSchemas { schemas(first: 5) { nodes { title } } }';

interface Answer {
  readonly status: number;
  readonly body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** POSTs a GraphQL request as an APQ client does: the hash, with or without the query. */
async function post(gateway: RunningGateway, request: { query?: string; hashOf?: string }): Promise<Answer> {
  const body: Record<string, unknown> = {};
  if (request.query !== undefined) body.query = request.query;
  if (request.hashOf !== undefined) body.extensions = { persistedQuery: { version: 1, sha256Hash: sha256Hex(request.hashOf) } };
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...gateway.defaultHeaders }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});

describe('automatic persisted queries, in memory', () => {
  let gateway: RunningGateway;
  let other: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ emulator });
    other = await startGateway({ emulator });
  });
  afterAll(async () => {
    await gateway?.close();
    await other?.close();
  });

  it('should answer an unknown hash with PERSISTED_QUERY_NOT_FOUND, then run it by hash once registered', async () => {
    const unknown = await post(gateway, { hashOf: SANDBOXES });
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await post(gateway, { query: SANDBOXES, hashOf: SANDBOXES });
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data).toEqual({ sandboxes: expect.arrayContaining([{ name: 'prod' }]) });

    const byHash = await post(gateway, { hashOf: SANDBOXES });
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual(registered.body);

    // The cache is the instance's own: another instance has not seen it.
    expect(codeOf(await post(other, { hashOf: SANDBOXES }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('should refuse a hash that does not match the query', async () => {
    const answer = await post(gateway, { query: SANDBOXES, hashOf: SCHEMAS });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
  });
});

describe('automatic persisted queries, off', () => {
  it('should answer a hash with PERSISTED_QUERY_NOT_SUPPORTED', async () => {
    const gateway = await startGateway({ emulator, env: { PERSISTED_QUERIES: 'false' } });
    try {
      expect(codeOf(await post(gateway, { query: SANDBOXES, hashOf: SANDBOXES }))).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
      expect((await post(gateway, { query: SANDBOXES })).body.errors).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});

const skipRedis = serviceGate(await redisMissing(), 'persisted queries in Redis');

describe.skipIf(skipRedis)('automatic persisted queries, in Redis', () => {
  // A prefix of this run's own, so that runs and other suites never meet.
  const prefix = `aep-graphql-test:${randomUUID()}:`;
  let first: RunningGateway;
  let second: RunningGateway;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix };
    first = await startGateway({ emulator, env });
    second = await startGateway({ emulator, env });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('should run by hash on one instance a query registered through another', async () => {
    expect(codeOf(await post(second, { hashOf: SCHEMAS }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(first, { query: SCHEMAS, hashOf: SCHEMAS });
    expect(registered.body.errors).toBeUndefined();
    // Apollo stores a registration without waiting for it: wait for the key.
    await expect.poll(() => redis.exists(`${prefix}persisted-queries:apq:${sha256Hex(SCHEMAS)}`)).toBe(1);

    const byHash = await post(second, { hashOf: SCHEMAS });
    expect(byHash.body).toEqual(registered.body);
    // Redis is not bounded like the in-memory cache: entries expire.
    const ttl = await redis.ttl(`${prefix}persisted-queries:apq:${sha256Hex(SCHEMAS)}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(REDIS_APQ_TTL_SECONDS);
  });
});

describe('persisted documents only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'persisted-documents-'));
  const manifest = join(dir, 'manifest.json');
  let gateway: RunningGateway;

  beforeAll(async () => {
    writeFileSync(manifest, JSON.stringify({ [sha256Hex(SANDBOXES)]: SANDBOXES }));
    gateway = await startGateway({ emulator, env: { PERSISTED_DOCUMENTS: manifest } });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should run a listed document, by hash alone or sent whole', async () => {
    const byHash = await post(gateway, { hashOf: SANDBOXES });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual({ sandboxes: expect.arrayContaining([{ name: 'prod' }]) });
    expect((await post(gateway, { query: SANDBOXES })).body).toEqual(byHash.body);
  });

  it('should refuse a document that is not listed, sent whole or with its hash', async () => {
    for (const request of [{ query: SCHEMAS }, { query: SCHEMAS, hashOf: SCHEMAS }]) {
      const answer = await post(gateway, request);
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      expect(answer.body.data).toBeUndefined();
    }
    // Registration is off: the refused document is still unknown by hash.
    expect(codeOf(await post(gateway, { hashOf: SCHEMAS }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('should refuse an unlisted subscription over WebSocket', async () => {
    const client = createTestClient(gateway.url, gateway.defaultHeaders);
    const followed = follow(client, 'subscription { batchStatus(id: "01ANYBATCH") { sequence } }');
    await followed.ended;
    expect(followed.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('should refuse to start on a manifest whose key is not the hash of its document', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ [sha256Hex(SCHEMAS)]: SANDBOXES }));
    const config = loadConfig({ LOG_LEVEL: 'silent', PERSISTED_DOCUMENTS: bad });
    expect(() => createGateway(config)).toThrow(/is not the sha256 of its document/);
  });
});
