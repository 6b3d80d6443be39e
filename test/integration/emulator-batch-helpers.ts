// Plain-HTTP helpers for the Catalog / import / export suites: each call is
// what a client of the Platform would send, with undici and nothing else.
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { expect } from 'vitest';
import type { TestEmulator } from '../helpers/start-emulator.ts';

export const CATALOG = '/data/foundation/catalog';
export const IMPORT = '/data/foundation/import';
export const EXPORT = '/data/foundation/export';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): unknown;
}

export async function call(
  emulator: TestEmulator,
  method: Dispatcher.HttpMethod,
  path: string,
  options: { body?: string | Buffer | Uint8Array | object; headers?: Record<string, string>; sandbox?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(await emulator.headers(options.sandbox)), ...options.headers };
  let body: string | Buffer | Uint8Array | undefined;
  if (options.body instanceof Uint8Array || typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await request(`${emulator.url}${path}`, { method, headers, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return {
    status: res.statusCode,
    headers: res.headers,
    body: bytes,
    json: () => JSON.parse(bytes.toString('utf8')) as unknown,
  };
}

export async function json<T = Record<string, unknown>>(reply: Promise<Reply> | Reply, status = 200): Promise<T> {
  const r = await reply;
  if (r.status !== status) expect.fail(`expected ${status}, got ${r.status}: ${r.body.toString('utf8')}`);
  return r.json() as T;
}

/** The seeded Loyalty Members schema's `$id`, looked up as a client would. */
export async function loyaltySchemaId(emulator: TestEmulator, sandbox?: string): Promise<string> {
  const list = await json<{ results: Array<{ $id: string; title: string }> }>(
    call(emulator, 'GET', '/data/foundation/schemaregistry/tenant/schemas', { headers: { accept: 'application/vnd.adobe.xed-id+json' }, ...(sandbox ? { sandbox } : {}) }),
  );
  const found = list.results.find((s) => s.title === 'Loyalty Members');
  if (!found) expect.fail('the seeded Loyalty Members schema is missing');
  return found.$id;
}

export async function createDataset(emulator: TestEmulator, schemaId: string, name = 'Loyalty Members Dataset', extra: object = {}): Promise<string> {
  const refs = await json<string[]>(
    call(emulator, 'POST', `${CATALOG}/dataSets`, {
      body: { name, schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' }, ...extra },
    }),
    201,
  );
  return refs[0]!.replace('@/dataSets/', '');
}

export async function createBatch(emulator: TestEmulator, datasetId: string, extra: object = {}): Promise<string> {
  const batch = await json<{ id: string }>(
    call(emulator, 'POST', `${IMPORT}/batches`, { body: { datasetId, inputFormat: { format: 'json' }, ...extra } }),
    201,
  );
  return batch.id;
}

export async function upload(emulator: TestEmulator, batchId: string, datasetId: string, name: string, bytes: Uint8Array | string): Promise<Reply> {
  return call(emulator, 'PUT', `${IMPORT}/batches/${batchId}/datasets/${datasetId}/files/${name}`, {
    body: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
}

export async function complete(emulator: TestEmulator, batchId: string): Promise<void> {
  const r = await call(emulator, 'POST', `${IMPORT}/batches/${batchId}?action=COMPLETE`);
  expect(r.status).toBe(200);
}

export type BatchBody = {
  status: string;
  errors?: Array<{ code: string; description: string; recordCount?: number }>;
  metrics?: Record<string, unknown>;
  recordCount?: number;
  failedRecordCount?: number;
  [key: string]: unknown;
};

/** Polls `GET /catalog/batches/{id}` until the batch reaches a terminal status; returns every status seen on the way. */
export async function waitForBatch(emulator: TestEmulator, batchId: string, sandbox?: string): Promise<{ batch: BatchBody; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 600; i++) {
    const keyed = await json<Record<string, BatchBody>>(call(emulator, 'GET', `${CATALOG}/batches/${batchId}`, sandbox ? { sandbox } : {}));
    const batch = keyed[batchId];
    if (!batch) expect.fail(`batch ${batchId} is not listed`);
    if (seen[seen.length - 1] !== batch.status) seen.push(batch.status);
    if (['success', 'failed', 'aborted', 'deleted'].includes(batch.status)) return { batch, seen };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return expect.fail(`batch ${batchId} never finished`);
}

/** Rows as JSON would spell them: nulls dropped, bigints as numbers, dates as ISO text (a date alone when at midnight). */
export function plainRow(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return value.map(plainRow);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const plain = plainRow(v);
      if (plain !== undefined) out[k] = plain;
    }
    return out;
  }
  return value;
}
