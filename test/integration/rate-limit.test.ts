// The per-client rate limit (RATE_LIMIT_PER_MINUTE) across transports and
// behind a proxy, against real gateways on a real emulator:
//
// - one budget per gateway key for GraphQL over HTTP, WebSocket connection
//   attempts and subscribe messages: past it, HTTP 429, a subscribe answered
//   RATE_LIMITED with retryAfterSeconds, a connection closed with 1013;
// - the client address with TRUST_PROXY: off, every client of a proxy shares
//   the proxy's bucket; with a hop count or the proxy's address, each client
//   behind it has its own, whatever X-Forwarded-For it writes itself; from a
//   peer that is not trusted, X-Forwarded-For is ignored.
//
// The limit is 3 per minute, so a bucket gains a token every 20 s: each test
// is over well before that. Clients with distinct addresses connect from
// 127.0.0.2 and 127.0.0.3 (the loopback network), the proxy from 127.0.0.1.
import { request } from 'node:http';
import type { ClientOptions as SocketOptions } from 'ws';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { startForwardingProxy } from '../helpers/forwarding-proxy.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const emulator = await startEmulator();
const LIMIT = '3';
const KEY_A = 'rate-limit-client-a-0123456789';
const KEY_B = 'rate-limit-client-b-0123456789';

const gateways: RunningGateway[] = [];
afterAll(() => Promise.all(gateways.map((gateway) => gateway.close())));

async function gateway(env: Record<string, string>): Promise<RunningGateway> {
  const started = await startGateway({ emulator, env: { RATE_LIMIT_PER_MINUTE: LIMIT, ...env } });
  gateways.push(started);
  return started;
}

interface HttpOutcome {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly code: string | undefined;
}

/** `{ __typename }` over a connection of its own, from the local address `from`. */
function query(url: string, options: { from?: string; headers?: Record<string, string> } = {}): Promise<HttpOutcome> {
  const body = JSON.stringify({ query: '{ __typename }' });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, localAddress: options.from ?? '127.0.0.1', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], code: parsed.errors?.[0]?.extensions?.code });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type ConnectionOutcome = 'acknowledged' | { readonly code: number; readonly reason: string };

/** A graphql-ws connection from the local address `from` (with extra upgrade headers): acknowledged, or how it was closed. */
function connect(url: string, connectionParams: Record<string, unknown>, options: { from?: string; headers?: Record<string, string> } = {}) {
  const socketOptions: SocketOptions = { localAddress: options.from ?? '127.0.0.1', ...(options.headers ? { headers: options.headers } : {}) };
  class SocketFrom extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, socketOptions);
    }
  }
  let settle!: (outcome: ConnectionOutcome) => void;
  const outcome = new Promise<ConnectionOutcome>((resolve) => (settle = resolve));
  const client = createTestClient(url, connectionParams, {
    webSocketImpl: SocketFrom,
    lazy: false,
    onNonLazyError: () => {},
    on: {
      connected: () => settle('acknowledged'),
      closed: (event) => settle({ code: (event as { code: number }).code, reason: (event as { reason: string }).reason }),
    },
  });
  return { client, outcome };
}

const describeOutcome = (outcome: ConnectionOutcome) => (outcome === 'acknowledged' ? 'acknowledged' : `closed ${outcome.code} "${outcome.reason}"`);

describe('one budget for HTTP and WebSocket', () => {
  it('should count connection attempts and subscribe messages with HTTP requests, per gateway key', async () => {
    const gw = await gateway({ GATEWAY_API_KEYS: [TEST_GATEWAY_KEY, KEY_A, KEY_B].join(',') });
    // A batch that stays open to subscribe to, made with a third key (its own bucket).
    const { schemas } = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.nodes.find((schema) => schema.title === 'Loyalty Members')!.id;
    const { createDataset } = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($s: ID!) { createDataset(input: { name: "rate limit", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const { createBatch } = await gw.gqlOk<{ createBatch: { batch: { id: string } } }>('mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: createDataset.dataset.id });
    const subscription = 'subscription ($id: ID!) { batchStatus(id: $id) { batch { status } } }';
    const variables = { id: createBatch.batch.id };

    // Client A: a connection (1), a subscription (2), a query over HTTP (3).
    const a = connect(gw.url, { 'x-gateway-api-key': KEY_A });
    expect(await a.outcome).toBe('acknowledged');
    const first = follow(a.client, subscription, variables);
    await first.atLeast(1);
    expect(first.results[0]?.data).toEqual({ batchStatus: { batch: { status: 'LOADING' } } });
    expect(await query(gw.url, { headers: { 'x-gateway-api-key': KEY_A } })).toEqual({ status: 200, retryAfter: undefined, code: undefined });

    // Past the budget, on every path.
    const refusedSubscribe = follow(a.client, subscription, variables);
    await refusedSubscribe.ended;
    const error = refusedSubscribe.errors?.[0];
    expect(error?.extensions?.code).toBe('RATE_LIMITED');
    const retryAfterSeconds = error?.extensions?.retryAfterSeconds as number;
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(20);
    const refusedQuery = await query(gw.url, { headers: { 'x-gateway-api-key': KEY_A } });
    expect(refusedQuery).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refusedQuery.retryAfter)).toBeGreaterThanOrEqual(1);
    const refusedConnection = await connect(gw.url, { 'x-gateway-api-key': KEY_A }).outcome;
    expect(refusedConnection).toEqual({ code: 1013, reason: expect.stringMatching(/^Rate limited: retry in \d+ s$/) });
    // The subscription admitted before runs on: a refusal does not close its connection.
    expect(first.completed).toBe(false);
    expect(first.errors).toBeUndefined();

    // Client B, another key, is served on both paths.
    const b = connect(gw.url, { 'x-gateway-api-key': KEY_B });
    expect(await b.outcome).toBe('acknowledged');
    const other = follow(b.client, subscription, variables);
    await other.atLeast(1);
    expect(other.errors).toBeUndefined();
    expect((await query(gw.url, { headers: { 'x-gateway-api-key': KEY_B } })).status).toBe(200);

    console.log(
      `RATE_LIMIT_PER_MINUTE=${LIMIT}, client A (key): 3 allowed (a connection, a subscribe, a query); then a subscribe RATE_LIMITED (retryAfterSeconds ${retryAfterSeconds}), ` +
        `a query ${refusedQuery.status} (Retry-After ${refusedQuery.retryAfter}), a connection ${describeOutcome(refusedConnection)}; its first subscription still open; ` +
        'client B (another key): connection, subscribe and query served',
    );
  });
});

describe('client address behind a proxy (TRUST_PROXY)', () => {
  it("should count every client of a proxy under the proxy's address when TRUST_PROXY is off", async () => {
    const gw = await gateway({ GATEWAY_OPEN: 'true' });
    const proxy = await startForwardingProxy(gw.url);
    const a: number[] = [];
    for (let i = 0; i < 3; i++) a.push((await query(proxy.url, { from: '127.0.0.2' })).status);
    const b = await query(proxy.url, { from: '127.0.0.3' });
    // Nor does a header written by the client itself change its bucket.
    const spoofed = await query(gw.url, { headers: { 'x-forwarded-for': '203.0.113.77' } });
    expect(a).toEqual([200, 200, 200]);
    expect(b.status).toBe(429);
    expect(spoofed.status).toBe(429);
    console.log(`TRUST_PROXY off, behind one proxy: client A ${a.join(',')}; client B refused at its first request (${b.status}): one bucket, the proxy's; a direct request with its own X-Forwarded-For: ${spoofed.status}`);
  });

  it('should give each client behind a trusted proxy its own bucket, TRUST_PROXY=1, whatever X-Forwarded-For the client writes', async () => {
    const gw = await gateway({ GATEWAY_OPEN: 'true', TRUST_PROXY: '1' });
    const proxy = await startForwardingProxy(gw.url);
    const a: number[] = [];
    // Client A writes a new address of its own each time; the proxy appends the one it sees.
    for (let i = 0; i < 5; i++) a.push((await query(proxy.url, { from: '127.0.0.2', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })).status);
    const aConnection = await connect(proxy.url, {}, { from: '127.0.0.2' }).outcome;
    const b = await query(proxy.url, { from: '127.0.0.3' });
    const bConnection = await connect(proxy.url, {}, { from: '127.0.0.3' }).outcome;
    expect(a).toEqual([200, 200, 200, 429, 429]);
    expect(aConnection).toMatchObject({ code: 1013 });
    expect(b.status).toBe(200);
    expect(bConnection).toBe('acknowledged');
    console.log(
      `TRUST_PROXY=1, behind one proxy: client A (5 different X-Forwarded-For of its own) ${a.join(',')}, its WebSocket connection ${describeOutcome(aConnection)}; ` +
        `client B: query ${b.status}, connection ${describeOutcome(bConnection)}`,
    );
  });

  it('should ignore X-Forwarded-For from a peer that is not a trusted proxy, over HTTP and WebSocket', async () => {
    const gw = await gateway({ GATEWAY_OPEN: 'true', TRUST_PROXY: '127.0.0.1' });
    const proxy = await startForwardingProxy(gw.url);
    const direct: number[] = [];
    for (let i = 0; i < 5; i++) direct.push((await query(gw.url, { from: '127.0.0.2', headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } })).status);
    const directConnection = await connect(gw.url, {}, { from: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.99' } }).outcome;
    // The proxy's own address uses up its bucket; through the proxy, another client is itself, and served.
    const proxyItself: number[] = [];
    for (let i = 0; i < 4; i++) proxyItself.push((await query(gw.url, { from: '127.0.0.1' })).status);
    const proxied = await query(proxy.url, { from: '127.0.0.3' });
    const proxiedConnection = await connect(proxy.url, {}, { from: '127.0.0.3' }).outcome;
    expect(direct).toEqual([200, 200, 200, 429, 429]);
    expect(directConnection).toMatchObject({ code: 1013 });
    expect(proxyItself).toEqual([200, 200, 200, 429]);
    expect(proxied.status).toBe(200);
    expect(proxiedConnection).toBe('acknowledged');
    console.log(
      `TRUST_PROXY=127.0.0.1: a client at 127.0.0.2 writing 5 different X-Forwarded-For: ${direct.join(',')}, its WebSocket connection ${describeOutcome(directConnection)}; ` +
        `the proxy's own address: ${proxyItself.join(',')}; a client behind the trusted proxy: query ${proxied.status}, connection ${describeOutcome(proxiedConnection)}`,
    );
  });
});
