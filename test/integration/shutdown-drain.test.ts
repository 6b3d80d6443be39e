// The drain of a gateway process on SIGTERM, step by step: with a request in
// flight and a subscription open, the subscriber gets `complete` and its
// socket is closed with 1001 (Going Away); while the request runs, a new
// request is answered 503 SHUTTING_DOWN with Retry-After and Connection:
// close (the listener stays open for that), /healthz still answers 200 and
// /readyz does not; the running request then completes with its data; only
// after it are connections refused, and the process exits 0.
//
// The request in flight sends `Expect: 100-continue`: node answers 100 when
// it hands the request to the gateway, so the test knows the request is
// running before it sends the signal, and it sends the body when it chooses.
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { gqlTo, PROCESS_GATEWAY_KEY, startGatewayProcess } from '../helpers/gateway-process.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const emulator = await startEmulator();
const KEY = { 'x-gateway-api-key': PROCESS_GATEWAY_KEY };

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }>; status?: string };
}

function answerOf(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Answer['body'] }));
    });
    req.on('error', reject);
  });
}

/** A request on a connection of its own; resolves with the answer, or with the connection error's code. */
function send(url: string, method: 'GET' | 'POST', body?: string): Promise<Answer | string> {
  const req = request(url, { method, agent: false, headers: { ...KEY, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } });
  req.end(body);
  return answerOf(req).catch((error: unknown) => (error as { code?: string }).code ?? String(error));
}

describe('SIGTERM drain', () => {
  it('should answer 503 while a running request finishes, close subscriptions with 1001, then refuse connections and exit 0', async () => {
    const gateway = await startGatewayProcess(emulator, { SHUTDOWN_TIMEOUT_MS: '20000' });
    const base = gateway.url.replace(/\/graphql$/, '');

    // A subscriber of a batch that stays open.
    const { schemas } = await gqlTo<{ schemas: { nodes: Array<{ id: string; title: string }> } }>(gateway.url, '{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.nodes.find((schema) => schema.title === 'Loyalty Members')!.id;
    const { createDataset } = await gqlTo<{ createDataset: { dataset: { id: string } } }>(gateway.url, 'mutation ($s: ID!) { createDataset(input: { name: "drain", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const { createBatch } = await gqlTo<{ createBatch: { batch: { id: string } } }>(gateway.url, 'mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: createDataset.dataset.id });
    let closed!: (event: { code: number; reason: string }) => void;
    const socketClosed = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
    const client = createTestClient(gateway.url, KEY, { on: { closed: (event) => closed(event as { code: number; reason: string }) } });
    const subscriber = follow<{ batchStatus: { batch: { status: string } } }>(client, 'subscription ($id: ID!) { batchStatus(id: $id) { batch { status } } }', { id: createBatch.batch.id });
    await subscriber.atLeast(1);

    // A request in flight: its headers are in, its body is not.
    const body = JSON.stringify({ query: 'query InFlight { __typename }' });
    const running = request(gateway.url, { method: 'POST', agent: false, headers: { ...KEY, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
    const runningAnswer = answerOf(running);
    running.flushHeaders();
    await new Promise((resolve) => running.once('continue', resolve));
    running.write(body.slice(0, 10));

    gateway.child.kill('SIGTERM');
    await expect.poll(() => gateway.stderr().includes('SIGTERM: stopping'), { timeout: 10_000 }).toBe(true);

    // The subscription ends first: `complete`, then the socket closes with 1001.
    await subscriber.ended;
    expect(subscriber.completed).toBe(true);
    expect(subscriber.errors).toBeUndefined();
    const close = await socketClosed;
    expect(close).toMatchObject({ code: 1001, reason: 'Going away' });

    // While the request runs, new requests get a clear refusal.
    const refused = await send(gateway.url, 'POST', JSON.stringify({ query: '{ __typename }' }));
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1', connection: 'close' }, body: { errors: [{ extensions: { code: 'SHUTTING_DOWN' } }] } });
    const health = await send(`${base}/healthz`, 'GET');
    const ready = await send(`${base}/readyz`, 'GET');
    expect(health).toMatchObject({ status: 200 });
    expect(ready).toMatchObject({ status: 503, body: { errors: [{ extensions: { code: 'SHUTTING_DOWN' } }] } });
    expect(gateway.child.exitCode).toBeNull();

    // The request in flight completes with its data.
    running.end(body.slice(10));
    const completed = await runningAnswer;
    expect(completed).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });

    // Then the listener closes: connections are refused, and the process exits 0.
    await expect.poll(async () => send(gateway.url, 'POST', JSON.stringify({ query: '{ __typename }' })), { timeout: 10_000 }).toBe('ECONNREFUSED');
    const exit = await gateway.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    const status = (answer: Answer | string) => (typeof answer === 'string' ? answer : `${answer.status}`);
    console.log(
      `SIGTERM with a request in flight and a subscription open: the subscriber got complete after ${subscriber.results.length} event(s), then close ${close.code} "${close.reason}"; ` +
        `a new request: 503 ${(refused as Answer).body.errors?.[0]?.extensions?.code} (Retry-After ${(refused as Answer).headers['retry-after']}, Connection: ${(refused as Answer).headers.connection}); ` +
        `/healthz ${status(health)}, /readyz ${status(ready)}; the request in flight: ${completed.status}; after it: ECONNREFUSED; exit code ${exit.code}`,
    );
  });
});
