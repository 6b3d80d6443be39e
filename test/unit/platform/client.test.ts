import { describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../../src/platform/index.ts';
import { SCOPE } from './mock-platform.ts';

describe('createPlatformClient', () => {
  it('should refuse bad upload settings when created, not on the first upload', () => {
    const auth = { mode: 'static', token: 't', apiKey: 'k' } as const;
    expect(() => createPlatformClient({ baseUrl: 'http://127.0.0.1:1', auth, partSize: 0 })).toThrow(RangeError);
    expect(() => createPlatformClient({ baseUrl: 'http://127.0.0.1:1', auth, partSize: 600_000_000 })).toThrow(RangeError);
    expect(() => createPlatformClient({ baseUrl: 'http://127.0.0.1:1', auth, smallFileLimit: -1 })).toThrow(RangeError);
  });

  it('should bind a scope and make each API object once, on first use', async () => {
    const client = createPlatformClient({ baseUrl: 'http://127.0.0.1:1/', auth: { mode: 'oauth', clientId: 'c', clientSecret: 's' } });
    const scoped = client.scoped(SCOPE);
    expect(scoped.scope).toBe(SCOPE);
    expect(scoped.catalog).toBe(scoped.catalog);
    expect(scoped.ingestion).toBe(scoped.ingestion);
    expect(scoped.ingestion.partSize).toBe(64 * 1024 * 1024);
    expect(scoped.ingestion.smallFileLimit).toBe(256 * 1024 * 1024);
    expect(client.scoped(SCOPE).catalog).not.toBe(scoped.catalog);
    expect(client.authMode).toBe('oauth');
    await client.close();
    await client.close();
  });
});
