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
import type { Server as HttpServer } from 'node:http';
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
    const closed = protocolServer.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
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
