// Who a client is for the rate limit: a configured gateway key (header or
// bearer token) has its own bucket, an invented key shares its address's,
// and the address follows TRUST_PROXY. One bucket serves every caller of
// take(), HTTP and WebSocket alike.
import { describe, expect, it } from 'vitest';
import { createClientRateLimit } from '../../../src/gateway/client-rate-limit.ts';
import type { ClientPeer } from '../../../src/gateway/client-address.ts';

const KEY = 'configured-gateway-key-0123456789';
const peer = (remoteAddress: string, forwardedFor?: string): ClientPeer => ({ socket: { remoteAddress }, headers: { 'x-forwarded-for': forwardedFor } });

describe('createClientRateLimit', () => {
  it('should give a configured key its own bucket, however it is presented, and invented keys their address bucket', () => {
    const limit = createClientRateLimit({ perMinute: 2, clientKeys: [KEY], trustProxy: { kind: 'off' }, now: () => 0 });
    const from = peer('10.0.0.1');
    expect(limit.take({ 'x-gateway-api-key': KEY }, from).allowed).toBe(true);
    expect(limit.take({ authorization: `Bearer ${KEY}` }, peer('10.0.0.2')).allowed).toBe(true);
    expect(limit.take({ 'x-gateway-api-key': KEY }, from)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    // The address's own bucket is untouched by the key's use, and shared by any key not configured.
    expect(limit.take({ 'x-gateway-api-key': 'invented-key-1' }, from).allowed).toBe(true);
    expect(limit.take({ 'x-gateway-api-key': 'invented-key-2' }, from).allowed).toBe(true);
    expect(limit.take({}, from).allowed).toBe(false);
    expect(limit.take({}, peer('10.0.0.3')).allowed).toBe(true);
  });

  it('should count by the address TRUST_PROXY gives', () => {
    const limit = createClientRateLimit({ perMinute: 1, clientKeys: [], trustProxy: { kind: 'addresses', addresses: ['10.0.0.0/8'] }, now: () => 0 });
    expect(limit.take({}, peer('10.0.0.1', '203.0.113.7')).allowed).toBe(true);
    expect(limit.take({}, peer('10.9.9.9', '203.0.113.7')).allowed).toBe(false);
    expect(limit.take({}, peer('10.0.0.1', '203.0.113.8')).allowed).toBe(true);
  });

  it('should allow everything when off', () => {
    const limit = createClientRateLimit({ perMinute: 0, clientKeys: [], trustProxy: { kind: 'off' } });
    expect(limit.enabled).toBe(false);
    for (let i = 0; i < 100; i++) expect(limit.take({}, peer('10.0.0.1')).allowed).toBe(true);
  });
});
