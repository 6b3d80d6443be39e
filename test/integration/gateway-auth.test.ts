// The three auth modes end to end (client → gateway → emulator), and the
// sandbox chosen per request.
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';
import { startRecordingProxy } from '../helpers/recording-proxy.ts';

const SANDBOXES = '{ currentSandbox { name } sandboxes { name } }';

describe('pass-through mode', async () => {
  const emulator = await startEmulator();
  const proxy = await startRecordingProxy(emulator.url);
  afterAll(() => proxy.close());
  const gw = await startGateway({ emulator, authMode: 'pass-through', platformBaseUrl: proxy.url });
  afterAll(() => gw.close());

  it('should forward exactly the four Platform headers of the caller and nothing else of theirs', async () => {
    const headers = await emulator.headers('dev');
    proxy.requests.length = 0;
    const result = await gw.gql<{ currentSandbox: { name: string } }>(SANDBOXES, {}, { ...headers, cookie: 'session=secret', 'x-custom-client': 'private', 'x-gateway-api-key': 'irrelevant-here-0123' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.currentSandbox.name).toBe('dev');
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const upstream of proxy.requests) {
      expect(upstream.headers.authorization).toBe(headers.authorization);
      expect(upstream.headers['x-api-key']).toBe(headers['x-api-key']);
      expect(upstream.headers['x-gw-ims-org-id']).toBe(headers['x-gw-ims-org-id']);
      expect(upstream.headers['x-sandbox-name']).toBe('dev');
      expect(upstream.headers.cookie).toBeUndefined();
      expect(upstream.headers['x-custom-client']).toBeUndefined();
      expect(upstream.headers['x-gateway-api-key']).toBeUndefined();
    }
  });

  it('should refuse a request without credentials with UNAUTHENTICATED, before any upstream call', async () => {
    proxy.requests.length = 0;
    const result = await gw.gql(SANDBOXES);
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(proxy.requests).toHaveLength(0);
  });

  it('should map a token the Platform rejects to UNAUTHENTICATED', async () => {
    const headers = await emulator.headers();
    const result = await gw.gql(SANDBOXES, {}, { ...headers, authorization: 'Bearer not-a-token' });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0]?.extensions?.aepCode).toBe('401013');
  });
});

describe('oauth mode', async () => {
  const emulator = await startEmulator({ tokenLifetimeSeconds: 2, faults: true });
  const gw = await startGateway({ emulator });
  afterAll(() => gw.close());

  it('should refuse requests without a gateway key, or with a wrong one', async () => {
    const missing = await gw.gql(SANDBOXES, {}, { 'x-gateway-api-key': '' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await gw.gql(SANDBOXES, {}, { 'x-gateway-api-key': `${TEST_GATEWAY_KEY}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('should accept the gateway key as a bearer token', async () => {
    const result = await gw.gql<{ currentSandbox: { name: string } }>(SANDBOXES, {}, { 'x-gateway-api-key': '', authorization: `Bearer ${TEST_GATEWAY_KEY}` });
    expect(result.data?.currentSandbox.name).toBe('prod');
  });

  it('should fetch a new IMS token when the old one expires mid-run', async () => {
    expect((await gw.gql(SANDBOXES)).errors).toBeUndefined();
    const tokensBefore = emulator.counters()['POST /ims/token/v3'] ?? 0;
    expect(tokensBefore).toBeGreaterThanOrEqual(1);
    // The emulator's tokens live 2 seconds; outlive one.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const later = await gw.gql<{ currentSandbox: { name: string } }>(SANDBOXES);
    expect(later.errors).toBeUndefined();
    expect(later.data?.currentSandbox.name).toBe('prod');
    expect(emulator.counters()['POST /ims/token/v3']).toBeGreaterThan(tokensBefore);
  });
});

describe('static mode', async () => {
  const emulator = await startEmulator({ staticTokens: ['static-test-token'] });
  const gw = await startGateway({
    emulator,
    env: { AUTH_MODE: 'static', AEP_ACCESS_TOKEN: 'static-test-token', AEP_API_KEY: 'aep-local', AEP_CLIENT_ID: '', AEP_CLIENT_SECRET: '' },
  });
  afterAll(() => gw.close());

  it('should call the Platform with the configured token', async () => {
    expect(gw.config.authMode).toBe('static');
    const result = await gw.gql<{ sandboxes: Array<{ name: string }> }>(SANDBOXES);
    expect(result.errors).toBeUndefined();
    expect(result.data?.sandboxes.map((s) => s.name).sort()).toEqual(['dev', 'prod']);
  });

  it('should refuse a request without the gateway key', async () => {
    const result = await gw.gql(SANDBOXES, {}, { 'x-gateway-api-key': '' });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('sandbox per request', async () => {
  const emulator = await startEmulator();
  const gw = await startGateway({ emulator });
  afterAll(() => gw.close());

  it('should keep data created in dev invisible from prod', async () => {
    const dev = { 'x-sandbox-name': 'dev' };
    const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }', {}, dev);
    const loyalty = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members');
    expect(loyalty).toBeDefined();
    const created = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>(
      'mutation ($schemaId: ID!) { createDataset(input: { name: "dev only", schemaId: $schemaId }) { dataset { id } } }',
      { schemaId: loyalty!.id },
      dev,
    );
    const id = created.createDataset.dataset.id;
    const inDev = await gw.gqlOk<{ dataset: { name: string } | null }>('query ($id: ID!) { dataset(id: $id) { name } }', { id }, dev);
    expect(inDev.dataset?.name).toBe('dev only');
    const inProd = await gw.gql<{ dataset: unknown }>('query ($id: ID!) { dataset(id: $id) { name } }', { id });
    expect(inProd.errors).toBeUndefined();
    expect(inProd.data?.dataset).toBeNull();
    const prodList = await gw.gqlOk<{ datasets: { nodes: Array<{ id: string }> } }>('{ datasets(first: 100) { nodes { id } } }');
    expect(prodList.datasets.nodes.map((d) => d.id)).not.toContain(id);
  });

  it('should refuse a malformed sandbox name', async () => {
    const result = await gw.gql(SANDBOXES, {}, { 'x-sandbox-name': 'Not A Sandbox' });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
