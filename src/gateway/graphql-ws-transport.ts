// graphql-ws's protocol server (makeServer) on `ws` sockets: what
// graphql-ws/use/ws does, built to keep an idle connection small.
//
// - The HTTP upgrade request is not kept: a connection's `extra` holds only
//   its socket and the two fields of the request its client address is read
//   from (headers come from connectionParams), so the IncomingMessage,
//   its header maps and stream state are freed once the upgrade is done.
// - One keep-alive timer for the whole server, not an interval and a pong
//   timeout per socket: every `keepAliveMs` each socket that answered the
//   last ping is pinged again, and one that did not is dropped. A client is
//   still dropped `keepAliveMs` after a ping it leaves unanswered.
// - No per-message compression: zlib contexts cost hundreds of KB per socket,
//   and the messages are small JSON.
// - Messages over `maxPayloadBytes` close the socket (1009) before they are buffered whole.
// - What one turn of the event loop sends on a socket leaves in one write: a
//   status change fans out to thousands of sockets at once, and a system call
//   per message is most of what a delivery costs. A batch's last event and the
//   `complete` after it then cost one write, not two. A send resolves at once
//   while the socket's buffer is small, so the next message of the turn can
//   join it; past SEND_HIGH_WATER_BYTES it waits for the write, so a client
//   that does not read holds its stream back instead of filling memory.
import type { Server as HttpServer } from 'node:http';
import type { Writable } from 'node:stream';
import { CloseCode, handleProtocols } from 'graphql-ws';
import type { Server as ProtocolServer } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { peerOf } from './client-address.ts';
import type { ClientPeer } from './client-address.ts';

/** What every connection's graphql-ws context carries in `extra`. */
export interface SocketExtra {
  readonly socket: WebSocket;
  /** The upgrade request's peer address and X-Forwarded-For: what the per-client rate limit needs of the request. */
  readonly peer: ClientPeer;
}

export interface GraphqlWsTransportOptions {
  readonly httpServer: HttpServer;
  readonly path: string;
  readonly protocolServer: ProtocolServer<SocketExtra>;
  /** Ping interval; 0 turns pings off. */
  readonly keepAliveMs: number;
  /** Largest message a client may send. */
  readonly maxPayloadBytes: number;
  readonly logger?: Logger;
}

export interface GraphqlWsTransport {
  /** Open sockets. */
  readonly connections: number;
  /** Closes every socket (1001) and the WebSocket server. */
  dispose(): Promise<void>;
}

/** Bytes a socket may have waiting to be written before a send waits for its write. */
const SEND_HIGH_WATER_BYTES = 64 * 1024;

function uncork(stream: Writable): void {
  stream.uncork();
}

/** Holds the socket's writes until the current turn's callbacks and promise reactions have run. */
function corkForThisTurn(stream: Writable): void {
  if (stream.writableCorked > 0) return;
  stream.cork();
  process.nextTick(uncork, stream);
}

/** Sends one protocol message on `socket`, whose TCP stream is `stream` (exported for its tests). */
export function sendOn(socket: Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send'>, stream: Writable, data: string): Promise<void> {
  if (socket.readyState !== socket.OPEN) return Promise.resolve();
  corkForThisTurn(stream);
  if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) {
    // A failed write surfaces as the socket's error and close, which end its subscriptions.
    socket.send(data);
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve())));
}

/** Reasons in close frames are limited to 123 bytes. */
function closeReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return Buffer.byteLength(message) > 123 ? 'Internal server error' : message;
}

export function serveGraphqlWs(options: GraphqlWsTransportOptions): GraphqlWsTransport {
  const { protocolServer, logger } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    handleProtocols,
    perMessageDeflate: false,
    maxPayload: options.maxPayloadBytes,
  });
  // Sockets pinged and not answered yet; a socket still here at the next tick is dropped.
  const awaitingPong = new WeakSet<WebSocket>();
  const markAlive = function (this: WebSocket) {
    awaitingPong.delete(this);
  };

  const keepAlive =
    options.keepAliveMs > 0 && Number.isFinite(options.keepAliveMs)
      ? setInterval(() => {
          for (const socket of wsServer.clients) {
            if (socket.readyState !== socket.OPEN) continue;
            if (awaitingPong.has(socket)) {
              socket.terminate();
              continue;
            }
            awaitingPong.add(socket);
            socket.ping();
          }
        }, options.keepAliveMs)
      : undefined;
  keepAlive?.unref();

  wsServer.on('error', (error) => {
    logger?.error({ err: error }, 'websocket server error');
    for (const socket of wsServer.clients) socket.close(CloseCode.InternalServerError, closeReason(error));
  });

  wsServer.on('connection', (socket, request) => {
    // `on`, not `once`: each once() wrapper costs a bound function and its state per socket, and both events come once.
    socket.on('error', (error) => {
      logger?.warn({ err: error }, 'websocket error');
      socket.close(CloseCode.InternalServerError, closeReason(error));
    });
    socket.on('pong', markAlive);
    // The connection's TCP socket, which ws writes every frame to.
    const stream = request.socket;
    const closed = protocolServer.opened(
      {
        protocol: socket.protocol,
        send: (data) => sendOn(socket, stream, data),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              logger?.error({ err: error }, 'websocket message handling failed');
              socket.close(CloseCode.InternalServerError, closeReason(error));
            });
          }),
      },
      { socket, peer: peerOf(request) },
    );
    socket.on('close', (code, reason) => {
      closed(code, String(reason)).catch((error: unknown) => logger?.error({ err: error }, 'websocket close handling failed'));
    });
  });

  return {
    get connections() {
      return wsServer.clients.size;
    },
    async dispose() {
      clearInterval(keepAlive);
      for (const socket of wsServer.clients) socket.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
