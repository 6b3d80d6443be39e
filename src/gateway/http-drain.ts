// How the HTTP server stops (graceful shutdown), as an Apollo plugin whose
// drainServer Apollo runs in stop().
//
// From the signal on, the request handler refuses new requests with 503
// SHUTTING_DOWN, Retry-After and Connection: close. The listener stays open
// while the requests that were running finish, so that a request arriving
// meanwhile gets that clear answer (a load balancer sends it elsewhere)
// rather than a refused connection; once they have finished, or at the
// deadline (SHUTDOWN_TIMEOUT_MS from the signal), the listener closes, idle
// keep-alive connections are closed, and at the deadline whatever still runs
// (an upload that would not finish) has its connection cut.
//
// In place of Apollo's ApolloServerPluginDrainHttpServer, which closes the
// listener at once: new connections are then refused while uploads finish.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';

export interface HttpDrainOptions {
  readonly httpServer: Server;
  /** When running requests are cut off (epoch ms), read when the drain starts. */
  readonly deadline: () => number;
}

/** Resolves when every response has closed, or at the deadline, whichever comes first. */
async function closedOrDeadline(responses: readonly ServerResponse[], deadline: number): Promise<void> {
  const open = responses.filter((res) => !res.closed);
  if (open.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(open.map((res) => new Promise((resolve) => res.once('close', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
  ]);
  clearTimeout(timer);
}

export function httpDrainPlugin(options: HttpDrainOptions): ApolloServerPlugin {
  const { httpServer } = options;
  const running = new Set<ServerResponse>();
  // Every socket, upgraded ones included: at the deadline none may keep the process up.
  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  httpServer.on('request', (_req, res: ServerResponse) => {
    running.add(res);
    res.once('close', () => running.delete(res));
  });

  async function drain(): Promise<void> {
    const deadline = options.deadline();
    // Requests arriving from now on are answered 503 at once; those already running are waited for.
    await closedOrDeadline([...running], deadline);
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    const cut = setTimeout(
      () => {
        httpServer.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      },
      Math.max(0, deadline - Date.now()),
    );
    await closed;
    clearTimeout(cut);
  }

  return {
    async serverWillStart() {
      return { drainServer: drain };
    },
  };
}
