import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/server.ts';
import { fetchToken, tempDataDir } from '../helpers/start-emulator.ts';

const BASE = '/data/foundation/schemaregistry';

describe('emulator persistence', () => {
  it('should keep schemas, tokens and sandboxes across a restart on the same data dir, without reseeding', async () => {
    const dataDir = tempDataDir();
    const first = await createEmulator({ dataDir });
    const token = await fetchToken(first.url);
    const headers = {
      authorization: `Bearer ${token}`,
      'x-api-key': 'aep-local',
      'x-gw-ims-org-id': first.settings.orgId,
      'x-sandbox-name': 'dev',
    };
    const created = await fetch(first.url + BASE + '/tenant/datatypes', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Survives Restarts', type: 'object', properties: { a: { type: 'string' } } }),
    });
    expect(created.status).toBe(201);
    const { $id } = (await created.json()) as { $id: string };
    const sandbox = await (await fetch(`${first.url}/data/foundation/sandbox-management/sandboxes/dev`, { headers })).json();
    const schemasBefore = await (await fetch(first.url + BASE + '/tenant/schemas', { headers: { ...headers, accept: 'application/vnd.adobe.xed-id+json' } })).json();
    await first.close();

    const second = await createEmulator({ dataDir });
    try {
      const read = await fetch(`${second.url}${BASE}/tenant/datatypes/${encodeURIComponent($id)}`, {
        headers: { ...headers, accept: 'application/vnd.adobe.xed+json; version=1' },
      });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ $id, title: 'Survives Restarts' });
      const sandboxAfter = await (await fetch(`${second.url}/data/foundation/sandbox-management/sandboxes/dev`, { headers })).json();
      expect(sandboxAfter).toEqual(sandbox);
      const schemasAfter = await (await fetch(second.url + BASE + '/tenant/schemas', { headers: { ...headers, accept: 'application/vnd.adobe.xed-id+json' } })).json();
      expect(schemasAfter).toMatchObject({ results: (schemasBefore as { results: unknown[] }).results });
      expect((schemasAfter as { results: unknown[] }).results).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('should not bring back a seeded schema the user deleted', async () => {
    const dataDir = tempDataDir();
    const first = await createEmulator({ dataDir });
    const headers = {
      authorization: `Bearer ${await fetchToken(first.url)}`,
      'x-api-key': 'aep-local',
      'x-gw-ims-org-id': first.settings.orgId,
    };
    const ids = { ...headers, accept: 'application/vnd.adobe.xed-id+json' };
    const list = (await (await fetch(first.url + BASE + '/tenant/schemas', { headers: ids })).json()) as { results: Array<{ 'meta:altId': string }> };
    const altId = list.results[0]!['meta:altId'];
    expect((await fetch(`${first.url}${BASE}/tenant/schemas/${altId}`, { method: 'DELETE', headers })).status).toBe(204);
    await first.close();
    const second = await createEmulator({ dataDir });
    try {
      const after = (await (await fetch(second.url + BASE + '/tenant/schemas', { headers: ids })).json()) as { results: unknown[] };
      expect(after.results).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
