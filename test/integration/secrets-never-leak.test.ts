// A full run through the gateway, at the most verbose log level, with
// everything that can go wrong going wrong: then every log line, every
// response (bodies and headers, errors included) and the metrics are searched
// for the credentials in play: the OAuth client secret, every access token
// the gateway sent upstream (seen through a recording proxy), the gateway API
// keys (valid and invalid ones), and the caller's own token in pass-through.
// None may appear.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/gateway/logger.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';
import { startRecordingProxy } from '../helpers/recording-proxy.ts';

const RW_KEY = 'leak-test-rw-key-0123456789';
const RO_KEY = 'leak-test-ro-key-0123456789';
const WRONG_KEY = 'leak-test-wrong-key-0123456789';
const BAD_TOKEN = 'leak-test-not-a-real-ims-token-0123456789';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
const proxy = await startRecordingProxy(emulator.url);
afterAll(() => proxy.close());
const target = { url: proxy.url, settings: emulator.settings };

const logText: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logText.push(chunk.toString('utf8'));
    done();
  },
});
const logger = createLogger({ logLevel: 'trace' }, sink);

const gw = await startGateway({ emulator: target, logger, upstreamTimeoutMs: 200, breakerFailures: 0, env: { GATEWAY_API_KEYS: `${RW_KEY}:prod,dev:rw;${RO_KEY}:dev:ro` } });
afterAll(() => gw.close());
const passThrough = await startGateway({ emulator: target, logger, authMode: 'pass-through', upstreamTimeoutMs: 200, breakerFailures: 0 });
afterAll(() => passThrough.close());

const seen: string[] = [];
let responses = 0;

async function post(to: RunningGateway, body: unknown, headers: Record<string, string>): Promise<void> {
  const response = await fetch(to.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const headerLines: string[] = [];
  response.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
  seen.push(headerLines.join('\n'), await response.text());
  responses++;
}

describe('credentials in logs, errors and metrics', () => {
  it('should never show a token, the client secret or a gateway key', async () => {
    const key = { 'x-gateway-api-key': RW_KEY };
    const bearerKey = { authorization: `Bearer ${RW_KEY}` };
    const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('query Schemas { schemas(first: 100) { nodes { id title } } }', {}, key);
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation Create($schemaId: ID!) { createDataset(input: { name: "leaks", schemaId: $schemaId }) { dataset { id } } }', { schemaId }, key);
    const upload = await gw.upload(
      { query: 'mutation Ingest($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } } }', variables: { input: { datasetId: dataset.createDataset.dataset.id, format: 'JSON', files: [null] } } },
      [{ path: 'variables.input.files.0', name: 'rows.json', content: JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'L-1', loyaltyPoints: 'not a number' } } }) }],
      key,
    );
    seen.push(JSON.stringify(upload));

    const requests: Array<[RunningGateway, unknown, Record<string, string>]> = [
      [gw, { query: '{ currentSandbox { name } }' }, bearerKey],
      [gw, { query: '{ currentSandbox { name } }' }, { 'x-gateway-api-key': WRONG_KEY }],
      [gw, { query: '{ currentSandbox { name } }' }, { authorization: `Bearer ${WRONG_KEY}` }],
      [gw, { query: '{ currentSandbox { name } }' }, { ...key, 'x-sandbox-name': `../${RW_KEY}` }],
      [gw, { query: 'mutation { abortBatch(input: { batchId: "missing" }) { batch { id } } }' }, { 'x-gateway-api-key': RO_KEY, 'x-sandbox-name': 'dev' }],
      [gw, { query: '{ currentSandbox { name } }' }, { 'x-gateway-api-key': RO_KEY, 'x-sandbox-name': 'prod' }],
      [gw, { query: `{ ${'__typename '.repeat(2_000)}}` }, key],
      [gw, { query: '{ nope }' }, key],
      [gw, { query: '{ batch(id: "x") { id failedRows { record } } }' }, key],
      [passThrough, { query: '{ currentSandbox { name } }' }, await emulator.headers()],
      [passThrough, { query: '{ currentSandbox { name } }' }, { ...(await emulator.headers()), authorization: `Bearer ${BAD_TOKEN}` }],
      [passThrough, { query: '{ currentSandbox { name } }' }, { authorization: `Bearer ${BAD_TOKEN}` }],
    ];
    for (const [to, body, headers] of requests) await post(to, body, headers);

    // The upstream failing every way it can.
    for (const rule of [{ respond: 503 as const, retryAfterSeconds: 0 }, { respond: 429 as const, retryAfterSeconds: 120 }, { respond: 'reset' as const }, { latencyMs: 1_500 }]) {
      emulator.faults.set([{ path: '/data/foundation/catalog/**', ...rule }]);
      await post(gw, { query: '{ datasets(first: 1) { nodes { id } } }' }, key);
      await post(passThrough, { query: '{ datasets(first: 1) { nodes { id } } }' }, await emulator.headers());
    }
    emulator.faults.clear();

    const metrics = await (await fetch(gw.url.replace(/\/graphql$/, '/metrics'))).text();
    const metricsPassThrough = await (await fetch(passThrough.url.replace(/\/graphql$/, '/metrics'))).text();

    const tokens = new Set<string>();
    for (const request of proxy.requests) {
      const authorization = request.headers.authorization;
      const match = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
      if (match?.[1]) tokens.add(match[1]);
    }
    expect(tokens.size).toBeGreaterThanOrEqual(2);
    const secrets = new Map<string, string>([
      ['client secret', emulator.settings.clients[0]!.clientSecret],
      ['read-write gateway key', RW_KEY],
      ['read-only gateway key', RO_KEY],
      ['wrong gateway key', WRONG_KEY],
      ['bad caller token', BAD_TOKEN],
      ...[...tokens].map((token, i) => [`access token ${i + 1}`, token] as [string, string]),
    ]);

    const haystacks: Array<[string, string]> = [
      ['log', logText.join('')],
      ['responses', seen.join('\n')],
      ['metrics', metrics + metricsPassThrough],
    ];
    const lines = logText.join('').split('\n').filter(Boolean).length;
    expect(lines).toBeGreaterThan(20);
    // The run did go through the failures it is about.
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_RATE_LIMITED', 'UPSTREAM_TIMEOUT', 'GRAPHQL_VALIDATION_FAILED']) {
      expect(seen.join('\n'), code).toContain(code);
    }
    for (const [where, text] of haystacks) {
      for (const [what, secret] of secrets) {
        expect(text.includes(secret), `${what} found in ${where}`).toBe(false);
      }
    }
    console.log(
      `searched ${lines} log lines, ${responses + 4} responses and ${metrics.length + metricsPassThrough.length} bytes of metrics for ${secrets.size} secrets (${tokens.size} access tokens): none found`,
    );
  });
});
