// A real reverse proxy in front of the gateway, as a load balancer is: it
// forwards HTTP requests and WebSocket upgrades, and appends the address of
// its own peer to X-Forwarded-For (what nginx's $proxy_add_x_forwarded_for
// does), keeping whatever the client wrote there before. Closed in afterAll.
import { createServer, request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll } from 'vitest';

export interface ForwardingProxy {
  /** The proxy's URL with the target's path (http://127.0.0.1:<port>/graphql). */
  readonly url: string;
}

function forwardedFor(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const before = req.headers['x-forwarded-for'];
  return before ? `${String(before)}, ${peer}` : peer;
}

/** Listens on `host` (default 127.0.0.1) and forwards to `target` (a gateway URL). */
export async function startForwardingProxy(target: string, host = '127.0.0.1'): Promise<ForwardingProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host, 'x-forwarded-for': forwardedFor(req) } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  const sockets = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const toGateway = connect(Number(upstream.port), upstream.hostname, () => {
      const headers = { ...req.headers, host: upstream.host, 'x-forwarded-for': forwardedFor(req) };
      const lines = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => `${name}: ${v}`) : value === undefined ? [] : [`${name}: ${value}`]));
      toGateway.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) toGateway.write(head);
      client.pipe(toGateway).pipe(client);
    });
    for (const socket of [client, toGateway]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        toGateway.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}${upstream.pathname}` };
}
