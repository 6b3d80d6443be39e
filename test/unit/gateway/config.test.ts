import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/gateway/config.ts';

const OAUTH = { AEP_CLIENT_ID: 'client', AEP_CLIENT_SECRET: 'secret', AEP_ORG_ID: 'ORG@AdobeOrg', GATEWAY_API_KEYS: 'a-long-enough-gateway-key' };

describe('loadConfig', () => {
  it('should default to pass-through on 127.0.0.1:4000 against the real Platform', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ authMode: 'pass-through', port: 4000, host: '127.0.0.1', platformBaseUrl: 'https://platform.adobe.io', defaultSandbox: 'prod', maxFiles: 20 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('should pick oauth when client credentials are present, with the client id as API key', () => {
    const config = loadConfig(OAUTH);
    expect(config.authMode).toBe('oauth');
    expect(config.apiKey).toBe('client');
    expect(config.gatewayApiKeys).toEqual(['a-long-enough-gateway-key']);
  });

  it('should refuse server-credential modes without gateway keys unless open', () => {
    expect(() => loadConfig({ ...OAUTH, GATEWAY_API_KEYS: '' })).toThrow(/GATEWAY_API_KEYS is required/);
    expect(loadConfig({ ...OAUTH, GATEWAY_API_KEYS: '', GATEWAY_OPEN: 'true' }).open).toBe(true);
  });

  it('should refuse GATEWAY_OPEN in production and on a public host', () => {
    expect(() => loadConfig({ ...OAUTH, GATEWAY_OPEN: 'true', NODE_ENV: 'production' })).toThrow(/GATEWAY_OPEN/);
    expect(() => loadConfig({ ...OAUTH, GATEWAY_OPEN: 'true', HOST: '0.0.0.0' })).toThrow(/loopback/);
  });

  it('should list every problem at once with the variable names', () => {
    try {
      loadConfig({ PORT: 'x', AUTH_MODE: 'static', SMALL_FILE_LIMIT: '12 parsecs', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'SMALL_FILE_LIMIT', 'LOG_LEVEL', 'AEP_ACCESS_TOKEN', 'AEP_ORG_ID']) expect(text).toContain(name);
    }
  });

  it('should read byte sizes with units', () => {
    const config = loadConfig({ SMALL_FILE_LIMIT: '512kb', UPLOAD_PART_SIZE: '8mb', MAX_FILE_SIZE: '2gb' });
    expect(config.smallFileLimit).toBe(512 * 1024);
    expect(config.uploadPartSize).toBe(8 * 1024 * 1024);
    expect(config.maxFileSize).toBe(2 * 1024 ** 3);
  });

  it('should refuse a default sandbox that is not a sandbox name', () => {
    expect(() => loadConfig({ DEFAULT_SANDBOX: 'Prod Sandbox' })).toThrow(/DEFAULT_SANDBOX/);
  });
});
