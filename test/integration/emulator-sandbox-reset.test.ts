// Sandbox reset over plain HTTP (platform-api.md §6): PUT
// /sandboxes/{name} with {"action": "reset"} answers 202 'resetting', the
// sandbox's schemas, descriptors, datasets, batches and file bytes go, the
// seed comes back, other sandboxes keep everything, and all of it holds
// across a restart. Also the refusals: bad payloads and flags, a sandbox not
// active, and the documented SMS-2074..2077 bodies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/server.ts';
import { loadContract } from '../helpers/openapi-contract.ts';
import { fetchToken, startEmulator, tempDataDir } from '../helpers/start-emulator.ts';
import type { TestEmulator } from '../helpers/start-emulator.ts';
import { CATALOG, EXPORT, IMPORT, call, json, loyaltySchemaId, waitForBatch } from './emulator-batch-helpers.ts';

const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';
const REGISTRY = '/data/foundation/schemaregistry';
const IDS = { accept: 'application/vnd.adobe.xed-id+json' };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const contract = loadContract('sandbox');

/** Sandbox Management calls, sent without x-sandbox-name (the Sandbox API does not need one). */
async function sandboxApi(emulator: TestEmulator, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const { 'x-sandbox-name': _sandbox, ...auth } = await emulator.headers();
  const res = await fetch(emulator.url + SANDBOXES + path, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function waitUntilActive(emulator: TestEmulator, name: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 500; i++) {
    const state = (await sandboxApi(emulator, 'GET', `/${name}`)).body.state as string;
    if (seen[seen.length - 1] !== state) seen.push(state);
    if (state === 'active') return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return expect.fail(`sandbox ${name} never became active again`);
}

/** A sandbox holding one of everything: a data type, a descriptor, a dataset with an ingested batch. */
async function populate(emulator: TestEmulator, sandbox: string) {
  const schemaId = await loyaltySchemaId(emulator, sandbox);
  const datatype = await json<Json>(
    call(emulator, 'POST', `${REGISTRY}/tenant/datatypes`, { sandbox, body: { title: `Address ${sandbox}`, type: 'object', properties: { city: { type: 'string' } } } }),
    201,
  );
  const descriptor = await json<Json>(
    call(emulator, 'POST', `${REGISTRY}/tenant/descriptors`, {
      sandbox,
      body: { '@type': 'xdm:descriptorIdentity', 'xdm:sourceSchema': schemaId, 'xdm:sourceProperty': '/personID', 'xdm:namespace': 'CRMID', 'xdm:isPrimary': true },
    }),
    201,
  );
  const datasetId = (
    await json<string[]>(call(emulator, 'POST', `${CATALOG}/dataSets`, { sandbox, body: { name: `Members ${sandbox}`, schemaRef: { id: schemaId } } }), 201)
  )[0]!.replace('@/dataSets/', '');
  const batchId = (await json<Json>(call(emulator, 'POST', `${IMPORT}/batches`, { sandbox, body: { datasetId, inputFormat: { format: 'json' } } }), 201)).id as string;
  const row = JSON.stringify({ personID: 'p1', _aeplocal: { loyalty: { loyaltyId: 'L-1' } } });
  const put = await call(emulator, 'PUT', `${IMPORT}/batches/${batchId}/datasets/${datasetId}/files/members.json`, {
    sandbox,
    body: Buffer.from(row),
    headers: { 'content-type': 'application/octet-stream' },
  });
  expect(put.status).toBe(200);
  expect((await call(emulator, 'POST', `${IMPORT}/batches/${batchId}?action=COMPLETE`, { sandbox })).status).toBe(200);
  expect((await waitForBatch(emulator, batchId, sandbox)).batch.status).toBe('success');
  return { schemaId, datatypeId: datatype.$id as string, descriptorId: descriptor['@id'] as string, datasetId, batchId };
}

async function titles(emulator: TestEmulator, sandbox: string, kind: string): Promise<string[]> {
  const list = await json<{ results: Array<{ title: string }> }>(call(emulator, 'GET', `${REGISTRY}/tenant/${kind}`, { sandbox, headers: IDS }));
  return list.results.map((r) => r.title).sort();
}

const partitionFolder = (emulator: TestEmulator, sandbox: string) => join(emulator.dataDir, 'files', encodeURIComponent(emulator.settings.orgId), sandbox);

describe('emulator sandbox reset', () => {
  it('should clear one sandbox, re-seed it, keep the others, and keep all that across a restart', async () => {
    const dataDir = tempDataDir();
    const emulator = await startEmulator({ dataDir, processingDelayMs: 600 });
    const dev = await populate(emulator, 'dev');
    const prod = await populate(emulator, 'prod');
    const seeded = await json<{ results: Json[] }>(call(emulator, 'GET', `${REGISTRY}/tenant/schemas`, { sandbox: 'dev', headers: IDS }));
    // A seeded resource the user changed comes back as seeded.
    const described = await json<Json>(
      call(emulator, 'PATCH', `${REGISTRY}/tenant/schemas/${encodeURIComponent(dev.schemaId)}`, {
        sandbox: 'dev',
        body: [{ op: 'replace', path: '/description', value: 'Changed before the reset' }],
      }),
    );
    expect(described.version).toBe('1.1');
    expect(existsSync(partitionFolder(emulator, 'dev'))).toBe(true);
    const before = (await sandboxApi(emulator, 'GET', '/dev')).body;

    const reset = await sandboxApi(emulator, 'PUT', '/dev', { action: 'reset' });
    expect(reset.status).toBe(202);
    expect(reset.body).toEqual({ id: before.id, name: 'dev', title: before.title, state: 'resetting', type: 'development', region: 'VA7' });
    expect(contract.check('PUT', '/sandbox-management/sandboxes/{sandboxName}', 202, reset.body)).toBeNull();
    // While resetting, the sandbox is listed but takes no requests, and cannot be reset again.
    expect((await sandboxApi(emulator, 'GET', '/dev')).body).toMatchObject({ state: 'resetting', eTag: before.eTag + 1 });
    const { 'x-sandbox-name': _sandbox, ...auth } = await emulator.headers();
    const active = (await (await fetch(`${emulator.url}/data/foundation/sandbox-management/`, { headers: auth })).json()) as Json;
    expect(active.sandboxes.map((s: Json) => s.name)).toEqual(['prod']);
    const refused = await call(emulator, 'GET', `${CATALOG}/dataSets`, { sandbox: 'dev' });
    expect(refused.status).toBe(403);
    const again = await sandboxApi(emulator, 'PUT', '/dev', { action: 'reset' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ type: '/placeholder/type/uri', title: 'BadRequestError', detail: 'Sandbox dev cannot be reset while it is resetting' });
    expect(existsSync(partitionFolder(emulator, 'dev'))).toBe(false);

    expect(await waitUntilActive(emulator, 'dev')).toEqual(['resetting', 'active']);
    const expectFresh = async (e: TestEmulator) => {
      expect(await titles(e, 'dev', 'schemas')).toEqual(['Loyalty Members']);
      expect(await titles(e, 'dev', 'fieldgroups')).toEqual(['Loyalty Details']);
      expect(await titles(e, 'dev', 'datatypes')).toEqual([]);
      expect(await json(call(e, 'GET', `${REGISTRY}/tenant/descriptors`, { sandbox: 'dev', headers: { accept: 'application/vnd.adobe.xdm-id+json' } }))).toEqual({});
      expect(await json(call(e, 'GET', `${CATALOG}/dataSets`, { sandbox: 'dev' }))).toEqual({});
      expect(await json(call(e, 'GET', `${CATALOG}/batches`, { sandbox: 'dev' }))).toEqual({});
      expect(await json(call(e, 'GET', `${CATALOG}/dataSetFiles`, { sandbox: 'dev' }))).toEqual({});
      expect((await call(e, 'GET', `${EXPORT}/batches/${dev.batchId}/files`, { sandbox: 'dev' })).status).toBe(404);
      // The seed is the same as at the first start, ids included.
      expect((await json<{ results: Json[] }>(call(e, 'GET', `${REGISTRY}/tenant/schemas`, { sandbox: 'dev', headers: IDS }))).results).toEqual(
        seeded.results.map((s) => expect.objectContaining({ $id: s.$id, title: s.title, version: '1.0' })),
      );
      // The other sandbox keeps all it had.
      expect(await titles(e, 'prod', 'datatypes')).toEqual(['Address prod']);
      expect(await json(call(e, 'GET', `${REGISTRY}/tenant/descriptors/${prod.descriptorId}`))).toMatchObject({ '@id': prod.descriptorId });
      expect(Object.keys(await json(call(e, 'GET', `${CATALOG}/batches/${prod.batchId}`)))).toEqual([prod.batchId]);
      const files = await json<{ data: Json[] }>(call(e, 'GET', `${EXPORT}/batches/${prod.batchId}/files`));
      expect(files.data).toHaveLength(1);
      const listing = await json<{ data: Json[] }>(call(e, 'GET', `${EXPORT}/files/${files.data[0]!.dataSetFileId}`));
      expect((await call(e, 'GET', new URL(listing.data[0]!._links.self.href).pathname + new URL(listing.data[0]!._links.self.href).search)).status).toBe(200);
    };
    await expectFresh(emulator);
    expect(existsSync(partitionFolder(emulator, 'prod'))).toBe(true);
    // The reset sandbox takes new data again.
    const datasetAfter = await json<string[]>(call(emulator, 'POST', `${CATALOG}/dataSets`, { sandbox: 'dev', body: { name: 'After Reset', schemaRef: { id: dev.schemaId } } }), 201);
    expect(datasetAfter).toHaveLength(1);
    await json(call(emulator, 'DELETE', `${CATALOG}/dataSets/${datasetAfter[0]!.replace('@/dataSets/', '')}`, { sandbox: 'dev' }));
    await emulator.close();

    const restarted = await startEmulator({ dataDir, processingDelayMs: 600 });
    expect((await sandboxApi(restarted, 'GET', '/dev')).body).toMatchObject({ state: 'active', eTag: before.eTag + 1 });
    await expectFresh(restarted);
  });

  it('should leave nothing of a batch that was being ingested when its sandbox was reset', async () => {
    const emulator = await startEmulator({ processingDelayMs: 300 });
    const schemaId = await loyaltySchemaId(emulator, 'dev');
    const datasetId = (await json<string[]>(call(emulator, 'POST', `${CATALOG}/dataSets`, { sandbox: 'dev', body: { name: 'In Flight', schemaRef: { id: schemaId } } }), 201))[0]!.replace(
      '@/dataSets/',
      '',
    );
    const batchId = (await json<Json>(call(emulator, 'POST', `${IMPORT}/batches`, { sandbox: 'dev', body: { datasetId, inputFormat: { format: 'json' } } }), 201)).id as string;
    const rows = Array.from({ length: 200 }, (_, i) => JSON.stringify({ personID: `p${i}`, _aeplocal: { loyalty: { loyaltyId: `L-${i}` } } })).join('\n');
    const put = await call(emulator, 'PUT', `${IMPORT}/batches/${batchId}/datasets/${datasetId}/files/rows.json`, {
      sandbox: 'dev',
      body: Buffer.from(rows),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.status).toBe(200);
    expect((await call(emulator, 'POST', `${IMPORT}/batches/${batchId}?action=COMPLETE`, { sandbox: 'dev' })).status).toBe(200);
    // Reset while the worker is at it: its files are being written and its final status is not.
    for (let status = ''; status !== 'processing'; ) {
      status = (await json<Record<string, Json>>(call(emulator, 'GET', `${CATALOG}/batches/${batchId}`, { sandbox: 'dev' })))[batchId]!.status;
      expect(['loading', 'processing']).toContain(status);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await sandboxApi(emulator, 'PUT', '/dev', { action: 'reset' })).status).toBe(202);
    await waitUntilActive(emulator, 'dev');
    // Longer than the worker's two steps: whatever it was doing has ended by now.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await json(call(emulator, 'GET', `${CATALOG}/batches`, { sandbox: 'dev' }))).toEqual({});
    expect(await json(call(emulator, 'GET', `${CATALOG}/dataSetFiles`, { sandbox: 'dev' }))).toEqual({});
    expect(await json(call(emulator, 'GET', `${CATALOG}/dataSets`, { sandbox: 'dev' }))).toEqual({});
    const leftovers = existsSync(partitionFolder(emulator, 'dev'))
      ? readdirSync(partitionFolder(emulator, 'dev'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
      : [];
    expect(leftovers).toEqual([]);
  });

  it('should reset the default production sandbox too, refusing its data until it is active again', async () => {
    const emulator = await startEmulator({ processingDelayMs: 200 });
    await json(call(emulator, 'POST', `${REGISTRY}/tenant/datatypes`, { body: { title: 'Prod Only', type: 'object', properties: { a: { type: 'string' } } } }), 201);
    const reset = await sandboxApi(emulator, 'PUT', '/prod', { action: 'reset' });
    expect(reset.status).toBe(202);
    expect(reset.body).toMatchObject({ name: 'prod', state: 'resetting', type: 'production' });
    // Without x-sandbox-name a request goes to the default sandbox, which is resetting; the Sandbox API still answers.
    const { 'x-sandbox-name': _sandbox, ...auth } = await emulator.headers();
    const implicit = await fetch(`${emulator.url}${CATALOG}/dataSets`, { headers: auth });
    expect(implicit.status).toBe(403);
    expect((await sandboxApi(emulator, 'GET', '')).status).toBe(200);
    expect(await waitUntilActive(emulator, 'prod')).toEqual(['resetting', 'active']);
    expect(await titles(emulator, 'prod', 'datatypes')).toEqual([]);
    expect(await titles(emulator, 'prod', 'schemas')).toEqual(['Loyalty Members']);
  });

  it('should leave a sandbox created through the API empty, and run a pre-flight check that changes nothing', async () => {
    const emulator = await startEmulator({ processingDelayMs: 0 });
    expect((await sandboxApi(emulator, 'POST', '', { name: 'qa', title: 'QA', type: 'development' })).status).toBe(202);
    await json(call(emulator, 'POST', `${REGISTRY}/tenant/datatypes`, { sandbox: 'qa', body: { title: 'QA Type', type: 'object', properties: { a: { type: 'string' } } } }), 201);
    const before = (await sandboxApi(emulator, 'GET', '/qa')).body;
    const preflight = await sandboxApi(emulator, 'PUT', '/qa?validationOnly=true', { action: 'reset' });
    expect(preflight.status).toBe(200);
    expect(preflight.body).toMatchObject({ name: 'qa', state: 'active' });
    expect((await sandboxApi(emulator, 'GET', '/qa')).body).toEqual(before);
    expect(await titles(emulator, 'qa', 'datatypes')).toEqual(['QA Type']);
    expect((await sandboxApi(emulator, 'PUT', '/qa?validationOnly=false', { action: 'reset' })).status).toBe(202);
    await waitUntilActive(emulator, 'qa');
    expect(await titles(emulator, 'qa', 'datatypes')).toEqual([]);
    expect(await titles(emulator, 'qa', 'schemas')).toEqual([]);
  });

  it('should refuse bad payloads, bad flags, unknown and deleted sandboxes with the Platform bodies', async () => {
    const emulator = await startEmulator({ processingDelayMs: 0 });
    const badRequest = (detail: string) => ({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail });
    const noAction = 'action is required and must be "reset"';
    for (const [body, detail] of [
      [{ action: 'delete' }, noAction],
      [{ title: 'x' }, noAction],
      [{ action: 'RESET' }, noAction],
      [['reset'], 'The request body must be a JSON object'],
      ['{not json', 'Malformed JSON in request body'],
    ] as const) {
      const res = await sandboxApi(emulator, 'PUT', '/dev', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual(badRequest(detail));
    }
    const noType = await sandboxApi(emulator, 'PUT', '/dev', JSON.stringify({ action: 'reset' }), { 'content-type': 'text/plain' });
    expect(noType.body).toEqual(badRequest('A valid content-type must be specified'));
    for (const query of ['validationOnly=yes', 'ignoreWarnings=1']) {
      const res = await sandboxApi(emulator, 'PUT', `/dev?${query}`, { action: 'reset' });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/^Invalid value for (validationOnly|ignoreWarnings): expected true or false$/);
    }
    const unknown = await sandboxApi(emulator, 'PUT', '/nope', { action: 'reset' });
    expect(unknown).toEqual({ status: 404, body: { type: '/placeholder/type/uri', status: 404, title: 'NotFoundError', detail: 'Sandbox nope was not found' } });
    await sandboxApi(emulator, 'POST', '', { name: 'gone', title: 'Gone', type: 'development' });
    const { 'x-sandbox-name': _sandbox, ...auth } = await emulator.headers();
    expect((await fetch(`${emulator.url}${SANDBOXES}/gone`, { method: 'DELETE', headers: auth })).status).toBe(202);
    expect((await sandboxApi(emulator, 'PUT', '/gone', { action: 'reset' })).status).toBe(404);
    // Nothing above reset anything.
    expect((await sandboxApi(emulator, 'GET', '/dev')).body).toMatchObject({ state: 'active', eTag: 1 });
  });

  it('should answer the documented refusals for production sandboxes whose identity graph or segments are shared', async () => {
    const emulator = await startEmulator({
      processingDelayMs: 0,
      sandboxLinks: {
        prod: ['segment-sharing'],
        cda: ['cross-device-analytics'],
        pbd: ['people-based-destinations'],
        both: ['people-based-destinations', 'cross-device-analytics'],
        shared: ['segment-sharing'],
        dev: ['cross-device-analytics'],
      },
    });
    for (const name of ['cda', 'pbd', 'both', 'shared']) {
      expect((await sandboxApi(emulator, 'POST', '', { name, title: name, type: 'production' })).status).toBe(202);
    }
    const graph = (name: string, by: string) => `Sandbox \`${name}\` cannot be reset. The identity graph hosted in this sandbox is also being used by ${by}`;
    const shape = (code: string, title: string) => ({ status: 400, title, type: `http://ns.adobe.com/aep/errors/${code}` });
    const cases: Array<[string, ReturnType<typeof shape>]> = [
      ['cda', shape('SMS-2074-400', graph('cda', 'Adobe Analytics for the Cross Device Analytics (CDA) feature.'))],
      ['pbd', shape('SMS-2075-400', graph('pbd', 'Adobe Audience Manager for the People Based Destinations (PBD) feature.'))],
      [
        'both',
        shape(
          'SMS-2076-400',
          graph('both', 'Adobe Audience Manager for the People Based Destinations (PBD) feature, as well by Adobe Analytics for the Cross Device Analytics (CDA) feature.'),
        ),
      ],
      ['shared', shape('SMS-2077-400', 'Warning: Sandbox `shared` is used for bi-directional segment sharing with Adobe Audience Manager or Audience Core Service.')],
    ];
    for (const [name, body] of cases) {
      expect(await sandboxApi(emulator, 'PUT', `/${name}`, { action: 'reset' })).toEqual({ status: 400, body });
      // The pre-flight check reports the same, and ignoreWarnings does not lift an identity-graph refusal.
      expect(await sandboxApi(emulator, 'PUT', `/${name}?validationOnly=true`, { action: 'reset' })).toEqual({ status: 400, body });
      if (name !== 'shared') expect(await sandboxApi(emulator, 'PUT', `/${name}?ignoreWarnings=true`, { action: 'reset' })).toEqual({ status: 400, body });
    }
    // ignoreWarnings lifts the segment-sharing warning, except on the default production sandbox.
    expect((await sandboxApi(emulator, 'PUT', '/shared?ignoreWarnings=true', { action: 'reset' })).status).toBe(202);
    const prod = await sandboxApi(emulator, 'PUT', '/prod?ignoreWarnings=true', { action: 'reset' });
    expect(prod.body).toEqual(shape('SMS-2077-400', 'Warning: Sandbox `prod` is used for bi-directional segment sharing with Adobe Audience Manager or Audience Core Service.'));
    // The refusals concern production sandboxes; a development sandbox resets.
    expect((await sandboxApi(emulator, 'PUT', '/dev', { action: 'reset' })).status).toBe(202);
  });

  it('should finish, at the next start, a folder removal that a stopped process recorded but did not do', async () => {
    const dataDir = tempDataDir();
    const first = await createEmulator({ dataDir });
    const orgFolder = join(dataDir, 'files', encodeURIComponent(first.settings.orgId));
    await fetchToken(first.url);
    await first.close();
    // What a process stopped right after the reset's transaction leaves behind.
    mkdirSync(join(orgFolder, 'dev', 'batches', 'old'), { recursive: true });
    writeFileSync(join(orgFolder, 'dev', 'batches', 'old', 'bytes'), 'stale');
    mkdirSync(join(orgFolder, 'prod'), { recursive: true });
    const db = new Database(join(dataDir, 'emulator.sqlite'));
    db.prepare('INSERT INTO sandbox_folder_removals (org, sandbox) VALUES (?, ?)').run(first.settings.orgId, 'dev');
    db.close();

    const second = await createEmulator({ dataDir });
    try {
      expect(existsSync(join(orgFolder, 'dev'))).toBe(false);
      expect(existsSync(join(orgFolder, 'prod'))).toBe(true);
      const check = new Database(join(dataDir, 'emulator.sqlite'), { readonly: true });
      expect(check.prepare('SELECT COUNT(*) AS n FROM sandbox_folder_removals').get()).toEqual({ n: 0 });
      check.close();
    } finally {
      await second.close();
    }
  });
});
