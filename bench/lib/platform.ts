// The emulator as a separate process, and the REST calls the benchmarks make
// to it directly: IMS token, the four Platform headers, datasets, batches,
// uploads and the request counters of /__emulator (with --faults).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { fileChunks } from './file-chunks.ts';
import { CLI, WORK_DIR } from './paths.ts';
import { cpuProfileArgs, spawnService } from './proc.ts';
import type { Service } from './proc.ts';

export const LOCAL = {
  clientId: 'aep-local',
  clientSecret: 'aep-local-secret',
  orgId: '0DEC0DE0000000000000000A@AdobeOrg',
  sandbox: 'prod',
} as const;

export const IMS_SCOPE = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';

export interface EmulatorProcess extends Service {
  readonly dataDir: string;
  /** Authorization, x-api-key, x-gw-ims-org-id, x-sandbox-name. */
  readonly headers: Readonly<Record<string, string>>;
  readonly token: string;
  /** Per-route request counts (needs `faults: true`). */
  counters(): Promise<Record<string, number>>;
  resetCounters(): Promise<void>;
  /** Stops the process and removes its data folder. */
  close(): Promise<void>;
}

export interface EmulatorProcessOptions {
  readonly faults?: boolean;
  readonly processingDelayMs?: number;
  readonly smallFileLimit?: number;
  readonly name?: string;
  /**
   * Runs the process under `nice -n <niceness>` (every thread of it), where it
   * stands in for a Platform that runs elsewhere and must not take the cores
   * from the process being measured. @default 0
   */
  readonly niceness?: number;
}

export async function fetchToken(url: string): Promise<string> {
  const res = await fetch(`${url}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: LOCAL.clientId, client_secret: LOCAL.clientSecret, scope: IMS_SCOPE }),
  });
  if (res.status !== 200) throw new Error(`IMS answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

let emulatorSeq = 0;

/** `aep-graphql emulator` in its own process, on a free port, with a fresh data folder under bench/.work. */
export async function startEmulatorProcess(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  const dataDir = join(WORK_DIR, `emulator-${process.pid}-${++emulatorSeq}`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  // BENCH_EMULATOR_CPU_PROF_DIR: the emulator process writes a V8 CPU profile there when it exits (`--cpu-prof`).
  const args = [...cpuProfileArgs(process.env.BENCH_EMULATOR_CPU_PROF_DIR), CLI, 'emulator', '--port', '0', '--data-dir', dataDir];
  if (options.faults) args.push('--faults');
  if (options.processingDelayMs !== undefined) args.push('--processing-delay-ms', String(options.processingDelayMs));
  if (options.smallFileLimit !== undefined) args.push('--small-file-limit', String(options.smallFileLimit));
  const niceness = options.niceness ?? 0;
  const [command, commandArgs] = niceness === 0 ? [process.execPath, args] : ['nice', ['-n', String(niceness), process.execPath, ...args]];
  const service = await spawnService(options.name ?? 'emulator', command, commandArgs, { env: { NODE_ENV: 'production' } });
  try {
    const token = await fetchToken(service.url);
    const headers = {
      authorization: `Bearer ${token}`,
      'x-api-key': LOCAL.clientId,
      'x-gw-ims-org-id': LOCAL.orgId,
      'x-sandbox-name': LOCAL.sandbox,
    };
    return Object.assign(Object.create(null) as object, service, {
      dataDir,
      token,
      headers,
      async counters() {
        const res = await fetch(`${service.url}/__emulator/counters`);
        if (res.status !== 200) throw new Error(`counters: ${res.status} (start the emulator with faults: true)`);
        return ((await res.json()) as { counters: Record<string, number> }).counters;
      },
      async resetCounters() {
        const res = await fetch(`${service.url}/__emulator/counters`, { method: 'DELETE' });
        if (res.status !== 204) throw new Error(`reset counters: ${res.status}`);
      },
      async close() {
        await service.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    }) as EmulatorProcess;
  } catch (error) {
    await service.stop();
    throw error;
  }
}

/**
 * The sha256 and size of what the emulator stored for an uploaded (not yet
 * completed) file, read from its data folder: the bytes as they landed.
 */
export async function storedUploadDigest(dataDir: string, batchId: string, name: string): Promise<{ sha256: string; size: number }> {
  const db = new Database(join(dataDir, 'emulator.sqlite'), { readonly: true, fileMustExist: true });
  let row: { blob: string; size: number } | undefined;
  try {
    row = db.prepare<unknown[], { blob: string; size: number }>("SELECT blob, size FROM batch_files WHERE batch_id = ? AND area = 'upload' AND name = ?").get(batchId, name);
  } finally {
    db.close();
  }
  if (!row) throw new Error(`the emulator has no stored upload ${name} in batch ${batchId}`);
  const hash = createHash('sha256');
  await pipeline(createReadStream(join(dataDir, 'files', row.blob)), hash);
  return { sha256: hash.digest('hex'), size: row.size };
}

/** Sum of the counters whose key matches `pattern` ('GET /data/foundation/catalog/dataSets/:id'). */
export function countMatching(counters: Record<string, number>, pattern: RegExp): number {
  return Object.entries(counters).reduce((sum, [key, n]) => (pattern.test(key) ? sum + n : sum), 0);
}

/** Counters minus IMS and the emulator's own admin routes: the Platform calls. */
export function platformCalls(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).filter(([key]) => !key.includes('/__emulator/') && !key.includes('/ims/')));
}

export class RestClient {
  constructor(
    readonly baseUrl: string,
    readonly headers: Readonly<Record<string, string>>,
  ) {}

  async json<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** The seeded Loyalty Members schema: its $id and title. */
  async loyaltySchema(): Promise<{ id: string; title: string }> {
    const list = await this.json<{ results: Array<{ $id: string; title: string }> }>('GET', '/data/foundation/schemaregistry/tenant/schemas', undefined, {
      accept: 'application/vnd.adobe.xed-id+json',
    });
    const found = list.results.find((s) => s.title === 'Loyalty Members');
    if (!found) throw new Error('the Loyalty Members schema is not seeded');
    return { id: found.$id, title: found.title };
  }

  /** A tenant schema on XDM Individual Profile with a given title; returns its $id. */
  async createSchema(title: string): Promise<string> {
    const created = await this.json<{ $id: string }>('POST', '/data/foundation/schemaregistry/tenant/schemas', {
      title,
      description: `Benchmark schema ${title}`,
      type: 'object',
      allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/profile' }],
    });
    return created.$id;
  }

  async createDataset(name: string, schemaId: string, format = 'parquet'): Promise<string> {
    const created = await this.json<string[]>('POST', '/data/foundation/catalog/dataSets', {
      name,
      schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
      fileDescription: { persisted: true, containerFormat: 'parquet', format },
    });
    const ref = created[0] ?? '';
    return ref.slice(ref.lastIndexOf('/') + 1);
  }

  async createBatch(datasetId: string, format: string, extra: Record<string, unknown> = {}): Promise<string> {
    const batch = await this.json<{ id: string }>('POST', '/data/foundation/import/batches', { datasetId, inputFormat: { format }, ...extra });
    return batch.id;
  }

  async completeBatch(batchId: string): Promise<void> {
    await this.json('POST', `/data/foundation/import/batches/${encodeURIComponent(batchId)}?action=COMPLETE`);
  }

  async batch(batchId: string): Promise<Record<string, unknown> & { status: string; updated: number }> {
    const keyed = await this.json<Record<string, Record<string, unknown> & { status: string; updated: number }>>('GET', `/data/foundation/catalog/batches/${encodeURIComponent(batchId)}`);
    const found = keyed[batchId] ?? Object.values(keyed)[0];
    if (!found) throw new Error(`batch ${batchId} not found`);
    return found;
  }

  async tenantId(): Promise<string> {
    const stats = await this.json<{ tenantId: string }>('GET', '/data/foundation/schemaregistry/stats', undefined, { accept: 'application/vnd.adobe.xed+json' });
    return stats.tenantId;
  }

  private filePath(batchId: string, datasetId: string, name: string): string {
    return `/data/foundation/import/batches/${encodeURIComponent(batchId)}/datasets/${encodeURIComponent(datasetId)}/files/${encodeURIComponent(name)}`;
  }

  private async send(method: string, path: string, body: Readable | null, extra: Record<string, string> = {}): Promise<number> {
    const res = await request(`${this.baseUrl}${path}`, {
      method: method as 'PUT',
      headers: { ...this.headers, ...(body ? { 'content-type': 'application/octet-stream' } : {}), ...extra },
      body,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    return res.statusCode;
  }

  /**
   * Uploads `size` bytes from `open(start, end)` (inclusive range) as `name`:
   * one streamed PUT up to `smallFileLimit`, else the large-file protocol
   * (INITIALIZE, PATCH parts of `partSize` with Content-Range, COMPLETE).
   */
  async uploadFile(batchId: string, datasetId: string, name: string, size: number, open: (start: number, end: number) => Readable, smallFileLimit: number, partSize = 64 * 1024 * 1024): Promise<void> {
    const path = this.filePath(batchId, datasetId, name);
    if (size <= smallFileLimit) {
      await this.send('PUT', path, open(0, size - 1), { 'content-length': String(size) });
      return;
    }
    await this.send('POST', `${path}?action=INITIALIZE`, null);
    for (let first = 0; first < size; first += partSize) {
      const last = Math.min(size, first + partSize) - 1;
      await this.send('PATCH', path, open(first, last), { 'content-range': `bytes ${first}-${last}/${size}`, 'content-length': String(last - first + 1) });
    }
    await this.send('POST', `${path}?action=COMPLETE`, null);
  }

  /** Uploads a file from disk (see uploadFile), read 1 MiB at a time into reused buffers (file-chunks.ts). */
  uploadPath(batchId: string, datasetId: string, name: string, file: string, size: number, smallFileLimit: number): Promise<void> {
    return this.uploadFile(batchId, datasetId, name, size, (start, end) => fileChunks(file, start, end), smallFileLimit);
  }

  /** Polls the batch until a terminal status. */
  async waitForBatch(batchId: string, timeoutMs = 600_000, intervalMs = 100): Promise<Record<string, unknown> & { status: string; updated: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const batch = await this.batch(batchId);
      if (['success', 'active', 'failed', 'failure', 'aborted', 'inactive', 'deleted'].includes(batch.status)) return batch;
      if (Date.now() > deadline) throw new Error(`batch ${batchId} still ${batch.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
