import { describe, expect, it } from 'vitest';
import type { ContextFactory, GatewayContext } from '../../../src/gateway/context.ts';
import { GatewayError } from '../../../src/gateway/errors.ts';
import { createSubscriptionContext, flatString } from '../../../src/gateway/subscription-context.ts';

const GRANT = Symbol('grant');

/** A factory that counts the contexts it builds; each is a fresh object with its own platform, loaders and logger. */
function countingFactory() {
  const built: Array<{ headers: Record<string, unknown>; requestId?: string; record?: unknown }> = [];
  const factory: ContextFactory = (headers, options = {}) => {
    if (!headers['x-gateway-api-key']) throw new GatewayError('UNAUTHENTICATED', 'A gateway API key is required');
    built.push({ headers: { ...headers }, requestId: options.requestId, record: options.record });
    const n = built.length;
    const context = {
      requestId: options.requestId ?? `generated-${n}`,
      scope: { orgId: 'ORG', sandbox: String(headers['x-sandbox-name'] ?? 'prod') },
      platform: { name: `platform-${n}` },
      loaders: { name: `loaders-${n}` },
      logger: { name: `logger-${n}` },
      config: { name: 'config' },
      batchWatch: { name: 'batch watch' },
      record: options.record ?? { errorCount: 0 },
    } as unknown as GatewayContext;
    Object.defineProperty(context, GRANT, { value: 'read-only', enumerable: true });
    return context;
  };
  return { factory, built };
}

describe('createSubscriptionContext', () => {
  it('should check the subscription with the factory and keep its scope, id, config and batch watch', () => {
    const { factory, built } = countingFactory();
    const context = createSubscriptionContext(factory, { 'x-gateway-api-key': 'k', 'x-sandbox-name': 'dev' }, 'request-1');
    expect(built).toHaveLength(1);
    expect(context.requestId).toBe('request-1');
    expect(context.scope).toEqual({ orgId: 'ORG', sandbox: 'dev' });
    expect(context.config).toEqual({ name: 'config' });
    expect(context.batchWatch).toEqual({ name: 'batch watch' });
    expect((context as unknown as Record<symbol, unknown>)[GRANT]).toBe('read-only');
  });

  it('should throw what the factory throws', () => {
    const { factory } = countingFactory();
    expect(() => createSubscriptionContext(factory, {}, 'request-1')).toThrow(GatewayError);
  });

  it('should build the request context again only when a resolver needs it, once, with the same id and record', () => {
    const { factory, built } = countingFactory();
    const context = createSubscriptionContext(factory, { 'x-gateway-api-key': 'k' }, 'request-2');
    expect(built).toHaveLength(1);
    expect(context.platform).toEqual({ name: 'platform-2' });
    expect(context.loaders).toEqual({ name: 'loaders-2' });
    expect(context.logger).toEqual({ name: 'logger-2' });
    expect(built).toHaveLength(2);
    expect(built[1]).toMatchObject({ headers: { 'x-gateway-api-key': 'k' }, requestId: 'request-2' });
    expect(built[1]?.record).toBe(context.record);
  });
});

describe('flatString', () => {
  it('should return the same text', () => {
    const joined = ['0f', '3a', '-', 'é', '✓'].reduce((text, part) => text + part, '');
    expect(flatString(joined)).toBe('0f3a-é✓');
  });
});
