// The address a request comes from, as the per-client rate limit sees it.
//
// By default it is the TCP peer's, and X-Forwarded-For is ignored: any client
// can write that header. Behind a load balancer every client would then share
// the balancer's address, so TRUST_PROXY names the proxies whose
// X-Forwarded-For entries are believed:
//
// - a hop count `n`: the nearest n proxies, whatever their addresses (a fixed
//   chain whose addresses change, as in containers);
// - addresses and CIDR ranges, comma-separated, and the names `loopback`,
//   `linklocal` and `uniquelocal`: a peer is believed only from those.
//
// The client is then the nearest address that no trusted proxy stands for.
// An entry the client wrote itself sits left of what the trusted proxies
// appended, so it is never reached, and a peer that is not trusted is the
// client whatever its header says. The walk is @fastify/proxy-addr's (express's
// proxy-addr, maintained by fastify); only the setting is parsed here.
import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';

export type TrustProxy =
  | { readonly kind: 'off' }
  | { readonly kind: 'hops'; readonly hops: number }
  | { readonly kind: 'addresses'; readonly addresses: readonly string[] };

export const TRUST_NO_PROXY: TrustProxy = Object.freeze({ kind: 'off' });

/** The most proxies a hop count may name; a longer chain is a configuration mistake. */
const MAX_HOPS = 32;

/** Reads TRUST_PROXY; a problem is added to `problems` (and nothing trusted) when the value is not understood. */
export function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || ['off', 'false', '0'].includes(value.toLowerCase())) return TRUST_NO_PROXY;
  if (['on', 'true'].includes(value.toLowerCase())) {
    // Believing every peer would let any client choose its own address.
    problems.push('TRUST_PROXY=true would believe the X-Forwarded-For of any client; give the number of proxies in front of the gateway (e.g. 1) or their addresses (e.g. 10.0.0.0/8)');
    return TRUST_NO_PROXY;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) {
      problems.push(`TRUST_PROXY must be a hop count from 1 to ${MAX_HOPS} or a list of addresses, got ${JSON.stringify(value)}`);
      return TRUST_NO_PROXY;
    }
    return Object.freeze({ kind: 'hops', hops });
  }
  const addresses = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  try {
    proxyaddr.compile(addresses);
  } catch (error) {
    problems.push(`TRUST_PROXY must be a hop count or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal: ${(error as Error).message}`);
    return TRUST_NO_PROXY;
  }
  return Object.freeze({ kind: 'addresses', addresses: Object.freeze(addresses) });
}

/**
 * The two parts of a request its client's address is read from. The WebSocket
 * path keeps these past the upgrade instead of the whole request.
 */
export interface ClientPeer {
  readonly socket: { readonly remoteAddress?: string | undefined };
  readonly headers: { readonly 'x-forwarded-for'?: string | string[] | undefined };
}

/** What a request's client address is computed from (node joins repeated X-Forwarded-For headers into one). */
export function peerOf(request: IncomingMessage): ClientPeer {
  return { socket: { remoteAddress: request.socket.remoteAddress }, headers: { 'x-forwarded-for': request.headers['x-forwarded-for'] } };
}

export type ClientAddressOf = (peer: ClientPeer) => string;

export function createClientAddress(trust: TrustProxy): ClientAddressOf {
  if (trust.kind === 'off') return (peer) => peer.socket.remoteAddress ?? 'unknown';
  const trusted = trust.kind === 'hops' ? (_address: string, hop: number) => hop < trust.hops : proxyaddr.compile([...trust.addresses]);
  // proxy-addr reads exactly these two fields of the request (socket.remoteAddress and the x-forwarded-for header).
  return (peer) => (peer.socket.remoteAddress === undefined ? 'unknown' : proxyaddr(peer as IncomingMessage, trusted));
}
