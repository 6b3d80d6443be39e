// Consecutive byte ranges of one stream, each read straight from it as the
// body of one request. With the size known up front, a file goes to the
// Platform without the gateway holding it: one PUT, or one PATCH per part of
// the large-file protocol, each fed from the source as its bytes arrive.
import type { Readable } from 'node:stream';

export function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('upload streams must produce bytes');
}

/**
 * Bytes gathered before they go upstream in one write. The multipart parser
 * hands the file over in pieces of up to 64 KiB as the client's socket
 * delivers them; sent one by one, each is a write of its own here and, when
 * the Platform reads faster than the gateway forwards, a wake-up and a small
 * read of its own there.
 */
const COALESCE_BYTES = 256 * 1024;

/** The source delivered another number of bytes than the size announced for it. */
export class SizeMismatchError extends RangeError {}

export class ByteSlices {
  private readonly iterator: AsyncIterator<unknown>;
  private pending: Buffer | null = null;
  private ended = false;
  /** Bytes handed out so far, over all slices. */
  offset = 0;
  /** Why a slice stopped short (the source failed, or had another size than announced). */
  private failure: unknown = null;

  /** `announced` is the source's size, for the messages; `observe` sees every byte handed out, in order (hash, count). */
  constructor(
    source: Readable | AsyncIterable<unknown>,
    private readonly announced: number,
    private readonly observe: (chunk: Buffer) => void,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next non-empty chunk, or null at the end. The shared iterator is only ever advanced, never closed, so one slice given up leaves the source to the caller. */
  private async pull(): Promise<Buffer | null> {
    if (this.pending) {
      const chunk = this.pending;
      this.pending = null;
      return chunk;
    }
    while (!this.ended) {
      const result = await this.iterator.next();
      if (result.done) this.ended = true;
      else {
        const chunk = toBuffer(result.value);
        if (chunk.length > 0) return chunk;
      }
    }
    return null;
  }

  /**
   * The next `length` bytes, as they arrive: the source's chunks, cut at
   * the edges, small ones joined until COALESCE_BYTES are gathered (a
   * chunk that size, with nothing gathered before it, goes on without a
   * copy). Fails when the source ends first. With `last`, the
   * final chunk is held back until the source is seen to end, so a source
   * longer than announced fails the request before its last byte is sent
   * rather than leaving a whole-looking file upstream. Read each slice to its
   * end before taking the next.
   */
  async *take(length: number, last: boolean): AsyncGenerator<Buffer> {
    try {
      yield* this.slice(length, last);
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  private async *slice(length: number, last: boolean): AsyncGenerator<Buffer> {
    let left = length;
    const gathered: Buffer[] = [];
    let gatheredBytes = 0;
    while (left > 0) {
      let chunk = await this.pull();
      if (!chunk) throw new SizeMismatchError(`The upload stream ended after ${this.offset} of the ${this.announced} bytes announced`);
      if (chunk.length > left) {
        this.pending = chunk.subarray(left);
        chunk = chunk.subarray(0, left);
      }
      left -= chunk.length;
      if (left === 0 && last) await this.requireEnd();
      this.offset += chunk.length;
      this.observe(chunk);
      gathered.push(chunk);
      gatheredBytes += chunk.length;
      if (gatheredBytes >= COALESCE_BYTES || left === 0) {
        yield gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
        gathered.length = 0;
        gatheredBytes = 0;
      }
    }
    if (length === 0 && last) await this.requireEnd();
  }

  private async requireEnd(): Promise<void> {
    const extra = await this.pull();
    if (extra) {
      this.pending = extra;
      throw new SizeMismatchError(`The upload stream has more than the ${this.announced} bytes announced`);
    }
  }

  /**
   * After the request that carried a slice was answered: the slice must
   * have been sent whole. A 2xx answer does not prove it (a server may answer
   * before reading the body), so a slice that failed or stopped short fails
   * the upload here too.
   */
  confirm(end: number): void {
    if (this.failure !== null) throw this.failure;
    if (this.offset !== end) throw new SizeMismatchError(`The Platform answered before it received bytes ${this.offset}-${end - 1} of ${this.announced}`);
  }
}
