// The HTTP surface around GraphQL: health and readiness, routing, malformed
// and oversized requests, CSRF prevention, GET queries, request ids, and one
// log line per request without credentials.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';

const emulator = await startEmulator({ faults: true });
const logLines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'info', redact: ['authorization'] },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
);
const gw = await startGateway({ emulator, readinessCacheMs: 0, maxBodySize: 2_048, logger });
afterAll(() => gw.close());
afterEach(() => emulator.faults.clear());

const base = gw.url.replace(/\/graphql$/, '');
const KEY = { 'x-gateway-api-key': TEST_GATEWAY_KEY };

describe('gateway HTTP', () => {
  it('should answer liveness, and readiness from the upstream', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);

    emulator.faults.add({ path: '/data/foundation/sandbox-management/**', respond: 503, retryAfterSeconds: 120 });
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { ready: boolean }).ready).toBe(false);
  });

  it('should answer 404 outside its routes', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('should serve queries over GET, with the CSRF preflight header', async () => {
    const url = `${gw.url}?query=${encodeURIComponent('{ currentSandbox { name } }')}`;
    expect((await fetch(url, { headers: KEY })).status).toBe(400);
    const response = await fetch(url, { headers: { ...KEY, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { currentSandbox: { name: 'prod' } } });
  });

  it('should refuse a body that is not JSON, and one over MAX_BODY_SIZE', async () => {
    const broken = await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: '{"query": ' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');

    const huge = await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(4_096)}` }) });
    expect(huge.status).toBe(413);
  });

  it('should block a multipart request without the CSRF preflight header', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: '{ __typename }', variables: {} }));
    form.append('map', '{}');
    const response = await fetch(gw.url, { method: 'POST', headers: KEY, body: form });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('should refuse a malformed multipart request', async () => {
    const form = new FormData();
    form.append('operations', 'not json');
    const response = await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'apollo-require-preflight': 'true' }, body: form });
    expect(response.status).toBe(400);
  });

  it('should echo a sane x-request-id and log one line per request without credentials', async () => {
    logLines.length = 0;
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { ...KEY, 'content-type': 'application/json', 'x-request-id': 'trace-123' },
      body: JSON.stringify({ query: 'query Named { currentSandbox { name } }', operationName: 'Named' }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const requestLines = logLines.filter((line) => line.msg === 'graphql request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ requestId: 'trace-123', operationName: 'Named', status: 200, outcome: 'ok' });
    expect(JSON.stringify(logLines)).not.toContain(TEST_GATEWAY_KEY);

    const insane = await fetch(gw.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(insane.headers.get('x-request-id')).not.toBe('bad id with spaces');
  });
});
