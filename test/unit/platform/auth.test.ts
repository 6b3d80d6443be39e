import { afterEach, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import { AEP_OAUTH_SCOPE, createOAuthAuth, createPassThroughAuth, createStaticAuth } from '../../../src/platform/auth.ts';
import { createHttp } from '../../../src/platform/http.ts';
import { PlatformError } from '../../../src/platform/errors.ts';
import { IMS_URL, JSON_HEADERS, SCOPE, bodyBytes, headerObject, keyed, mockPlatform, type MockPlatform } from './mock-platform.ts';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

function oauthPlatform(): MockPlatform {
  const mock = mockPlatform({ auth: { mode: 'oauth', clientId: 'cid', clientSecret: 'secret' } });
  opened.push(mock.agent);
  return mock;
}

/** IMS answers with token-1, token-2, ... and counts the calls. */
function serveTokens(mock: { ims: MockPlatform['ims'] }, expiresIn = 86_399) {
  const state = { issued: 0, forms: [] as URLSearchParams[] };
  mock.ims
    .intercept({ path: '/ims/token/v3', method: 'POST' })
    .reply(200, async (opts) => {
      state.forms.push(new URLSearchParams((await bodyBytes(opts.body)).toString()));
      state.issued++;
      return JSON.stringify({ access_token: `token-${state.issued}`, token_type: 'bearer', expires_in: expiresIn });
    }, { headers: JSON_HEADERS })
    .persist();
  return state;
}

describe('static and pass-through auth', () => {
  it('should give the same credentials object on every call', () => {
    const auth = createStaticAuth('abc', 'key');
    expect(auth.credentials(SCOPE)).toBe(auth.credentials(SCOPE));
    expect(auth.credentials(SCOPE)).toEqual({ authorization: 'Bearer abc', apiKey: 'key' });
    expect(createStaticAuth('Bearer abc', 'key').credentials(SCOPE)).toMatchObject({ authorization: 'Bearer abc' });
    expect(auth.invalidate(auth.credentials(SCOPE) as never)).toBe(false);
  });

  it('should forward the caller headers as they came', () => {
    const auth = createPassThroughAuth();
    const forwardedAuth = { authorization: 'Bearer user-token', apiKey: 'user-key' };
    expect(auth.credentials({ ...SCOPE, forwardedAuth })).toBe(forwardedAuth);
  });

  it('should refuse a pass-through call without forwarded credentials before calling anything', async () => {
    const mock = mockPlatform({ auth: { mode: 'pass-through' } });
    opened.push(mock.agent);
    const error = await mock.client.scoped(SCOPE).catalog.getBatch('b1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'http', status: 401, aepCode: '403010' });
    const empty = await mock.client.scoped({ ...SCOPE, forwardedAuth: { authorization: '', apiKey: 'k' } }).catalog.getBatch('b1').catch((e: unknown) => e);
    expect(empty).toMatchObject({ status: 401, aepCode: '403010' });
    const noKey = await mock.client.scoped({ ...SCOPE, forwardedAuth: { authorization: 'Bearer t', apiKey: '' } }).catalog.getBatch('b1').catch((e: unknown) => e);
    expect(noKey).toMatchObject({ status: 401, aepCode: '403000' });
    expect(mock.calls).toHaveLength(0);
  });

  it('should send the forwarded headers in pass-through mode and not retry their 401', async () => {
    const mock = mockPlatform({ auth: { mode: 'pass-through' } });
    opened.push(mock.agent);
    let seen: Record<string, string> = {};
    mock.platform.intercept({ path: '/data/foundation/catalog/batches/b1', method: 'GET' }).reply((opts) => {
      seen = headerObject(opts.headers);
      return { statusCode: 401, data: '{"error_code":"401013","message":"Oauth token is not valid"}' };
    });
    const scope = { ...SCOPE, forwardedAuth: { authorization: 'Bearer user-token', apiKey: 'user-key' } };
    await expect(mock.client.scoped(scope).catalog.getBatch('b1')).rejects.toMatchObject({ status: 401, aepCode: '401013' });
    expect(seen).toMatchObject({ authorization: 'Bearer user-token', 'x-api-key': 'user-key' });
    expect(mock.calls).toHaveLength(1);
  });
});

describe('OAuth server-to-server', () => {
  it('should fetch one token with the client_credentials form and reuse it', async () => {
    const mock = oauthPlatform();
    const ims = serveTokens(mock);
    const seen: string[] = [];
    mock.platform.intercept({ path: '/data/foundation/catalog/batches/b1', method: 'GET' }).reply((opts) => {
      const h = headerObject(opts.headers);
      seen.push(`${h.authorization} ${h['x-api-key']}`);
      return { statusCode: 200, data: JSON.stringify(keyed(['b1'])) };
    }).times(2);
    const platform = mock.client.scoped(SCOPE);
    await platform.catalog.getBatch('b1');
    await platform.catalog.getBatch('b1');
    expect(ims.issued).toBe(1);
    expect(seen).toEqual(['Bearer token-1 cid', 'Bearer token-1 cid']);
    const form = ims.forms[0]!;
    expect(Object.fromEntries(form)).toEqual({ client_id: 'cid', client_secret: 'secret', grant_type: 'client_credentials', scope: AEP_OAUTH_SCOPE });
  });

  it('should make one IMS call for 20 concurrent callers (single flight)', async () => {
    const mock = oauthPlatform();
    const ims = serveTokens(mock);
    mock.platform.intercept({ path: '/data/foundation/catalog/batches/b1', method: 'GET' }).reply(200, JSON.stringify(keyed(['b1']))).times(20);
    const platform = mock.client.scoped(SCOPE);
    const results = await Promise.all(Array.from({ length: 20 }, () => platform.catalog.getBatch('b1')));
    expect(results.every((b) => b?.id === 'b1')).toBe(true);
    expect(ims.issued).toBe(1);
  });

  it('should on a 401 drop the token, fetch a new one once and send the call again', async () => {
    const mock = oauthPlatform();
    const ims = serveTokens(mock);
    const used: string[] = [];
    mock.platform
      .intercept({ path: '/data/foundation/import/batches', method: 'POST' })
      .reply((opts) => {
        const token = headerObject(opts.headers).authorization!;
        used.push(token);
        return token === 'Bearer token-1'
          ? { statusCode: 401, data: '{"error_code":"401013","message":"Oauth token is not valid"}' }
          : { statusCode: 201, data: '{"id":"B1","status":"loading"}' };
      })
      .times(2);
    const batch = await mock.client.scoped(SCOPE).ingestion.createBatch({ datasetId: 'd', inputFormat: { format: 'json' } });
    expect(batch).toMatchObject({ id: 'B1' });
    expect(used).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(ims.issued).toBe(2);
  });

  it('should refresh only once for 20 concurrent callers that all got a 401', async () => {
    const mock = oauthPlatform();
    const ims = serveTokens(mock);
    mock.platform
      .intercept({ path: '/data/foundation/catalog/batches/b1', method: 'GET' })
      .reply((opts) => (headerObject(opts.headers).authorization === 'Bearer token-1'
        ? { statusCode: 401, data: '{"error_code":"401013","message":"Oauth token is not valid"}' }
        : { statusCode: 200, data: JSON.stringify(keyed(['b1'])) }))
      .persist();
    const platform = mock.client.scoped(SCOPE);
    const results = await Promise.all(Array.from({ length: 20 }, () => platform.catalog.getBatch('b1')));
    expect(results.every((b) => b?.id === 'b1')).toBe(true);
    // token-1 for all, then the first 401 invalidates it and one refresh serves everyone still holding it.
    expect(ims.issued).toBe(2);
  });

  it('should surface a second 401 in a row instead of looping', async () => {
    const mock = oauthPlatform();
    const ims = serveTokens(mock);
    mock.platform.intercept({ path: '/data/foundation/catalog/batches/b1', method: 'GET' }).reply(401, '{"error_code":"403025","message":"Profile is not valid"}').persist();
    await expect(mock.client.scoped(SCOPE).catalog.getBatch('b1')).rejects.toMatchObject({ kind: 'http', status: 401, aepCode: '403025' });
    expect(ims.issued).toBe(2);
    expect(mock.calls.filter((c) => c.api === 'catalog')).toHaveLength(2);
  });

  it('should turn IMS refusing the credentials into kind auth with status 401', async () => {
    const mock = oauthPlatform();
    mock.ims.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(400, '{"error":"invalid_client","error_description":"invalid client_secret parameter"}');
    const error = await mock.client.scoped(SCOPE).catalog.getBatch('b1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, aepCode: 'invalid_client', api: 'ims' });
    expect((error as Error).message).not.toContain('secret');
  });

  it('should turn IMS being down into kind auth with status 503, after retries', async () => {
    const mock = oauthPlatform();
    mock.ims.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(503, 'unavailable').times(4);
    await expect(mock.client.scoped(SCOPE).catalog.getBatch('b1')).rejects.toMatchObject({ kind: 'auth', status: 503 });
    expect(mock.calls.filter((c) => c.api === 'ims')).toHaveLength(4);
  });

  it('should refuse a token response without a token', async () => {
    const mock = oauthPlatform();
    mock.ims.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(200, '{"token_type":"bearer"}');
    await expect(mock.client.scoped(SCOPE).catalog.getBatch('b1')).rejects.toMatchObject({ kind: 'auth', status: 503 });
  });

  it('should refresh before expiry, and keep the old token while IMS fails if it is still valid', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    opened.push(agent);
    let clock = 1_000_000;
    const ims = createHttp({ baseUrl: IMS_URL, dispatcher: agent, auth: null, retry: { maxAttempts: 1 } });
    const auth = createOAuthAuth({ clientId: 'cid', clientSecret: 's', ims, now: () => clock });
    const pool = agent.get(IMS_URL);
    pool.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(200, '{"access_token":"t1","expires_in":100}');
    expect(await auth.credentials(SCOPE)).toMatchObject({ authorization: 'Bearer t1' });

    // 100 s lifetime: refreshed 10 s (a tenth) before expiry.
    clock += 89_000;
    expect(auth.credentials(SCOPE)).toMatchObject({ authorization: 'Bearer t1' });
    clock += 2_000;
    pool.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(503, '');
    expect(await auth.credentials(SCOPE)).toMatchObject({ authorization: 'Bearer t1' });
    pool.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(200, '{"access_token":"t2","expires_in":100}');
    expect(await auth.credentials(SCOPE)).toMatchObject({ authorization: 'Bearer t2' });

    // Past expiry with IMS down: the error surfaces.
    clock += 200_000;
    pool.intercept({ path: '/ims/token/v3', method: 'POST' }).reply(503, '');
    await expect(auth.credentials(SCOPE)).rejects.toMatchObject({ kind: 'auth', status: 503 });
  });
});
