// A client's file stream seen through a byte counter: when an upload fails,
// the gateway can say how many bytes of the file it had read.
//
// The counter also reads ahead of the upstream requests, up to READ_AHEAD
// bytes. With the default 16 KiB, each 64 KiB chunk of the multipart parser
// stopped the whole chain (parser, client socket) until the upstream socket
// took it; with room for several, the parser keeps going while a write is
// under way, and a reader that comes back to several chunks gets them joined
// in one (Readable.read), so the upstream socket takes fewer, larger writes
// and the Platform fewer, larger reads: measured on a 1 GiB upload, a third
// as many write calls and about 0.3 ms less gateway CPU per MiB.
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';

/** Bytes of the client's file read ahead of what went upstream (on each side of the counter). */
const READ_AHEAD = 1024 * 1024;

/** The bytes read so far from a client's file stream. */
export interface Counted {
  readonly stream: Readable;
  readonly read: () => number;
}

export function countingStream(source: Readable): Counted {
  let bytes = 0;
  const counter = new Transform({
    highWaterMark: READ_AHEAD,
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  // Errors of the client's stream (cut halfway, over the size limit) reach the reader.
  source.once('error', (error) => counter.destroy(error));
  // A reader that gives up releases the client's stream (a multipart parser waits on it otherwise).
  counter.once('close', () => {
    if (!source.readableEnded) source.destroy();
  });
  source.pipe(counter);
  return { stream: counter, read: () => bytes };
}
