import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GatewayError, codeForPlatformError, toFormattedError } from '../../../src/gateway/errors.ts';
import { PlatformError } from '../../../src/platform/errors.ts';

const http = (status: number, aepCode?: string) => new PlatformError(`answered ${status}`, { kind: 'http', api: 'catalog', status, aepCode, detail: 'upstream words', requestId: 'req-1' });

/** What graphql-js hands formatError for an error thrown in a resolver. */
function thrownIn(path: string, error: Error): { formatted: ReturnType<GraphQLError['toJSON']>; error: GraphQLError } {
  const wrapped = new GraphQLError(error.message, { path: [path], originalError: error });
  return { formatted: wrapped.toJSON(), error: wrapped };
}

describe('codeForPlatformError', () => {
  it.each([
    [400, undefined, 'BAD_USER_INPUT'],
    [422, undefined, 'BAD_USER_INPUT'],
    [401, '401013', 'UNAUTHENTICATED'],
    [403, '403010', 'UNAUTHENTICATED'],
    [403, '403025', 'FORBIDDEN'],
    [404, 'NotFoundError', 'NOT_FOUND'],
    [409, undefined, 'CONFLICT'],
    [412, undefined, 'PRECONDITION_FAILED'],
    [429, undefined, 'UPSTREAM_RATE_LIMITED'],
    [500, undefined, 'UPSTREAM_UNAVAILABLE'],
    [503, undefined, 'UPSTREAM_UNAVAILABLE'],
    [504, undefined, 'UPSTREAM_TIMEOUT'],
    [418, undefined, 'BAD_USER_INPUT'],
  ])('should map %i (%s) to %s', (status, aepCode, code) => {
    expect(codeForPlatformError(http(status, aepCode))).toBe(code);
  });

  it('should map timeouts, network failures and IMS failures', () => {
    expect(codeForPlatformError(new PlatformError('t', { kind: 'timeout', api: 'catalog', code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe('UPSTREAM_TIMEOUT');
    expect(codeForPlatformError(new PlatformError('n', { kind: 'network', api: 'catalog', code: 'ECONNREFUSED' }))).toBe('UPSTREAM_UNAVAILABLE');
    expect(codeForPlatformError(new PlatformError('a', { kind: 'auth', api: 'ims', status: 401 }))).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('toFormattedError', () => {
  it('should carry the AEP code and request id of an upstream error, and nothing else of it', () => {
    const { formatted, error } = thrownIn('dataset', http(429));
    const result = toFormattedError(formatted, error);
    expect(result).toEqual({
      message: 'The Platform is rate limiting requests; retry later',
      path: ['dataset'],
      extensions: { code: 'UPSTREAM_RATE_LIMITED', requestId: 'req-1', upstreamStatus: 429 },
    });
  });

  it('should mask unexpected errors, with details only under the debug flag', () => {
    const { formatted, error } = thrownIn('datasets', new TypeError('secret internals'));
    expect(toFormattedError(formatted, error)).toEqual({ message: 'Internal server error', path: ['datasets'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const debug = toFormattedError(formatted, error, { debug: true });
    expect((debug.extensions?.debug as { message: string }).message).toBe('secret internals');
  });

  it('should keep the gateway own errors and drop their HTTP hint', () => {
    const own = new GatewayError('UNAUTHENTICATED', 'no key', { httpStatus: 401 });
    expect(toFormattedError(own.toJSON(), own)).toEqual({ message: 'no key', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('should pass GraphQL request errors through without stack traces', () => {
    const validation = new GraphQLError('Cannot query field', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at x'] } });
    expect(toFormattedError(validation.toJSON(), validation)).toEqual({ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});
