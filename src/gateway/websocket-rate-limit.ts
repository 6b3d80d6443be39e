// The per-client rate limit on the WebSocket path, from the same buckets as
// HTTP (client-rate-limit.ts): a connection attempt (its ConnectionInit) and
// each subscribe message take one token.
//
// - A subscribe over the limit is answered with a graphql-ws `error` message:
//   `extensions.code` RATE_LIMITED and `retryAfterSeconds`, as the body of an
//   HTTP 429. The connection stays open for the client's other operations.
// - A connection attempt over the limit is closed with 1013 "Try Again
//   Later", the registered WebSocket code for a refusal that a later attempt
//   may pass, with the seconds to wait in the reason. Not graphql-ws's 4429,
//   which means a second ConnectionInit on one socket, nor 1008: graphql-ws
//   clients treat both as fatal and never reconnect, while they reconnect
//   after 1013 with their backoff.
import type { HeadersRecord } from './context.ts';
import type { ClientPeer } from './client-address.ts';
import type { ClientRateLimit } from './client-rate-limit.ts';
import { GatewayError } from './errors.ts';

/** Close code of a connection attempt over the rate limit (RFC 6455 registry: Try Again Later). */
export const CLOSE_TRY_AGAIN_LATER = 1013;

export interface WebSocketRefusal {
  readonly code: number;
  /** At most 123 bytes, as a close frame allows. */
  readonly reason: string;
}

export interface WebSocketAdmission {
  /** At ConnectionInit, with the connectionParams as headers: undefined admits, else close the socket so. */
  connection(headers: HeadersRecord, peer: ClientPeer): WebSocketRefusal | undefined;
  /** At each subscribe message: undefined admits, else answer the operation with this error. */
  subscribe(headers: HeadersRecord, peer: ClientPeer): GatewayError | undefined;
}

export function createWebSocketAdmission(rateLimit: ClientRateLimit): WebSocketAdmission {
  return {
    connection(headers, peer) {
      if (!rateLimit.enabled) return undefined;
      const decision = rateLimit.take(headers, peer);
      if (decision.allowed) return undefined;
      return { code: CLOSE_TRY_AGAIN_LATER, reason: `Rate limited: retry in ${decision.retryAfterSeconds} s` };
    },
    subscribe(headers, peer) {
      if (!rateLimit.enabled) return undefined;
      const decision = rateLimit.take(headers, peer);
      if (decision.allowed) return undefined;
      return new GatewayError('RATE_LIMITED', `Too many requests: the limit is ${rateLimit.perMinute} per minute; retry in ${decision.retryAfterSeconds} s`, {
        details: { retryAfterSeconds: decision.retryAfterSeconds },
      });
    },
  };
}
