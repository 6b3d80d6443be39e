// A client's file stream seen through a byte counter: when an upload fails,
// the gateway can say how many bytes of the file it had read.
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';

/** The bytes read so far from a client's file stream. */
export interface Counted {
  readonly stream: Readable;
  readonly read: () => number;
}

export function countingStream(source: Readable): Counted {
  let bytes = 0;
  const counter = new Transform({
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
