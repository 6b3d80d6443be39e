// Request limits around the GraphQL endpoint, before any GraphQL work: how
// long a client may take to send its request (slow clients hold sockets and
// memory), and how many requests one client may send per minute.
//
// - Timeouts: node's own `headersTimeout` for the headers; then a deadline for
//   the body, REQUEST_TIMEOUT_MS for JSON and UPLOAD_TIMEOUT_MS for multipart
//   uploads (node's `requestTimeout` is one figure per server, so it is set to
//   the longer one as a backstop and the shorter one is enforced here).
// - Rate limit: a token bucket per client in memory, RATE_LIMIT_PER_MINUTE
//   requests per minute in bursts of up to as many. The client is its gateway
//   API key when it presents a configured one, else its IP address. Refusals
//   are HTTP 429 with Retry-After and a GraphQL error with code RATE_LIMITED.
//
// Keys are never kept as they are: the bucket of a key is found by its sha256,
// and only configured keys get their own bucket (random keys share their IP's).
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { GatewayConfig } from './config.ts';

export interface RateLimiterOptions {
  /** Requests per minute per client; also the burst size. 0 turns the limiter off. */
  readonly perMinute: number;
  /** Clients remembered at once; the least recently seen are forgotten first (a forgotten client starts with a full bucket). @default 10_000 */
  readonly maxClients?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  take(client: string): RateDecision;
  /** Clients with a bucket now. */
  readonly size: number;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

interface Bucket {
  tokens: number;
  updated: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const capacity = options.perMinute;
  const perMs = capacity / 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  return {
    take(client) {
      if (capacity <= 0) return ALLOWED;
      const at = now();
      let bucket = buckets.get(client);
      if (bucket) {
        // Re-inserted so that Map order is least recently seen first.
        buckets.delete(client);
        bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updated) * perMs);
        bucket.updated = at;
      } else {
        bucket = { tokens: capacity, updated: at };
        if (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(client, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return ALLOWED;
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size() {
      return buckets.size;
    },
  };
}

export interface RequestLimitsOptions {
  readonly rateLimitPerMinute: number;
  /** The keys that get a bucket of their own (the configured gateway API keys). */
  readonly clientKeys: readonly string[];
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
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** The gateway key a request presents (x-gateway-api-key, else a bearer token), without checking it. */
function presentedKey(req: IncomingMessage): string | undefined {
  const explicit = firstHeader(req.headers['x-gateway-api-key']);
  if (explicit) return explicit;
  const match = /^Bearer\s+(.+)$/i.exec(firstHeader(req.headers.authorization) ?? '');
  return match?.[1]?.trim();
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
  const limiter = createRateLimiter({ perMinute: options.rateLimitPerMinute, ...(options.now ? { now: options.now } : {}) });
  const knownKeys = new Set(options.clientKeys.map(sha256));
  const cutOff = new WeakSet<IncomingMessage>();

  function clientOf(req: IncomingMessage): string {
    const key = presentedKey(req);
    if (key !== undefined) {
      const digest = sha256(key);
      if (knownKeys.has(digest)) return `key:${digest}`;
    }
    return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
  }

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
      if (options.rateLimitPerMinute > 0) {
        const decision = limiter.take(clientOf(req));
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
  };
}

export function requestLimitsFromConfig(config: GatewayConfig): RequestLimitsOptions {
  return {
    rateLimitPerMinute: config.rateLimitPerMinute,
    clientKeys: config.gatewayApiKeys,
    requestTimeoutMs: config.requestTimeoutMs,
    uploadTimeoutMs: config.uploadTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
  };
}
