// The per-client budget of RATE_LIMIT_PER_MINUTE, one for every way a client
// reaches the gateway: a GraphQL request over HTTP, a WebSocket connection
// attempt and a subscribe message each take a token from the same bucket, so
// moving to the other transport buys no extra budget.
//
// The client is its gateway API key when it presents a configured one (the
// x-gateway-api-key header, else a bearer token; over WebSocket, the same
// names in connectionParams), else its address (client-address.ts, with
// TRUST_PROXY). Keys are never kept as they are: a key's bucket is found by
// its sha256, and only configured keys get a bucket of their own, so that
// inventing keys buys no budget (they share their address's bucket).
import { createHash } from 'node:crypto';
import type { HeadersRecord } from './context.ts';
import { createClientAddress } from './client-address.ts';
import type { ClientPeer, TrustProxy } from './client-address.ts';
import { createRateLimiter } from './rate-limiter.ts';
import type { RateDecision } from './rate-limiter.ts';

export interface ClientRateLimitOptions {
  /** Requests per minute per client, in bursts of up to as many; 0 turns the limit off. */
  readonly perMinute: number;
  /** The keys that get a bucket of their own (the configured gateway API keys). */
  readonly clientKeys: readonly string[];
  /** Whose X-Forwarded-For is believed. */
  readonly trustProxy: TrustProxy;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ClientRateLimit {
  /** False when the limit is off: then take() always allows. */
  readonly enabled: boolean;
  readonly perMinute: number;
  /** Takes one token from the bucket of the client that sent these headers from this peer. */
  take(headers: HeadersRecord, peer: ClientPeer): RateDecision;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  const first = typeof value === 'string' ? value : value?.[0];
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** The gateway key the headers present (x-gateway-api-key, else a bearer token), without checking it. */
function presentedKey(headers: HeadersRecord): string | undefined {
  const explicit = firstHeader(headers['x-gateway-api-key']);
  if (explicit) return explicit;
  const match = /^Bearer\s+(.+)$/i.exec(firstHeader(headers.authorization) ?? '');
  return match?.[1]?.trim();
}

export function createClientRateLimit(options: ClientRateLimitOptions): ClientRateLimit {
  const limiter = createRateLimiter({ perMinute: options.perMinute, ...(options.now ? { now: options.now } : {}) });
  const knownKeys = new Set(options.clientKeys.map(sha256));
  const addressOf = createClientAddress(options.trustProxy);

  function clientOf(headers: HeadersRecord, peer: ClientPeer): string {
    const key = presentedKey(headers);
    if (key !== undefined) {
      const digest = sha256(key);
      if (knownKeys.has(digest)) return `key:${digest}`;
    }
    return `ip:${addressOf(peer)}`;
  }

  const enabled = options.perMinute > 0;
  return {
    enabled,
    perMinute: options.perMinute,
    take: (headers, peer) => limiter.take(enabled ? clientOf(headers, peer) : ''),
  };
}
