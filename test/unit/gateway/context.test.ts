import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/gateway/config.ts';
import { scopeFromHeaders } from '../../../src/gateway/context.ts';
import { GatewayError } from '../../../src/gateway/errors.ts';

const passThrough = loadConfig({});
const oauth = loadConfig({ AEP_CLIENT_ID: 'c', AEP_CLIENT_SECRET: 's', AEP_ORG_ID: 'ORG@AdobeOrg', GATEWAY_API_KEYS: 'key-one-0123456789,key-two-0123456789' });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof GatewayError ? error.gatewayCode : 'other';
  }
  return undefined;
}

describe('scopeFromHeaders', () => {
  it('should forward exactly the caller credentials in pass-through mode', () => {
    const scope = scopeFromHeaders(passThrough, {
      authorization: 'Bearer user-token',
      'x-api-key': 'user-key',
      'x-gw-ims-org-id': 'USER@AdobeOrg',
      'x-sandbox-name': 'dev',
      cookie: 'not forwarded',
    });
    expect(scope).toEqual({ orgId: 'USER@AdobeOrg', sandbox: 'dev', forwardedAuth: { authorization: 'Bearer user-token', apiKey: 'user-key' } });
  });

  it('should refuse pass-through requests without the three credential headers', () => {
    expect(codeOf(() => scopeFromHeaders(passThrough, { authorization: 'Bearer t' }))).toBe('UNAUTHENTICATED');
  });

  it('should take the gateway key from x-gateway-api-key or a bearer token', () => {
    expect(scopeFromHeaders(oauth, { 'x-gateway-api-key': 'key-two-0123456789' })).toEqual({ orgId: 'ORG@AdobeOrg', sandbox: 'prod' });
    expect(scopeFromHeaders(oauth, { authorization: 'Bearer key-one-0123456789', 'x-sandbox-name': 'dev' }).sandbox).toBe('dev');
  });

  it('should refuse a missing or wrong gateway key', () => {
    expect(codeOf(() => scopeFromHeaders(oauth, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => scopeFromHeaders(oauth, { 'x-gateway-api-key': 'key-one-0123456788' }))).toBe('UNAUTHENTICATED');
  });

  it('should need no key when the gateway runs open, and refuse a malformed sandbox name', () => {
    const open = { ...oauth, open: true };
    expect(scopeFromHeaders(open, {}).orgId).toBe('ORG@AdobeOrg');
    expect(codeOf(() => scopeFromHeaders(open, { 'x-sandbox-name': '../prod' }))).toBe('BAD_USER_INPUT');
  });
});
