// How the WebSocket transport writes protocol messages: those of one turn of
// the event loop leave in one write; past the high-water mark a send waits.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sendOn } from '../../../src/gateway/graphql-ws-transport.ts';

/** A TCP stream stand-in that records each write it is asked to make. */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      writes.push([String(chunk)]);
      callback();
    },
    writev(chunks, callback) {
      writes.push(chunks.map(({ chunk }) => String(chunk)));
      callback();
    },
  });
  return { stream, writes };
}

/** Frames as ws does (a header and the payload, corked together); the test calls a send's callback when it wants the write done. */
function framingSocket(stream: Writable, bufferedAmount = 0) {
  const callbacks: Array<(error?: Error) => void> = [];
  return {
    OPEN: 1 as const,
    readyState: 1 as const,
    bufferedAmount,
    callbacks,
    send(data: unknown, callback?: (error?: Error) => void) {
      if (callback) callbacks.push(callback);
      stream.cork();
      stream.write('<frame>');
      stream.write(String(data));
      stream.uncork();
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('sendOn', () => {
  it('should write the messages of one turn in one write', async () => {
    const { stream, writes } = recordingStream();
    const socket = framingSocket(stream);
    await sendOn(socket as never, stream, 'next');
    await sendOn(socket as never, stream, 'complete');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([['<frame>', 'next', '<frame>', 'complete']]);
    await sendOn(socket as never, stream, 'later');
    await nextTurn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toEqual(['<frame>', 'later']);
  });

  it('should make a send wait for its write once the socket holds more than the high-water mark', async () => {
    const { stream } = recordingStream();
    const socket = framingSocket(stream, 128 * 1024);
    let sent = false;
    const sending = sendOn(socket as never, stream, 'next').then(() => (sent = true));
    await nextTurn();
    expect(sent).toBe(false);
    socket.callbacks[0]!();
    await sending;
    expect(sent).toBe(true);
  });

  it('should drop a message for a socket that is no longer open', async () => {
    const { stream, writes } = recordingStream();
    const socket = { ...framingSocket(stream), readyState: 3 };
    await sendOn(socket as never, stream, 'next');
    await nextTurn();
    expect(writes).toEqual([]);
  });
});
