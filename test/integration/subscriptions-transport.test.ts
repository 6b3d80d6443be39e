// The WebSocket transport on its own (attachSubscriptions on a plain HTTP
// server, a small schema whose streams the test feeds): one parse per
// distinct document, one context per subscription, keep-alive pings from one
// timer, no per-message compression, the payload limit, and the drain.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ContextFactory, GatewayContext } from '../../src/gateway/context.ts';
import { GatewayError } from '../../src/gateway/errors.ts';
import { createEventQueue } from '../../src/gateway/event-queue.ts';
import type { EventQueue } from '../../src/gateway/event-queue.ts';
import { attachSubscriptions } from '../../src/gateway/subscriptions-server.ts';
import type { SubscriptionsServerOptions } from '../../src/gateway/subscriptions-server.ts';

// Every running `tick` stream, so that tests can push into them and see them end.
const streams: Array<EventQueue<number>> = [];
let streamsClosed = 0;

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      tick: {
        type: GraphQLInt,
        subscribe: () => {
          const queue = createEventQueue<number>(() => streamsClosed++);
          streams.push(queue);
          return queue.iterator;
        },
        resolve: (value: number) => value,
      },
    },
  }),
});

let contextsBuilt = 0;
const contextFactory: ContextFactory = (headers) => {
  if (headers['x-gateway-api-key'] !== 'the-key') throw new GatewayError('UNAUTHENTICATED', 'A gateway API key is required');
  contextsBuilt++;
  return { requestId: `r-${contextsBuilt}`, scope: { orgId: 'ORG', sandbox: 'prod' } } as unknown as GatewayContext;
};

async function startServer(options: Partial<SubscriptionsServerOptions> = {}) {
  const httpServer = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const subscriptions = attachSubscriptions({ httpServer, schema, contextFactory, formatError: (formatted) => formatted, keepAliveMs: 0, ...options });
  const url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`;
  const close = async () => {
    await subscriptions.dispose();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  servers.push(close);
  return { subscriptions, url, close };
}
const servers: Array<() => Promise<void>> = [];
afterAll(() => Promise.all(servers.map((close) => close())));

interface RawClient {
  readonly socket: WebSocket;
  readonly messages: Array<{ type: string; id?: string; payload?: unknown }>;
  /** Resolves when a message of this type (and id) has arrived. */
  received(type: string, id?: string): Promise<void>;
  readonly closed: Promise<number>;
}

/** A plain graphql-transport-ws client, acknowledged. */
async function connect(url: string, wsOptions: WebSocket.ClientOptions = {}): Promise<RawClient> {
  const socket = new WebSocket(url, 'graphql-transport-ws', wsOptions);
  const messages: RawClient['messages'] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as RawClient['messages'][number]);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const received = async (type: string, id?: string) => {
    while (!messages.some((m) => m.type === type && (id === undefined || m.id === id))) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { 'x-gateway-api-key': 'the-key' } }));
  await received('connection_ack');
  return { socket, messages, received, closed };
}

function subscribeTick(client: RawClient, id: string, query = 'subscription { tick }') {
  client.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('subscriptions transport', () => {
  it('should parse one document once for all its subscriptions and build one context per subscription', async () => {
    const { subscriptions, url } = await startServer();
    const contextsBefore = contextsBuilt;
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect(url)));
    const before = streams.length;
    clients.forEach((client, i) => subscribeTick(client, `s${i}`));
    await until(() => streams.length === before + 20);
    // One context to check each connection's credentials, one per subscription.
    expect(contextsBuilt - contextsBefore).toBe(40);
    expect(subscriptions.documentsParsed).toBe(1);
    expect(subscriptions.activeOperations).toBe(20);

    subscribeTick(clients[0]!, 'other', 'subscription Named { tick }');
    await until(() => streams.length === before + 21);
    expect(subscriptions.documentsParsed).toBe(2);

    streams[before]!.push(7);
    await clients[0]!.received('next', 's0');
    expect(clients[0]!.messages.find((m) => m.type === 'next')).toEqual({ id: 's0', type: 'next', payload: { data: { tick: 7 } } });
  });

  it('should refuse an operation name the document does not hold, and count no operation', async () => {
    const { url, subscriptions } = await startServer();
    const client = await connect(url);
    client.socket.send(JSON.stringify({ id: 'x', type: 'subscribe', payload: { query: 'subscription A { tick } subscription B { tick }', operationName: 'C' } }));
    await client.received('error', 'x');
    expect(client.messages.find((m) => m.type === 'error')?.payload).toEqual([expect.objectContaining({ message: 'Unknown operation named "C".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })]);
    expect(subscriptions.activeOperations).toBe(0);
  });

  it('should refuse a connection without credentials with 4403', async () => {
    const { url } = await startServer();
    const socket = new WebSocket(url, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    expect(await new Promise((resolve) => socket.on('close', resolve))).toBe(4403);
  });

  it('should ping from one timer, keep a client that answers and drop one that does not', async () => {
    const { url, subscriptions } = await startServer({ keepAliveMs: 40 });
    const answering = await connect(url);
    const silent = await connect(url, { autoPong: false });
    let pingsAnswered = 0;
    answering.socket.on('ping', () => pingsAnswered++);
    expect(subscriptions.connections).toBe(2);
    await silent.closed;
    await until(() => pingsAnswered >= 4);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    expect(subscriptions.connections).toBe(1);
  });

  it('should not negotiate per-message compression', async () => {
    const { url } = await startServer();
    const client = await connect(url, { perMessageDeflate: true });
    expect(client.socket.extensions).toBe('');
  });

  it('should close a socket that sends a message over the payload limit with 1009', async () => {
    const { url } = await startServer({ maxPayloadBytes: 1024 });
    const client = await connect(url);
    subscribeTick(client, 'big', `subscription { tick }${' '.repeat(2048)}`);
    expect(await client.closed).toBe(1009);
  });

  it('should complete running subscriptions on dispose, then close the sockets', async () => {
    const { url, subscriptions, close } = await startServer();
    const client = await connect(url);
    const before = streams.length;
    const closedBefore = streamsClosed;
    for (const id of ['a', 'b', 'c']) subscribeTick(client, id);
    await until(() => streams.length === before + 3);
    await close();
    expect(client.messages.filter((m) => m.type === 'complete').map((m) => m.id).sort()).toEqual(['a', 'b', 'c']);
    expect(streamsClosed - closedBefore).toBe(3);
    expect(subscriptions.activeOperations).toBe(0);
    expect(await client.closed).toBe(1001);
  });
});
