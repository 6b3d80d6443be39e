import { afterEach, describe, expect, it } from 'vitest';
import { MockAgent, errors as undiciErrors } from 'undici';
import { Readable } from 'node:stream';
import { createHttp, type CallInfo, type HttpOptions, type HttpRequest } from '../../../src/platform/http.ts';
import { createStaticAuth } from '../../../src/platform/auth.ts';
import { PlatformError } from '../../../src/platform/errors.ts';
import { BASE_URL, JSON_HEADERS, SCOPE, headerObject } from './mock-platform.ts';

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function setup(options: Partial<HttpOptions> = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const sleeps: number[] = [];
  const calls: CallInfo[] = [];
  const http = createHttp({
    baseUrl: BASE_URL,
    dispatcher: agent,
    auth: createStaticAuth('tok', 'key'),
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onCall: (info) => calls.push(info),
    ...options,
  });
  return { agent, pool: agent.get(BASE_URL), http, sleeps, calls };
}

const get = (path = '/data/foundation/catalog/dataSets'): HttpRequest => ({ api: 'catalog', method: 'GET', path, route: '/dataSets', scope: SCOPE });

describe('createHttp', () => {
  it('should send the four Platform headers, the traceparent and extra headers', async () => {
    const { pool, http } = setup();
    let seen: Record<string, string> = {};
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply((opts) => {
      seen = headerObject(opts.headers);
      return { statusCode: 200, data: '{"a":1}', responseOptions: { headers: JSON_HEADERS } };
    });
    const value = await http.json({ ...get(), scope: { ...SCOPE, traceparent: '00-abc-def-01' }, headers: { accept: 'application/json' } });
    expect(value).toEqual({ a: 1 });
    expect(seen).toMatchObject({
      authorization: 'Bearer tok',
      'x-api-key': 'key',
      'x-gw-ims-org-id': SCOPE.orgId,
      'x-sandbox-name': 'prod',
      traceparent: '00-abc-def-01',
      accept: 'application/json',
    });
  });

  it('should keep a base URL path prefix', async () => {
    const { agent, sleeps } = setup();
    const http = createHttp({ baseUrl: `${BASE_URL}/prefix/`, dispatcher: agent, auth: null, sleep: async (ms) => void sleeps.push(ms) });
    agent.get(BASE_URL).intercept({ path: '/prefix/x', method: 'GET' }).reply(200, '');
    await expect(http.json({ api: 'catalog', method: 'GET', path: '/x', route: '/x' })).resolves.toBeUndefined();
  });

  it('should retry an idempotent GET on 503 with exponential backoff and succeed', async () => {
    const { pool, http, sleeps, calls } = setup({ retry: { baseDelayMs: 100, maxDelayMs: 1_000 } });
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(503, '{"type":"/placeholder/type/uri","status":503,"title":"ServiceUnavailableError"}').times(3);
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(200, '{"ok":true}');
    await expect(http.json(get())).resolves.toEqual({ ok: true });
    // equal jitter at random() = 0.5: three quarters of 100, 200, 400
    expect(sleeps).toEqual([75, 150, 300]);
    expect(calls.map((c) => [c.status, c.attempt])).toEqual([[503, 1], [503, 2], [503, 3], [200, 4]]);
  });

  it('should give up after maxAttempts and surface the last error', async () => {
    const { pool, http, calls } = setup({ retry: { maxAttempts: 2 } });
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(502, 'bad gateway').times(2);
    const error = await http.json(get()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'http', status: 502, detail: 'bad gateway' });
    expect(calls).toHaveLength(2);
  });

  it('should honour Retry-After in seconds instead of the backoff', async () => {
    const { pool, http, sleeps } = setup();
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(429, '', { headers: { 'retry-after': '2' } });
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(200, '{}');
    await http.json(get());
    expect(sleeps).toEqual([2000]);
  });

  it('should honour Retry-After given as an HTTP date', async () => {
    const { pool, http, sleeps } = setup();
    const at = new Date(Date.now() + 3_000).toUTCString();
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(503, '', { headers: { 'retry-after': at } });
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(200, '{}');
    await http.json(get());
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1_000);
    expect(sleeps[0]).toBeLessThanOrEqual(4_000);
  });

  it('should not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    const { pool, http, sleeps } = setup({ retry: { maxRetryAfterMs: 5_000 } });
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(429, '{"title":"RequestRateTooLarge","status":429,"detail":"Request rate is large."}', { headers: { 'retry-after': '120' } });
    const error = await http.json(get()).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
  });

  it('should not retry a POST unless it is marked idempotent', async () => {
    const { pool, http, calls } = setup();
    pool.intercept({ path: '/data/foundation/import/batches', method: 'POST' }).reply(503, '');
    const error = await http.json({ api: 'ingestion', method: 'POST', path: '/data/foundation/import/batches', route: '/batches', scope: SCOPE, body: '{}' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);

    pool.intercept({ path: '/data/foundation/import/batches/b?action=COMPLETE', method: 'POST' }).reply(503, '');
    pool.intercept({ path: '/data/foundation/import/batches/b?action=COMPLETE', method: 'POST' }).reply(200, '');
    await http.empty({ api: 'ingestion', method: 'POST', path: '/data/foundation/import/batches/b?action=COMPLETE', route: '/batches/{id}', scope: SCOPE, idempotent: true });
    expect(calls).toHaveLength(3);
  });

  it('should never retry a streamed body, even when marked idempotent', async () => {
    const { pool, http, calls } = setup();
    pool.intercept({ path: '/up', method: 'PUT' }).reply(503, async (opts) => {
      for await (const _ of opts.body as AsyncIterable<unknown>) void _;
      return '';
    });
    const error = await http
      .empty({ api: 'ingestion', method: 'PUT', path: '/up', route: '/up', scope: SCOPE, body: Readable.from([Buffer.from('abc')]), idempotent: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);
  });

  it('should not retry 4xx errors', async () => {
    const { pool, http, calls } = setup();
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(400, '{"type":"/placeholder/type/uri","status":400,"title":"BadRequestError","detail":"limit must be 1..100"}');
    await expect(http.json(get())).rejects.toMatchObject({ status: 400, aepCode: 'BadRequestError', detail: 'limit must be 1..100' });
    expect(calls).toHaveLength(1);
  });

  it('should give null for a 404 when asked, and throw otherwise', async () => {
    const { pool, http } = setup();
    pool.intercept({ path: '/a', method: 'GET' }).reply(404, '{"type":"/placeholder/type/uri","status":404,"title":"NotFoundError","detail":"x"}').times(2);
    await expect(http.jsonOrNull(get('/a'))).resolves.toBeNull();
    await expect(http.json(get('/a'))).rejects.toMatchObject({ status: 404, aepCode: 'NotFoundError' });
  });

  it('should map a headers timeout to kind timeout after retrying an idempotent call', async () => {
    const { pool, http, calls } = setup({ retry: { maxAttempts: 2 } });
    pool.intercept({ path: '/slow', method: 'GET' }).replyWithError(new undiciErrors.HeadersTimeoutError()).times(2);
    const error = await http.json(get('/slow')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'timeout', status: undefined, code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(calls.map((c) => c.status)).toEqual([undefined, undefined]);
  });

  it('should map connection failures to kind network and not retry a create', async () => {
    const { pool, http, calls } = setup();
    pool.intercept({ path: '/create', method: 'POST' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(http.json({ api: 'catalog', method: 'POST', path: '/create', route: '/create', scope: SCOPE, body: '{}' })).rejects.toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
    expect(calls).toHaveLength(1);
  });

  it('should let a caller abort travel as it is', async () => {
    const { pool, http } = setup();
    pool.intercept({ path: '/a', method: 'GET' }).reply(200, '{}').delay(1_000);
    const controller = new AbortController();
    const pending = http.json({ ...get('/a'), signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
  });

  it('should refuse a download larger than the limit, by Content-Length or by bytes', async () => {
    const { pool, http, calls } = setup();
    pool.intercept({ path: '/big', method: 'GET' }).reply(200, Buffer.alloc(100), { headers: { 'content-length': '100' } });
    await expect(http.bytes(get('/big'), 10)).rejects.toMatchObject({ status: 413 });
    pool.intercept({ path: '/big2', method: 'GET' }).reply(200, Buffer.alloc(100));
    await expect(http.bytes(get('/big2'), 10)).rejects.toMatchObject({ status: 413 });
    pool.intercept({ path: '/ok', method: 'GET' }).reply(200, Buffer.from('hello'));
    await expect(http.bytes(get('/ok'), 10)).resolves.toEqual(Buffer.from('hello'));
    expect(calls).toHaveLength(3);
  });

  it('should report each attempt with api, method, route and status', async () => {
    const { pool, http, calls } = setup();
    pool.intercept({ path: '/data/foundation/catalog/dataSets', method: 'GET' }).reply(200, '{}');
    await http.json(get());
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ api: 'catalog', method: 'GET', route: '/dataSets', status: 200, attempt: 1 });
    expect(calls[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });
});
