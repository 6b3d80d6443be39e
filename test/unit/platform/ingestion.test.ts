import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PartReader, contentRange, encodeFilePath } from '../../../src/platform/ingestion.ts';
import { SCOPE, bodyBytes, headerObject, mockPlatform, type MockPlatform } from './mock-platform.ts';

const mocks: MockPlatform[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.agent.close()));
});
function setup(options: { smallFileLimit?: number; partSize?: number } = {}) {
  const mock = mockPlatform(options);
  mocks.push(mock);
  return { ...mock, ingestion: mock.client.scoped(SCOPE).ingestion };
}

const FILE = '/data/foundation/import/batches/B1/datasets/D1/files/data.json';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Deterministic bytes, sent in uneven chunks so parts never line up with chunks. */
function bytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) % 251;
  return b;
}
function chunked(b: Buffer, chunk = 7): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += chunk) parts.push(b.subarray(i, i + chunk));
  return Readable.from(parts);
}

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Accepts the large-file protocol and records each request in order. */
function acceptLarge(mock: MockPlatform): Recorded[] {
  const seen: Recorded[] = [];
  mock.platform
    .intercept({ path: (p) => p.startsWith(FILE), method: (m) => m === 'POST' || m === 'PATCH' })
    .reply(200, async (opts) => {
      const headers = headerObject(opts.headers);
      // A body the client gives up on (its source failed) reaches a server as a short read.
      seen.push({ method: opts.method, path: opts.path, headers, body: await bodyBytes(opts.body).catch(() => Buffer.alloc(0)) });
      return '';
    })
    .persist();
  return seen;
}

describe('uploadFile', () => {
  it('should PUT a file of known size within the limit in one streamed request', async () => {
    const { platform, ingestion, calls } = setup({ smallFileLimit: 100, partSize: 10 });
    const data = bytes(100);
    let got: Recorded | undefined;
    platform.intercept({ path: FILE, method: 'PUT' }).reply(200, async (opts) => {
      got = { method: 'PUT', path: opts.path, headers: headerObject(opts.headers), body: await bodyBytes(opts.body) };
      return '';
    });
    const result = await ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data), size: 100 });
    expect(result).toEqual({ fileName: 'data.json', bytes: 100, sha256: sha256(data), protocol: 'single' });
    expect(got?.body.equals(data)).toBe(true);
    expect(got?.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-length': '100' });
    expect(calls).toHaveLength(1);
  });

  it('should leave the sha256 out when the source asks for none', async () => {
    const mock = setup({ smallFileLimit: 20, partSize: 10 });
    const seen = acceptLarge(mock);
    mock.platform
      .intercept({ path: FILE, method: 'PUT' })
      .reply(200, async (opts) => {
        await bodyBytes(opts.body);
        return '';
      })
      .persist();
    const data = bytes(25);
    const large = await mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data, 3), size: 25, sha256: false });
    expect(large).toEqual({ fileName: 'data.json', bytes: 25, protocol: 'large' });
    expect(Buffer.concat(seen.filter((r) => r.method === 'PATCH').map((r) => r.body)).equals(data)).toBe(true);
    const single = await mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data.subarray(0, 15)), size: 15, sha256: false });
    expect(single).toEqual({ fileName: 'data.json', bytes: 15, protocol: 'single' });
    const unsized = await mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data.subarray(0, 5)), sha256: false });
    expect(unsized).toEqual({ fileName: 'data.json', bytes: 5, protocol: 'single' });
  });

  it('should not retry a streamed PUT', async () => {
    const { platform, ingestion, calls } = setup();
    platform.intercept({ path: FILE, method: 'PUT' }).reply(503, async (opts) => {
      await bodyBytes(opts.body);
      return '';
    });
    const stream = chunked(bytes(20));
    await expect(ingestion.uploadFile('B1', 'D1', 'data.json', { stream, size: 20 })).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);
    expect(stream.destroyed).toBe(true);
  });

  it('should split a large file into parts with exact Content-Range values and complete it', async () => {
    const mock = setup({ smallFileLimit: 20, partSize: 10 });
    const seen = acceptLarge(mock);
    const data = bytes(25);
    const result = await mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data, 3), size: 25 });
    expect(result).toEqual({ fileName: 'data.json', bytes: 25, sha256: sha256(data), protocol: 'large' });
    expect(seen.map((r) => [r.method, r.path.slice(FILE.length), r.headers['content-range']])).toEqual([
      ['POST', '?action=INITIALIZE', undefined],
      ['PATCH', '', 'bytes 0-9/25'],
      ['PATCH', '', 'bytes 10-19/25'],
      ['PATCH', '', 'bytes 20-24/25'],
      ['POST', '?action=COMPLETE', undefined],
    ]);
    expect(Buffer.concat(seen.filter((r) => r.method === 'PATCH').map((r) => r.body)).equals(data)).toBe(true);
    expect(seen.filter((r) => r.method === 'PATCH').every((r) => r.headers['content-type'] === 'application/octet-stream')).toBe(true);
  });

  it('should stream each part of a file of known size with its Content-Length, and never send a streamed part twice', async () => {
    const mock = setup({ smallFileLimit: 0, partSize: 10 });
    const data = bytes(25);
    const patches: Array<[string | undefined, string | undefined, Buffer]> = [];
    const record = (status: number) => async (opts: { headers?: unknown; body?: unknown }) => {
      const headers = headerObject(opts.headers);
      patches.push([headers['content-range'], headers['content-length'], await bodyBytes(opts.body)]);
      return status === 200 ? '' : '{"title":"unavailable"}';
    };
    mock.platform.intercept({ path: (p) => p.startsWith(FILE), method: 'POST' }).reply(201, '').persist();
    mock.platform.intercept({ path: FILE, method: 'PATCH', headers: { 'content-range': 'bytes 10-19/25' } }).reply(503, record(503)).persist();
    mock.platform.intercept({ path: FILE, method: 'PATCH' }).reply(200, record(200)).persist();
    const source = chunked(data, 4);
    await expect(mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: source, size: 25 })).rejects.toMatchObject({ status: 503 });
    expect(patches.map(([range, length]) => `${range} ${length}`)).toEqual(['bytes 0-9/25 10', 'bytes 10-19/25 10']);
    expect(Buffer.concat(patches.map(([, , body]) => body)).equals(data.subarray(0, 20))).toBe(true);
    expect(source.destroyed).toBe(true);
  });

  it('should retry a failed part of a stream of unknown size by its range and send the same bytes', async () => {
    const mock = setup({ smallFileLimit: 0, partSize: 10 });
    const data = bytes(30);
    const patches: Array<[string | undefined, Buffer, number]> = [];
    let failures = 0;
    mock.platform
      .intercept({ path: (p) => p.startsWith(FILE), method: (m) => m === 'POST' || m === 'PATCH' })
      .reply((opts) => {
        const range = headerObject(opts.headers)['content-range'];
        if (opts.method === 'PATCH') {
          const status = range === 'bytes 10-19' && failures++ < 2 ? 503 : 200;
          patches.push([range, Buffer.from(opts.body as Buffer), status]);
          return { statusCode: status, data: '' };
        }
        return { statusCode: 201, data: '' };
      })
      .persist();
    const result = await mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data) });
    expect(result.sha256).toBe(sha256(data));
    expect(patches.map(([r, , s]) => `${r} ${s}`)).toEqual([
      'bytes 0-9 200',
      'bytes 10-19 503',
      'bytes 10-19 503',
      'bytes 10-19 200',
      'bytes 20-29 200',
    ]);
    expect(patches[1]![1].equals(data.subarray(10, 20))).toBe(true);
    expect(patches[3]![1].equals(data.subarray(10, 20))).toBe(true);
  });

  it('should PUT a file of unknown size that ends within the first part, and may retry that PUT', async () => {
    const { platform, ingestion, calls } = setup({ smallFileLimit: 100, partSize: 50 });
    const data = bytes(40);
    platform.intercept({ path: FILE, method: 'PUT' }).reply(503, '');
    let got: Buffer | undefined;
    platform.intercept({ path: FILE, method: 'PUT' }).reply(200, async (opts) => {
      got = await bodyBytes(opts.body);
      return '';
    });
    const result = await ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data) });
    expect(result).toEqual({ fileName: 'data.json', bytes: 40, sha256: sha256(data), protocol: 'single' });
    expect(got?.equals(data)).toBe(true);
    expect(calls.map((c) => c.status)).toEqual([503, 200]);
  });

  it('should PUT an empty stream of unknown size as an empty file', async () => {
    const { platform, ingestion } = setup();
    platform.intercept({ path: FILE, method: 'PUT' }).reply(200, '');
    const result = await ingestion.uploadFile('B1', 'D1', 'data.json', { stream: Readable.from([]) });
    expect(result).toEqual({ fileName: 'data.json', bytes: 0, sha256: sha256(Buffer.alloc(0)), protocol: 'single' });
  });

  it('should use the large-file protocol without a total for a long stream of unknown size', async () => {
    const mock = setup({ smallFileLimit: 100, partSize: 10 });
    const seen = acceptLarge(mock);
    const data = bytes(20);
    const result = await mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(data, 4) });
    expect(result).toMatchObject({ bytes: 20, protocol: 'large', sha256: sha256(data) });
    expect(seen.filter((r) => r.method === 'PATCH').map((r) => r.headers['content-range'])).toEqual(['bytes 0-9', 'bytes 10-19']);
  });

  it('should refuse a stream that does not match its announced size', async () => {
    const mock = setup({ smallFileLimit: 5, partSize: 10 });
    const seen = acceptLarge(mock);
    await expect(mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(bytes(15)), size: 12 })).rejects.toThrow('more than the 12 bytes');
    await expect(mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: chunked(bytes(8)), size: 12 })).rejects.toThrow('ended after 8 of the 12');
    expect(seen.some((r) => r.path.endsWith('?action=COMPLETE'))).toBe(false);
  });

  it('should refuse bad file names and sizes before any call', async () => {
    const { ingestion, calls } = setup();
    for (const name of ['', '/abs', 'a/../b', 'a//b']) {
      await expect(ingestion.uploadFile('B1', 'D1', name, { stream: Readable.from([]) })).rejects.toThrow(TypeError);
    }
    await expect(ingestion.uploadFile('B1', 'D1', 'f', { stream: Readable.from([]), size: -1 })).rejects.toThrow(TypeError);
    expect(calls).toHaveLength(0);
  });

  it('should pass an error of the source stream on', async () => {
    const mock = setup({ smallFileLimit: 0, partSize: 10 });
    acceptLarge(mock);
    const failing = new Readable({
      read() {
        this.destroy(new Error('client disconnected'));
      },
    });
    await expect(mock.ingestion.uploadFile('B1', 'D1', 'data.json', { stream: failing, size: 50 })).rejects.toThrow('client disconnected');
  });

  it('should keep folders in file paths and encode each segment', () => {
    expect(encodeFilePath('part=a/b c.parquet')).toBe('part%3Da/b%20c.parquet');
    expect(contentRange(0, 10, 25)).toBe('bytes 0-9/25');
    expect(contentRange(10, 5, undefined)).toBe('bytes 10-14');
  });
});

describe('PartReader', () => {
  it('should cut a stream into parts and flag the last one', async () => {
    const reader = new PartReader(chunked(bytes(23), 5), 10);
    const parts: Array<[number, boolean]> = [];
    for (let p = await reader.next(); p; p = await reader.next()) parts.push([p.part.length, p.last]);
    expect(parts).toEqual([[10, false], [10, false], [3, true]]);
  });

  it('should flag an exact multiple correctly and skip empty chunks', async () => {
    const reader = new PartReader(Readable.from([Buffer.alloc(0), bytes(10), Buffer.alloc(0), bytes(10), Buffer.alloc(0)]), 10);
    const parts: Array<[number, boolean]> = [];
    for (let p = await reader.next(); p; p = await reader.next()) parts.push([p.part.length, p.last]);
    expect(parts).toEqual([[10, false], [10, true]]);
  });

  it('should gather parts of many chunks past 1 MiB byte-exact, part after part, in the buffer it reuses', async () => {
    const data = bytes(3.5 * 1024 * 1024);
    const reader = new PartReader(chunked(data, 64 * 1024 + 3), 1.5 * 1024 * 1024);
    const parts: Buffer[] = [];
    // A part is valid until the next call: copied here before asking for the next.
    for (let p = await reader.next(); p; p = await reader.next()) parts.push(Buffer.from(p.part));
    expect(parts.map((p) => p.length)).toEqual([1.5 * 1024 * 1024, 1.5 * 1024 * 1024, 0.5 * 1024 * 1024]);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });
});

describe('batches', () => {
  it('should create a batch with one POST and never retry it', async () => {
    const { platform, ingestion, calls } = setup();
    let sent: unknown;
    platform.intercept({ path: '/data/foundation/import/batches', method: 'POST' }).reply((opts) => {
      sent = JSON.parse(String(opts.body));
      return { statusCode: 201, data: '{"id":"01GQN56DKJF8CD5006ADAVT8TM","status":"loading","relatedObjects":[{"type":"dataSet","id":"D1"}]}' };
    });
    const batch = await ingestion.createBatch({ datasetId: 'D1', inputFormat: { format: 'json' }, enableErrorDiagnostics: true, partialIngestionPercentage: 5 });
    expect(batch).toMatchObject({ id: '01GQN56DKJF8CD5006ADAVT8TM', status: 'loading' });
    expect(sent).toEqual({ datasetId: 'D1', inputFormat: { format: 'json' }, enableErrorDiagnostics: true, partialIngestionPercent: 5 });

    platform.intercept({ path: '/data/foundation/import/batches', method: 'POST' }).reply(503, '', { headers: { 'retry-after': '1' } });
    await expect(ingestion.createBatch({ datasetId: 'D1', inputFormat: { format: 'json' } })).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect(calls).toHaveLength(2);
  });

  it('should retry COMPLETE but not ABORT', async () => {
    const { platform, ingestion, calls } = setup();
    platform.intercept({ path: '/data/foundation/import/batches/B1?action=COMPLETE', method: 'POST' }).reply(503, '');
    platform.intercept({ path: '/data/foundation/import/batches/B1?action=COMPLETE', method: 'POST' }).reply(200, '');
    await ingestion.completeBatch('B1');
    expect(calls).toHaveLength(2);
    platform.intercept({ path: '/data/foundation/import/batches/B1?action=ABORT', method: 'POST' }).reply(503, '');
    await expect(ingestion.abortBatch('B1')).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(3);
  });
});
