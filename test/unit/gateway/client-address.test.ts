// TRUST_PROXY: what the setting accepts, and which address a request is
// counted under for each setting, from its TCP peer and X-Forwarded-For.
import { describe, expect, it } from 'vitest';
import { createClientAddress, parseTrustProxy } from '../../../src/gateway/client-address.ts';
import type { ClientPeer } from '../../../src/gateway/client-address.ts';

function parse(raw: string | undefined) {
  const problems: string[] = [];
  return { trust: parseTrustProxy(raw, problems), problems };
}

const peer = (remoteAddress: string, forwardedFor?: string): ClientPeer => ({ socket: { remoteAddress }, headers: { 'x-forwarded-for': forwardedFor } });

describe('parseTrustProxy', () => {
  it('should be off when unset, empty, off, false or 0', () => {
    for (const raw of [undefined, '', ' ', 'off', 'false', 'FALSE', '0']) expect(parse(raw)).toEqual({ trust: { kind: 'off' }, problems: [] });
  });

  it('should read a hop count and a list of addresses, ranges and range names', () => {
    expect(parse('2')).toEqual({ trust: { kind: 'hops', hops: 2 }, problems: [] });
    expect(parse(' 10.0.0.0/8, 192.168.1.5 ,loopback,fd00::/8 ')).toEqual({ trust: { kind: 'addresses', addresses: ['10.0.0.0/8', '192.168.1.5', 'loopback', 'fd00::/8'] }, problems: [] });
  });

  it('should refuse true, a hop count past 32 and what is not an address, naming TRUST_PROXY', () => {
    for (const raw of ['true', 'on', '33', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,nope']) {
      const { trust, problems } = parse(raw);
      expect(trust).toEqual({ kind: 'off' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^TRUST_PROXY/);
    }
  });
});

describe('createClientAddress', () => {
  it('should ignore X-Forwarded-For when off', () => {
    const addressOf = createClientAddress(parse('off').trust);
    expect(addressOf(peer('10.1.1.1', '203.0.113.7'))).toBe('10.1.1.1');
  });

  it('should take the address that many hops from the gateway with a hop count', () => {
    const oneHop = createClientAddress(parse('1').trust);
    // The client wrote 198.51.100.1 itself; its proxy appended the address it saw.
    expect(oneHop(peer('10.1.1.1', '198.51.100.1, 203.0.113.7'))).toBe('203.0.113.7');
    expect(oneHop(peer('10.1.1.1'))).toBe('10.1.1.1');
    const twoHops = createClientAddress(parse('2').trust);
    expect(twoHops(peer('10.1.1.1', '198.51.100.1, 203.0.113.7, 10.2.2.2'))).toBe('203.0.113.7');
  });

  it('should believe the header only from listed peers, and stop at the first address not listed', () => {
    const addressOf = createClientAddress(parse('10.0.0.0/8').trust);
    expect(addressOf(peer('10.1.1.1', '203.0.113.7'))).toBe('203.0.113.7');
    expect(addressOf(peer('10.1.1.1', '198.51.100.1, 203.0.113.7, 10.2.2.2'))).toBe('203.0.113.7');
    // A peer outside the list is the client, whatever it writes.
    expect(addressOf(peer('192.0.2.9', '203.0.113.7'))).toBe('192.0.2.9');
    // IPv4-mapped IPv6 peers (a dual-stack listener) are matched as IPv4.
    expect(addressOf(peer('::ffff:10.1.1.1', '203.0.113.7'))).toBe('203.0.113.7');
  });
});
