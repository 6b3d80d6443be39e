import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { SizeLimitError, createFileStore } from '../../../src/emulator/store/file-store.ts';

const root = mkdtempSync(join(tmpdir(), 'file-store-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const store = createFileStore(root);
const partition = { org: 'ABC@AdobeOrg', sandbox: 'prod' };

describe('file store', () => {
  it('should write a blob under the partition and read it back, whole or in part', async () => {
    const blob = store.newBlob(partition, 'BATCH', 'upload');
    expect(blob.startsWith('ABC%40AdobeOrg/prod/batches/BATCH/upload/')).toBe(true);
    expect(await store.write(Readable.from([Buffer.from('hello '), Buffer.from('world')]), blob)).toBe(11);
    expect(readFileSync(store.absolute(blob), 'utf8')).toBe('hello world');
    const chunks: Buffer[] = [];
    for await (const chunk of store.read(blob, { start: 6, end: 10 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('world');
  });

  it('should write at an offset into a blob, keeping its other bytes, and cut it to a size', async () => {
    const blob = store.newBlob(partition, 'BATCH', 'parts');
    const chunk = (byte: number, n: number) => Buffer.alloc(n, byte);
    const second = Array.from({ length: 40 }, (_, i) => chunk(i, 64 * 1024));
    const first = [chunk(0xaa, 1000)];
    const at = 1000;
    expect(await store.writeAt(Readable.from(second), blob, at, 40 * 64 * 1024)).toBe(40 * 64 * 1024);
    expect(await store.writeAt(Readable.from(first), blob, 0, 1000)).toBe(1000);
    expect(readFileSync(store.absolute(blob)).equals(Buffer.concat([...first, ...second]))).toBe(true);
    // Past its limit a write fails; what lies beyond the bytes it was given stays.
    await expect(store.writeAt(Readable.from([chunk(1, 600), chunk(1, 600)]), blob, 0, 1000)).rejects.toBeInstanceOf(SizeLimitError);
    await store.truncate(blob, 1500);
    const kept = readFileSync(store.absolute(blob));
    expect(kept.length).toBe(1500);
    expect(kept.subarray(600).equals(Buffer.concat([...first, ...second]).subarray(600, 1500))).toBe(true);
  });

  it('should leave nothing behind when the source fails or passes the limit', async () => {
    const broken = store.newBlob(partition, 'BATCH', 'upload');
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.write(failing, broken)).rejects.toThrow('connection reset');
    expect(existsSync(store.absolute(broken))).toBe(false);

    const big = store.newBlob(partition, 'BATCH', 'upload');
    await expect(store.write(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), big, 1000)).rejects.toBeInstanceOf(SizeLimitError);
    expect(existsSync(store.absolute(big))).toBe(false);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('should sweep temporary leftovers when created again on the same folder', async () => {
    const leftover = store.tempPath();
    await store.write(Readable.from([Buffer.from('x')]), store.newBlob(partition, 'OTHER', 'upload'));
    await import('node:fs/promises').then((fs) => fs.writeFile(leftover, 'half'));
    createFileStore(root);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('should remove every blob of a batch', async () => {
    const blob = store.newBlob(partition, 'GONE', 'files');
    await store.write(Readable.from([Buffer.from('x')]), blob);
    await store.removeBatch(partition, 'GONE');
    expect(existsSync(store.absolute(blob))).toBe(false);
  });
});
