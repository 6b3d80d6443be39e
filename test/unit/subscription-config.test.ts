// The subscription settings of loadConfig, and the lease lifetime derived from them.
import { describe, expect, it } from 'vitest';
import { leaseTtlFor } from '../../src/gateway/batch-watch-runtime.ts';
import { ConfigError, loadConfig } from '../../src/gateway/config.ts';
import { headersFromConnectionParams } from '../../src/gateway/subscriptions-server.ts';

describe('subscription settings', () => {
  it('should default to the Platform guide interval, in memory, with 12 s pings', () => {
    expect(loadConfig({})).toMatchObject({
      batchPollIntervalMs: 120_000,
      batchPollMaxIntervalMs: 480_000,
      wsKeepAliveMs: 12_000,
      redisUrl: undefined,
      redisKeyPrefix: 'aep-graphql:',
    });
  });

  it('should derive the longest interval from the interval unless it is set', () => {
    expect(loadConfig({ BATCH_POLL_INTERVAL_MS: '250' })).toMatchObject({ batchPollIntervalMs: 250, batchPollMaxIntervalMs: 1_000 });
    expect(loadConfig({ BATCH_POLL_INTERVAL_MS: '250', BATCH_POLL_MAX_INTERVAL_MS: '5000' }).batchPollMaxIntervalMs).toBe(5_000);
  });

  it('should refuse a longest interval below the interval, and a REDIS_URL of another scheme without echoing it', () => {
    expect(() => loadConfig({ BATCH_POLL_INTERVAL_MS: '1000', BATCH_POLL_MAX_INTERVAL_MS: '500' })).toThrow(/BATCH_POLL_MAX_INTERVAL_MS must not be below/);
    try {
      loadConfig({ REDIS_URL: 'http://user:secret-password@example.com' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
      expect((error as ConfigError).message).not.toContain('secret-password');
    }
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6380', REDIS_KEY_PREFIX: 'team-a:' })).toMatchObject({ redisUrl: 'rediss://cache.internal:6380', redisKeyPrefix: 'team-a:' });
  });

  it('should keep a poll lease between 2 and 30 seconds, the interval in between', () => {
    expect(leaseTtlFor(250)).toBe(2_000);
    expect(leaseTtlFor(10_000)).toBe(10_000);
    expect(leaseTtlFor(120_000)).toBe(30_000);
  });
});

describe('headersFromConnectionParams', () => {
  it('should take string values, flat or under headers, flat ones winning, names in lower case', () => {
    expect(headersFromConnectionParams({ Authorization: 'Bearer a', headers: { 'X-Api-Key': 'k', authorization: 'Bearer b' }, retries: 3 })).toEqual({
      authorization: 'Bearer a',
      'x-api-key': 'k',
    });
  });

  it('should let a subscription name its own sandbox', () => {
    expect(headersFromConnectionParams({ 'x-sandbox-name': 'prod' }, { 'x-sandbox-name': 'dev' })).toEqual({ 'x-sandbox-name': 'dev' });
    expect(headersFromConnectionParams(null)).toEqual({});
  });
});
