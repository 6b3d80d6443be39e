// ByteSlices: consecutive slices of one stream, each the body of one request.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteSlices, SizeMismatchError } from '../../../src/platform/byte-slices.ts';

const KIB = 1024;

/** `count` chunks of `size` bytes, chunk i filled with i. */
function chunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, i));
}

async function collect(slice: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of slice) out.push(piece);
  return out;
}

describe('ByteSlices', () => {
  it('should hand the small pieces of a parser on in writes of at least 256 KiB, cut at the slice edges, bytes in order', async () => {
    const input = chunks(24, 64 * KIB);
    const whole = Buffer.concat(input);
    const seen: number[] = [];
    const slices = new ByteSlices(Readable.from(input), whole.length, (chunk) => seen.push(chunk.length));
    // 600 KiB, then the remaining 936 KiB.
    const first = await collect(slices.take(600 * KIB, false));
    slices.confirm(600 * KIB);
    const second = await collect(slices.take(whole.length - 600 * KIB, true));
    slices.confirm(whole.length);
    expect(first.map((p) => p.length)).toEqual([256 * KIB, 256 * KIB, 88 * KIB]);
    // The 40 KiB left of the chunk cut at 600 KiB, and whole chunks until 256 KiB are reached.
    expect(second.map((p) => p.length)).toEqual([296 * KIB, 256 * KIB, 256 * KIB, 128 * KIB]);
    expect(Buffer.concat([...first, ...second]).equals(whole)).toBe(true);
    // The observer sees every byte once, in the source's own pieces.
    expect(seen.reduce((a, b) => a + b, 0)).toBe(whole.length);
  });

  it('should pass a large chunk on as it is', async () => {
    const big = Buffer.alloc(1024 * KIB, 7);
    const slices = new ByteSlices(Readable.from([big]), big.length, () => undefined);
    const pieces = await collect(slices.take(big.length, true));
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.buffer).toBe(big.buffer);
  });

  it('should fail a last slice whose source is longer or shorter than announced', async () => {
    const longer = new ByteSlices(Readable.from(chunks(5, 64 * KIB)), 4 * 64 * KIB, () => undefined);
    await expect(collect(longer.take(4 * 64 * KIB, true))).rejects.toBeInstanceOf(SizeMismatchError);
    expect(() => longer.confirm(4 * 64 * KIB)).toThrow(SizeMismatchError);
    const shorter = new ByteSlices(Readable.from(chunks(3, 64 * KIB)), 4 * 64 * KIB, () => undefined);
    await expect(collect(shorter.take(4 * 64 * KIB, true))).rejects.toThrow(/ended after 196608 of the 262144 bytes/);
  });
});
