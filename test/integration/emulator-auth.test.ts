import { describe, expect, it } from 'vitest';
import { fetchToken, startEmulator } from '../helpers/start-emulator.ts';

const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';
const SCOPE = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';

async function ims(url: string, init: { body?: string; query?: string; contentType?: string } = {}) {
  const res = await fetch(`${url}/ims/token/v3${init.query ? `?${init.query}` : ''}`, {
    method: 'POST',
    headers: init.body !== undefined ? { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded' } : {},
    body: init.body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('emulator gateway checks', async () => {
  const emulator = await startEmulator();
  const good = await emulator.headers();

  async function get(headers: Record<string, string | undefined>, path = SANDBOXES) {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const res = await fetch(emulator.url + path, { headers: clean });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  it('should answer a request with all four headers', async () => {
    const { status, body } = await get(good);
    expect(status).toBe(200);
    expect((body as { sandboxes: Array<{ name: string }> }).sandboxes.map((s) => s.name)).toEqual(['prod', 'dev']);
  });

  it('should refuse a missing Authorization with 403010', async () => {
    expect(await get({ ...good, authorization: undefined })).toEqual({
      status: 403,
      body: { error_code: '403010', message: 'Oauth token is missing.' },
    });
  });

  it('should refuse an unknown or malformed token with 401013', async () => {
    const expected = { status: 401, body: { error_code: '401013', message: 'Oauth token is not valid' } };
    expect(await get({ ...good, authorization: 'Bearer not-a-token' })).toEqual(expected);
    expect(await get({ ...good, authorization: good.authorization!.replace('Bearer ', 'Basic ') })).toEqual(expected);
  });

  it('should check the token before the API key', async () => {
    expect((await get({ authorization: 'Bearer nope' })).body).toEqual({ error_code: '401013', message: 'Oauth token is not valid' });
  });

  it('should refuse a missing x-api-key with 403000 and an unknown one with 403003', async () => {
    expect(await get({ ...good, 'x-api-key': undefined })).toEqual({
      status: 403,
      body: { error_code: '403000', message: 'Api Key is required' },
    });
    expect(await get({ ...good, 'x-api-key': 'someone-else' })).toEqual({
      status: 403,
      body: { error_code: '403003', message: 'Api Key is invalid' },
    });
  });

  it('should refuse a missing, malformed or foreign org id', async () => {
    expect(await get({ ...good, 'x-gw-ims-org-id': undefined })).toEqual({
      status: 400,
      body: { error_code: '400003', message: 'Missing header' },
    });
    expect(await get({ ...good, 'x-gw-ims-org-id': 'not an org' })).toEqual({
      status: 403,
      body: { error_code: '403027', message: 'User region is missing' },
    });
    expect(await get({ ...good, 'x-gw-ims-org-id': 'ABCDEF0123456789ABCDEF01@AdobeOrg' })).toEqual({
      status: 403,
      body: { error_code: '403025', message: 'Profile is not valid' },
    });
  });

  it('should default a missing sandbox to prod and refuse an unknown one with 403', async () => {
    const stats = await get({ ...good, 'x-sandbox-name': undefined }, `${SANDBOXES}/prod`);
    expect(stats.status).toBe(200);
    const unknown = await get({ ...good, 'x-sandbox-name': 'nope' });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toMatchObject({ type: '/placeholder/type/uri', status: 403, title: 'ForbiddenError' });
  });

  it('should tag every response with x-request-id, keeping the one the caller sent', async () => {
    const own = await fetch(emulator.url + SANDBOXES, { headers: { ...good, 'x-request-id': 'caller-id-1' } });
    expect(own.headers.get('x-request-id')).toBe('caller-id-1');
    const generated = await fetch(emulator.url + SANDBOXES, { headers: { 'x-api-key': 'x' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should answer unknown paths with 404 shape B', async () => {
    const { status, body } = await get(good, '/data/foundation/nothing-here');
    expect(status).toBe(404);
    expect(body).toMatchObject({ type: '/placeholder/type/uri', status: 404, title: 'NotFoundError' });
  });

  it('should answer URLs longer than 2000 characters with 414', async () => {
    const { status, body } = await get(good, `${SANDBOXES}?x=${'a'.repeat(2000)}`);
    expect(status).toBe(414);
    expect(body).toMatchObject({ status: 414, title: 'URITooLongError' });
  });

  it('should list sandboxes with limit and offset given together only', async () => {
    const page = await get(good, `${SANDBOXES}?limit=1&offset=1`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ sandboxes: [{ name: 'dev', type: 'development', isDefault: false }], _page: { limit: 1, count: 1 } });
    expect((await get(good, `${SANDBOXES}?limit=1`)).status).toBe(400);
    expect((await get(good, `${SANDBOXES}?offset=1`)).status).toBe(400);
    expect((await get(good, `${SANDBOXES}?limit=x&offset=0`)).status).toBe(400);
    const one = await get(good, `${SANDBOXES}/prod`);
    expect(one.body).toMatchObject({ name: 'prod', type: 'production', isDefault: true, state: 'active' });
    expect((one.body as { id: string }).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await get(good, `${SANDBOXES}/missing`)).status).toBe(404);
    const active = await get(good, '/data/foundation/sandbox-management/');
    expect((active.body as { sandboxes: unknown[] }).sandboxes).toHaveLength(2);
  });
});

describe('emulator IMS', async () => {
  const emulator = await startEmulator();

  it('should issue a bearer token from form parameters', async () => {
    const { status, body } = await ims(emulator.url, {
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'aep-local', client_secret: 'aep-local-secret', scope: SCOPE }).toString(),
    });
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 86_399 });
  });

  it('should issue a token from query parameters, on v3 and the older v2', async () => {
    const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'aep-local', client_secret: 'aep-local-secret', scope: SCOPE });
    const { status } = await ims(emulator.url, { query: query.toString() });
    expect(status).toBe(200);
    const v2 = await fetch(`${emulator.url}/ims/token/v2?${query.toString()}`, { method: 'POST' });
    expect(v2.status).toBe(200);
    expect(await v2.json()).toMatchObject({ token_type: 'bearer' });
  });

  it('should refuse missing parameters, other grants, unknown clients and wrong secrets', async () => {
    const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString() });
    const full = { grant_type: 'client_credentials', client_id: 'aep-local', client_secret: 'aep-local-secret', scope: SCOPE };
    const noScope = await ims(emulator.url, form({ ...full, scope: '' }));
    expect(noScope).toEqual({ status: 400, body: { error: 'invalid_request', error_description: expect.stringContaining('scope') } });
    expect((await ims(emulator.url, form({ ...full, grant_type: 'password' }))).body.error).toBe('unsupported_grant_type');
    expect(await ims(emulator.url, form({ ...full, client_id: 'who' }))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await ims(emulator.url, form({ ...full, client_secret: 'wrong' }))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await ims(emulator.url, { body: '{}', contentType: 'application/json' })).status).toBe(400);
  });
});

describe('emulator token expiry', async () => {
  const emulator = await startEmulator({ tokenLifetimeSeconds: 1, staticTokens: ['static-token'] });

  it('should refuse a token once its lifetime has passed, and keep accepting static tokens', async () => {
    const token = await fetchToken(emulator.url);
    const headers = { authorization: `Bearer ${token}`, 'x-api-key': 'aep-local', 'x-gw-ims-org-id': emulator.settings.orgId };
    expect((await fetch(emulator.url + SANDBOXES, { headers })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const expired = await fetch(emulator.url + SANDBOXES, { headers });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error_code: '401013', message: 'Oauth token is not valid' });
    const fixed = await fetch(emulator.url + SANDBOXES, { headers: { ...headers, authorization: 'Bearer static-token' } });
    expect(fixed.status).toBe(200);
  });
});

describe('emulator with missingSandbox: error', async () => {
  const emulator = await startEmulator({ missingSandbox: 'error' });

  it('should refuse a request without x-sandbox-name, except sandbox listings', async () => {
    const { 'x-sandbox-name': _omit, ...headers } = await emulator.headers();
    const res = await fetch(`${emulator.url}/data/foundation/schemaregistry/stats`, { headers });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError' });
    expect((await fetch(emulator.url + SANDBOXES, { headers })).status).toBe(200);
  });
});

describe('emulator IMS JWT exchange (deprecated flow)', async () => {
  const emulator = await startEmulator({ tokenLifetimeSeconds: 600 });
  const orgId = emulator.settings.orgId;
  const jwt = (claims: object) =>
    [{ alg: 'RS256', typ: 'JWT' }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.c2lnbmF0dXJl';

  async function exchange(fields: Record<string, string>) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    const res = await fetch(`${emulator.url}/ims/exchange/jwt`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('should exchange a JWT for a token whose expires_in is in milliseconds', async () => {
    const valid = jwt({ iss: orgId, sub: 'tech@techacct.adobe.com', exp: Math.floor(Date.now() / 1000) + 300 });
    const { status, body } = await exchange({ client_id: 'aep-local', client_secret: 'aep-local-secret', jwt_token: valid });
    expect(status).toBe(200);
    expect(body).toEqual({ token_type: 'bearer', access_token: expect.any(String), expires_in: 600_000 });
    const use = await fetch(`${emulator.url}${SANDBOXES}`, {
      headers: { authorization: `Bearer ${String(body.access_token)}`, 'x-api-key': 'aep-local', 'x-gw-ims-org-id': orgId },
    });
    expect(use.status).toBe(200);
  });

  it('should refuse missing fields, wrong secrets, non-JWTs, foreign or expired JWTs and non-multipart bodies', async () => {
    const base = { client_id: 'aep-local', client_secret: 'aep-local-secret' };
    const future = Math.floor(Date.now() / 1000) + 300;
    expect((await exchange(base)).body).toMatchObject({ error: 'invalid_request' });
    expect((await exchange({ ...base, client_secret: 'no', jwt_token: jwt({ iss: orgId, exp: future }) })).status).toBe(401);
    expect((await exchange({ ...base, jwt_token: 'not-a-jwt' })).body).toMatchObject({ error: 'invalid_token' });
    expect((await exchange({ ...base, jwt_token: jwt({ iss: 'other@AdobeOrg', exp: future }) })).body).toMatchObject({ error: 'invalid_token' });
    expect((await exchange({ ...base, jwt_token: jwt({ iss: orgId, exp: 1 }) })).body).toMatchObject({ error: 'invalid_token' });
    const form = await fetch(`${emulator.url}/ims/exchange/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=aep-local',
    });
    expect(form.status).toBe(400);
  });
});
