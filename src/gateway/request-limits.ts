// Request limits around the GraphQL endpoint, before any GraphQL work: how
// long a client may take to send its request (slow clients hold sockets and
// memory), and how many requests one client may send per minute.
//
// - Timeouts: node's own `headersTimeout` for the headers; then a deadline for
//   the body, REQUEST_TIMEOUT_MS for JSON and UPLOAD_TIMEOUT_MS for multipart
//   uploads (node's `requestTimeout` is one figure per server, so it is set to
//   the longer one as a backstop and the shorter one is enforced here).
// - Rate limit: RATE_LIMIT_PER_MINUTE per client (client-rate-limit.ts: its
//   configured gateway key, else its address with TRUST_PROXY), one budget
//   for HTTP and WebSocket. Refusals over HTTP are 429 with Retry-After and a
//   GraphQL error with code RATE_LIMITED; the WebSocket path's are in
//   websocket-rate-limit.ts.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { peerOf, TRUST_NO_PROXY } from './client-address.ts';
import type { TrustProxy } from './client-address.ts';
import { createClientRateLimit } from './client-rate-limit.ts';
import type { GatewayConfig } from './config.ts';
import { createWebSocketAdmission } from './websocket-rate-limit.ts';
import type { WebSocketAdmission } from './websocket-rate-limit.ts';

export interface RequestLimitsOptions {
  readonly rateLimitPerMinute: number;
  /** The keys that get a bucket of their own (the configured gateway API keys). */
  readonly clientKeys: readonly string[];
  /** Whose X-Forwarded-For is believed for the client address. @default no proxy */
  readonly trustProxy?: TrustProxy;
  readonly requestTimeoutMs: number;
  readonly uploadTimeoutMs: number;
  readonly headersTimeoutMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RequestLimits {
  /**
   * Applies the rate limit and starts the body deadline of a GraphQL request.
   * Returns false when it has already answered (429).
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** True for a request the body deadline cut off: its handler's failure is expected, not a fault. */
  wasCutOff(req: IncomingMessage): boolean;
  /** Sets node's own slow-client timeouts on the server. */
  configure(server: Server): void;
  /** The same per-client budget for WebSocket connection attempts and subscribe messages. */
  readonly webSocket: WebSocketAdmission;
}

function sendRefusal(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function isMultipart(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

export function createRequestLimits(options: RequestLimitsOptions): RequestLimits {
  const rateLimit = createClientRateLimit({
    perMinute: options.rateLimitPerMinute,
    clientKeys: options.clientKeys,
    trustProxy: options.trustProxy ?? TRUST_NO_PROXY,
    ...(options.now ? { now: options.now } : {}),
  });
  const cutOff = new WeakSet<IncomingMessage>();

  function startDeadline(req: IncomingMessage, res: ServerResponse): void {
    if (req.complete || req.method === 'GET' || req.method === 'HEAD') return;
    const upload = isMultipart(req);
    const ms = upload ? options.uploadTimeoutMs : options.requestTimeoutMs;
    const timer = setTimeout(() => {
      if (req.complete) return;
      cutOff.add(req);
      const variable = upload ? 'UPLOAD_TIMEOUT_MS' : 'REQUEST_TIMEOUT_MS';
      if (!res.headersSent) {
        const body = { errors: [{ message: `The request did not arrive within ${ms} ms (${variable})`, extensions: { code: 'BAD_REQUEST' } }] };
        sendRefusal(res, 408, body, { connection: 'close' });
        res.once('finish', () => req.socket.destroy());
      } else req.socket.destroy();
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    res.once('close', clear);
  }

  return {
    admit(req, res) {
      if (rateLimit.enabled) {
        const decision = rateLimit.take(req.headers, peerOf(req));
        if (!decision.allowed) {
          const body = {
            errors: [{ message: `Too many requests: the limit is ${options.rateLimitPerMinute} per minute; retry in ${decision.retryAfterSeconds} s`, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds } }],
          };
          // The body of a refused request is not read; closing the connection spares reading it.
          sendRefusal(res, 429, body, { 'retry-after': String(decision.retryAfterSeconds), ...(req.complete ? {} : { connection: 'close' }) });
          return false;
        }
      }
      startDeadline(req, res);
      return true;
    },
    wasCutOff: (req) => cutOff.has(req),
    configure(server) {
      server.headersTimeout = options.headersTimeoutMs;
      // Node's own deadline for a whole request, the longest we allow; JSON bodies get a shorter one in admit().
      server.requestTimeout = options.uploadTimeoutMs;
    },
    webSocket: createWebSocketAdmission(rateLimit),
  };
}

export function requestLimitsFromConfig(config: GatewayConfig): RequestLimitsOptions {
  return {
    rateLimitPerMinute: config.rateLimitPerMinute,
    clientKeys: config.gatewayApiKeys,
    trustProxy: config.trustProxy,
    requestTimeoutMs: config.requestTimeoutMs,
    uploadTimeoutMs: config.uploadTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
  };
}
