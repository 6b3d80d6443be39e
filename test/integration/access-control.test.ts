// Gateway API keys bound to sandboxes and roles (GATEWAY_API_KEYS in its
// `key:sandboxes:role;...` form), on queries, mutations and subscriptions;
// and REFUSE_PRODUCTION_WRITES, decided by the Platform's sandbox type (a
// development sandbox named "production" stays writable), looked up once.
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/gateway/config.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const RW = 'rw-key-0123456789abcdef';
const RO = 'ro-key-0123456789abcdef';
const DEV = 'dev-key-0123456789abcdef';
const ALL = 'all-key-0123456789abcdef';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
const gw = await startGateway({ emulator, env: { GATEWAY_API_KEYS: `${RW}:dev,prod:rw; ${RO}:dev:ro; ${DEV}:dev:rw; ${ALL}` } });
afterAll(() => gw.close());

const as = (key: string, sandbox: string) => ({ 'x-gateway-api-key': key, 'x-sandbox-name': sandbox });
const codeOf = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => result.errors?.[0]?.extensions?.code;
const CREATE_DATASET = 'mutation ($schemaId: ID!, $name: String!) { createDataset(input: { name: $name, schemaId: $schemaId }) { dataset { id } } }';

function platformCalls(): number {
  return Object.entries(emulator.counters())
    .filter(([route]) => !route.includes('/ims/'))
    .reduce((sum, [, n]) => sum + n, 0);
}

async function loyaltySchemaId(target: RunningGateway, headers: Record<string, string>): Promise<string> {
  const schemas = await target.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }', {}, headers);
  return schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
}

describe('keys bound to sandboxes and roles', () => {
  it('should let a read-only key read but not write, before any upstream write', async () => {
    const schemaId = await loyaltySchemaId(gw, as(RO, 'dev'));
    expect((await gw.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }', {}, as(RO, 'dev'))).currentSandbox.name).toBe('dev');
    emulator.resetCounters();
    const write = await gw.gql(CREATE_DATASET, { schemaId, name: 'read-only attempt' }, as(RO, 'dev'));
    expect(codeOf(write)).toBe('FORBIDDEN');
    expect(write.errors?.[0]?.message).toMatch(/read-only/);
    expect(platformCalls()).toBe(0);
    console.log('read-only key: query served, createDataset FORBIDDEN with 0 upstream calls');
  });

  it('should keep a key limited to dev out of prod, for queries and mutations', async () => {
    const schemaId = await loyaltySchemaId(gw, as(DEV, 'dev'));
    const created = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, { schemaId, name: 'dev write' }, as(DEV, 'dev'));
    expect(created.createDataset.dataset.id).toBeTruthy();

    emulator.resetCounters();
    const read = await gw.gql('{ currentSandbox { name } }', {}, as(DEV, 'prod'));
    expect(read.status).toBe(403);
    expect(codeOf(read)).toBe('FORBIDDEN');
    const write = await gw.gql(CREATE_DATASET, { schemaId, name: 'prod write' }, as(DEV, 'prod'));
    expect(write.status).toBe(403);
    expect(codeOf(write)).toBe('FORBIDDEN');
    // Without x-sandbox-name the default sandbox (prod) applies, and is refused too.
    expect((await gw.gql('{ currentSandbox { name } }', {}, { 'x-gateway-api-key': DEV })).status).toBe(403);
    expect(platformCalls()).toBe(0);
    console.log('dev-only key: dev write served; prod query and mutation 403 FORBIDDEN with 0 upstream calls');
  });

  it('should keep a key limited to dev out of prod for subscriptions', async () => {
    const client = createTestClient(gw.url, { 'x-gateway-api-key': DEV, 'x-sandbox-name': 'dev' });
    const refused = follow(client, 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id } } }', { id: 'any-batch' }, { 'x-sandbox-name': 'prod' });
    await refused.ended;
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const prodClient = createTestClient(gw.url, { 'x-gateway-api-key': DEV, 'x-sandbox-name': 'prod' });
    const atConnect = follow(prodClient, 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id } } }', { id: 'any-batch' });
    await atConnect.ended;
    expect(atConnect.results).toHaveLength(0);
    expect(atConnect.errors?.length).toBeGreaterThan(0);
    console.log(`dev-only key: prod subscription refused (${String(refused.errors?.[0]?.extensions?.code)}); a prod connection refused at connect`);
  });

  it('should serve keys bound to both sandboxes, and keys without bounds', async () => {
    for (const [key, sandbox] of [[RW, 'prod'], [RW, 'dev'], [ALL, 'prod'], [ALL, 'dev']] as const) {
      expect((await gw.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }', {}, as(key, sandbox))).currentSandbox.name).toBe(sandbox);
    }
    const schemaId = await loyaltySchemaId(gw, as(RW, 'prod'));
    expect((await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, { schemaId, name: 'rw write' }, as(RW, 'prod'))).createDataset.dataset.id).toBeTruthy();
    expect((await gw.gql('{ currentSandbox { name } }', {}, as('not-a-configured-key-0123', 'dev'))).status).toBe(401);
  });
});

describe('GATEWAY_API_KEYS parsing', () => {
  const base = { AEP_CLIENT_ID: 'client', AEP_CLIENT_SECRET: 'secret', AEP_ORG_ID: 'ORG@AdobeOrg' };

  it('should read both forms', () => {
    const plain = loadConfig({ ...base, GATEWAY_API_KEYS: `${RW},${RO}` });
    expect(plain.gatewayApiKeys).toEqual([RW, RO]);
    expect(plain.gatewayKeyGrants.map((g) => [g.sandboxes, g.role])).toEqual([['*', 'read-write'], ['*', 'read-write']]);
    const structured = loadConfig({ ...base, GATEWAY_API_KEYS: `${RW}:dev,prod:rw;${RO}:*:ro;${ALL}` });
    expect(structured.gatewayApiKeys).toEqual([RW, RO, ALL]);
    expect(structured.gatewayKeyGrants.map((g) => [g.sandboxes, g.role])).toEqual([[['dev', 'prod'], 'read-write'], ['*', 'read-only'], ['*', 'read-write']]);
  });

  it('should refuse bad entries without echoing the keys', () => {
    for (const value of [`${RW}:Dev:rw`, `${RW}:dev:admin`, `short:dev:rw`, `${RW}:dev:rw:extra`, `${RW}:dev;${RW}:prod`, `${RW}::rw`]) {
      let error: unknown;
      try {
        loadConfig({ ...base, GATEWAY_API_KEYS: value });
      } catch (caught) {
        error = caught;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message), value).not.toContain(RW);
    }
  });
});

describe('REFUSE_PRODUCTION_WRITES', () => {
  it('should refuse writes to production-type sandboxes only, looking each type up once', async () => {
    // A development sandbox named "production": the type decides, not the name.
    const other = await startEmulator({ faults: true, devSandboxName: 'production' });
    const guarded = await startGateway({ emulator: other, env: { REFUSE_PRODUCTION_WRITES: 'true' } });
    try {
      const schemaId = await loyaltySchemaId(guarded, { 'x-sandbox-name': 'prod' });
      other.resetCounters();
      for (let i = 0; i < 3; i++) {
        const refused = await guarded.gql(CREATE_DATASET, { schemaId, name: `prod ${i}` }, { 'x-sandbox-name': 'prod' });
        expect(codeOf(refused)).toBe('FORBIDDEN');
        expect(refused.errors?.[0]?.message).toMatch(/REFUSE_PRODUCTION_WRITES/);
      }
      const calls = other.counters();
      const lookups = Object.entries(calls).filter(([route]) => route.includes('sandbox-management')).reduce((sum, [, n]) => sum + n, 0);
      expect(lookups).toBe(1);
      expect(Object.entries(calls).filter(([route]) => route.startsWith('POST') && route.includes('dataSets'))).toEqual([]);

      const devSchemaId = await loyaltySchemaId(guarded, { 'x-sandbox-name': 'production' });
      const allowed = await guarded.gqlOk<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, { schemaId: devSchemaId, name: 'dev write' }, { 'x-sandbox-name': 'production' });
      expect(allowed.createDataset.dataset.id).toBeTruthy();
      expect((await guarded.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }', {}, { 'x-sandbox-name': 'prod' })).currentSandbox.name).toBe('prod');
      console.log(`REFUSE_PRODUCTION_WRITES: 3 writes to prod FORBIDDEN with ${lookups} sandbox lookup and 0 writes upstream; a development sandbox named "production" stays writable`);
    } finally {
      await guarded.close();
      await other.close();
    }
  });

  it('should leave every write alone when off', async () => {
    const schemaId = await loyaltySchemaId(gw, as(ALL, 'prod'));
    expect((await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, { schemaId, name: 'prod write allowed' }, as(ALL, 'prod'))).createDataset.dataset.id).toBeTruthy();
  });
});
