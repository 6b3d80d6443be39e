// A file's bytes as a stream of 1 MiB chunks read into a few buffers that are
// used over and over, for the clients of the upload benchmarks.
//
// `createReadStream` reads every MiB into a new buffer: a gigabyte of
// short-lived large objects, which V8 frees only in full collections. In the
// upload benchmark that garbage collection was the largest part of the
// client's CPU (about a third), and the client shares the two cores with the
// processes it measures. A browser sending a file makes no such garbage.
//
// Reuse is safe because a chunk is handed on only when the consumer asks for
// the next one: an HTTP client asks once the previous chunk went to the socket
// (or its write drained), so at most a chunk or two are still referenced when
// a buffer comes round again; RING leaves room for far more. The benchmarks
// check every upload by the sha256 of what the emulator stored, which a reused
// buffer overwritten too early would break.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

const CHUNK_BYTES = 1024 * 1024;
/** Buffers in turn: a chunk's buffer is read into again only this many chunks later. */
const RING = 8;

/** Bytes `start` to `end` (inclusive, as createReadStream's options) of `path`. */
export function fileChunks(path: string, start: number, end: number): Readable {
  // Made as first needed: a read of a few MiB takes only as many buffers.
  const ring: Buffer[] = [];
  async function* chunks(): AsyncGenerator<Buffer> {
    const handle = await open(path, 'r');
    try {
      let position = start;
      for (let turn = 0; position <= end; turn++) {
        const buffer = (ring[turn % RING] ??= Buffer.allocUnsafeSlow(CHUNK_BYTES));
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, end - position + 1), position);
        if (bytesRead === 0) throw new Error(`${path} ended at byte ${position}, before byte ${end}`);
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }
  // highWaterMark 0: the stream reads the next chunk only when its consumer wants one.
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 0 });
}
