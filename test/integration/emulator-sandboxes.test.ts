import { describe, expect, it } from 'vitest';
import { loadContract } from '../helpers/openapi-contract.ts';
import { startEmulator } from '../helpers/start-emulator.ts';

const BASE = '/data/foundation/sandbox-management';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function client(emulator: Awaited<ReturnType<typeof startEmulator>>) {
  const headers = await emulator.headers();
  return async (method: string, path: string, body?: unknown, sandbox?: string) => {
    const res = await fetch(emulator.url + path, {
      method,
      headers: { ...headers, ...(sandbox ? { 'x-sandbox-name': sandbox } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
}

describe('emulator sandboxes: create, retitle, delete', async () => {
  const emulator = await startEmulator({ processingDelayMs: 0 });
  const call = await client(emulator);
  const contract = loadContract('sandbox');

  it('should create a sandbox that becomes active and starts empty', async () => {
    const created = await call('POST', `${BASE}/sandboxes`, { name: 'qa-1', title: 'QA One', type: 'development' });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ name: 'qa-1', title: 'QA One', type: 'development', state: 'creating', region: 'VA7' });
    expect(contract.check('POST', '/sandbox-management/sandboxes', 202, created.body)).toBeNull();
    const one = await call('GET', `${BASE}/sandboxes/qa-1`);
    expect(one.body).toMatchObject({ state: 'active', isDefault: false });
    const schemas = await fetch(`${emulator.url}/data/foundation/schemaregistry/tenant/schemas`, {
      headers: { ...(await emulator.headers('qa-1')), accept: 'application/vnd.adobe.xed-id+json' },
    });
    expect(schemas.status).toBe(200);
    expect(((await schemas.json()) as Json).results).toEqual([]);
    const active = await call('GET', `${BASE}/`);
    expect(active.body.sandboxes.map((s: Json) => s.name)).toEqual(['prod', 'dev', 'qa-1']);
  });

  it('should refuse duplicate names, bad names, bad types and missing fields', async () => {
    expect((await call('POST', `${BASE}/sandboxes`, { name: 'prod', title: 'Again', type: 'production' })).status).toBe(409);
    for (const body of [
      { name: 'Has Spaces', title: 't', type: 'development' },
      { name: '-dash', title: 't', type: 'development' },
      { name: 'ok-name', title: 't', type: 'staging' },
      { name: 'ok-name', type: 'development' },
      ['not', 'an', 'object'],
    ]) {
      const res = await call('POST', `${BASE}/sandboxes`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ type: '/placeholder/type/uri', title: 'BadRequestError' });
    }
  });

  it('should change only the title', async () => {
    const patched = await call('PATCH', `${BASE}/sandboxes/dev`, { title: 'Renamed Dev' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'dev', title: 'Renamed Dev', eTag: 2 });
    // The dates use the guide's "YYYY-MM-DD hh:mm:ss" form, not the document's date-time (see emulator-contract-registry.test.ts).
    expect(contract.check('PATCH', '/sandbox-management/sandboxes/{sandboxName}', 200, { ...patched.body, createdDate: undefined, lastModifiedDate: undefined })).toBeNull();
    expect((await call('PATCH', `${BASE}/sandboxes/dev`, { title: 'x', type: 'production' })).status).toBe(400);
    expect((await call('PATCH', `${BASE}/sandboxes/nope`, { title: 'x' })).status).toBe(404);
  });

  it('should delete a sandbox, refuse requests to it, and never reuse its name', async () => {
    await call('POST', `${BASE}/sandboxes`, { name: 'short-lived', title: 'Short Lived', type: 'development' });
    const deleted = await call('DELETE', `${BASE}/sandboxes/short-lived`);
    expect(deleted.status).toBe(202);
    expect(deleted.body.state).toBe('deleted');
    expect(contract.check('DELETE', '/sandbox-management/sandboxes/{sandboxName}', 202, deleted.body)).toBeNull();
    expect((await call('GET', `${BASE}/sandboxes/short-lived`)).status).toBe(404);
    expect((await call('GET', `${BASE}/sandboxes`, undefined, 'short-lived')).status).toBe(403);
    expect((await call('POST', `${BASE}/sandboxes`, { name: 'short-lived', title: 'Again', type: 'development' })).status).toBe(409);
    expect((await call('DELETE', `${BASE}/sandboxes/prod`)).status).toBe(400);
  });

  it('should list the sandbox types', async () => {
    const types = await call('GET', `${BASE}/sandboxTypes`);
    expect(types.body.sandboxTypes.map((t: Json) => t.id)).toEqual(['development', 'production']);
    expect(contract.check('GET', '/sandbox-management/sandboxTypes', 200, types.body)).toBeNull();
  });
});

describe('emulator sandboxes while provisioning', async () => {
  const emulator = await startEmulator({ processingDelayMs: 3_600_000 });
  const call = await client(emulator);

  it('should show a new sandbox as creating and refuse requests to it until it is active', async () => {
    expect((await call('POST', `${BASE}/sandboxes`, { name: 'slow', title: 'Slow', type: 'production' })).status).toBe(202);
    expect((await call('GET', `${BASE}/sandboxes/slow`)).body.state).toBe('creating');
    expect((await call('GET', `${BASE}/sandboxes`)).body.sandboxes.map((s: Json) => s.name)).toContain('slow');
    expect((await call('GET', `${BASE}/`)).body.sandboxes.map((s: Json) => s.name)).not.toContain('slow');
    expect((await call('GET', `${BASE}/sandboxes`, undefined, 'slow')).status).toBe(403);
  });
});
