import { describe, expect, it } from 'vitest';
import { parseEmulatorArgs } from '../../../src/commands/emulator.ts';

describe('parseEmulatorArgs', () => {
  it('should apply the documented defaults', () => {
    expect(parseEmulatorArgs([], {})).toMatchObject({ port: 4001, dataDir: './.aep-data/emulator', seed: true, faults: false });
  });

  it('should read flags before the environment', () => {
    const env = { EMULATOR_PORT: '5000', AEP_DATA_DIR: '/env/dir', AEP_LOCAL_ORG_ID: 'ABC@AdobeOrg', AEP_LOCAL_TENANT_ID: 'acme' };
    expect(parseEmulatorArgs([], env)).toMatchObject({ port: 5000, dataDir: '/env/dir', orgId: 'ABC@AdobeOrg', tenantId: 'acme' });
    const flags = ['--port', '0', '--data-dir', '/flag/dir', '--no-seed', '--faults', '--processing-delay-ms', '5', '--small-file-limit', '1024', '--token-lifetime', '60'];
    expect(parseEmulatorArgs(flags, env)).toMatchObject({
      port: 0,
      dataDir: '/flag/dir',
      seed: false,
      faults: true,
      processingDelayMs: 5,
      smallFileLimit: 1024,
      tokenLifetimeSeconds: 60,
    });
  });

  it('should take the client credentials from the environment', () => {
    expect(parseEmulatorArgs([], { AEP_LOCAL_CLIENT_ID: 'me', AEP_LOCAL_CLIENT_SECRET: 's3cret' })).toMatchObject({
      clients: [{ clientId: 'me', clientSecret: 's3cret' }],
    });
    expect(parseEmulatorArgs([], {})).toMatchObject({ clients: undefined });
  });

  it('should refuse unknown flags and bad numbers', () => {
    expect(() => parseEmulatorArgs(['--nope'], {})).toThrow();
    expect(() => parseEmulatorArgs(['--port', '-1'], {})).toThrow('--port');
    expect(() => parseEmulatorArgs(['--token-lifetime', '0'], {})).toThrow('--token-lifetime');
    expect(() => parseEmulatorArgs(['--small-file-limit', '1.5'], {})).toThrow('--small-file-limit');
    expect(parseEmulatorArgs(['--help'], {})).toBe('help');
  });
});
