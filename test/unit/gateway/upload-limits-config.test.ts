// Upload limits are on by default and lifted only by the word `unlimited`.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/gateway/config.ts';

const OPEN = { AUTH_MODE: 'pass-through' };

describe('upload limits in the configuration', () => {
  it('should bound file size and count by default', () => {
    const config = loadConfig(OPEN);
    expect(config.maxFileSize).toBe(10 * 1024 ** 3);
    expect(config.maxFiles).toBe(20);
  });

  it('should lift them only when asked', () => {
    const config = loadConfig({ ...OPEN, MAX_FILE_SIZE: 'unlimited', MAX_FILES: 'Unlimited' });
    expect(config.maxFileSize).toBe(Number.MAX_SAFE_INTEGER);
    expect(config.maxFiles).toBe(Number.MAX_SAFE_INTEGER);
    expect(loadConfig({ ...OPEN, MAX_FILE_SIZE: '2gb', MAX_FILES: '3' })).toMatchObject({ maxFileSize: 2 * 1024 ** 3, maxFiles: 3 });
    for (const value of ['0', 'none', 'infinite', '-1']) {
      expect(() => loadConfig({ ...OPEN, MAX_FILE_SIZE: value }), value).toThrow(ConfigError);
      expect(() => loadConfig({ ...OPEN, MAX_FILES: value }), value).toThrow(ConfigError);
    }
  });
});
