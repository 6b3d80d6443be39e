// GraphQL error codes of the gateway, and the one table that turns upstream
// failures into them. `toFormattedError` is Apollo's `formatError` and is also
// what the WebSocket path uses, so every error a client sees has gone through
// here: a stable `extensions.code`, the upstream request id and AEP code when
// there are some, and nothing else from the upstream (no headers, no tokens,
// no stack traces unless the debug flag is on). Anything unexpected is masked
// as INTERNAL_SERVER_ERROR.
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { PlatformError } from '../platform/errors.ts';

/** Every `extensions.code` the gateway sends. docs/errors.md documents each (test/unit/errors-docs.test.ts checks). */
export const GATEWAY_ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'RATE_LIMITED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'UPLOAD_INCOMPLETE',
  'SHUTTING_DOWN',
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(GATEWAY_ERROR_CODES);

/** One row of the upstream → GraphQL table. Rows are tried in order; the first match wins. */
export interface UpstreamErrorRule {
  /** How docs/errors.md names the upstream condition (kept in sync by a test). */
  readonly upstream: string;
  readonly code: GatewayErrorCode;
  readonly matches: (error: PlatformError) => boolean;
}

const status = (...statuses: number[]) => (e: PlatformError) => e.kind === 'http' && e.status !== undefined && statuses.includes(e.status);

/** Adobe I/O gateway codes that mean "who are you?" even when the status says 403 or 400. */
const MISSING_CREDENTIAL_CODES = new Set(['401013', '403010', '403000', '403003', '400003']);

export const UPSTREAM_ERROR_TABLE: readonly UpstreamErrorRule[] = [
  { upstream: 'timeout (connect, headers or body)', code: 'UPSTREAM_TIMEOUT', matches: (e) => e.kind === 'timeout' },
  { upstream: 'network failure (refused, reset, DNS)', code: 'UPSTREAM_UNAVAILABLE', matches: (e) => e.kind === 'network' },
  { upstream: 'token could not be obtained from IMS', code: 'UPSTREAM_UNAVAILABLE', matches: (e) => e.kind === 'auth' },
  {
    upstream: 'AEP code 401013, 403010, 403000, 403003 or 400003 (token or API key missing or invalid)',
    code: 'UNAUTHENTICATED',
    matches: (e) => e.aepCode !== undefined && MISSING_CREDENTIAL_CODES.has(e.aepCode),
  },
  { upstream: '400, 413, 414, 415 or 422', code: 'BAD_USER_INPUT', matches: status(400, 413, 414, 415, 422) },
  { upstream: '401', code: 'UNAUTHENTICATED', matches: status(401) },
  { upstream: '403', code: 'FORBIDDEN', matches: status(403) },
  { upstream: '404', code: 'NOT_FOUND', matches: status(404) },
  { upstream: '409', code: 'CONFLICT', matches: status(409) },
  { upstream: '412', code: 'PRECONDITION_FAILED', matches: status(412) },
  { upstream: '429', code: 'UPSTREAM_RATE_LIMITED', matches: status(429) },
  { upstream: '504', code: 'UPSTREAM_TIMEOUT', matches: status(504) },
  { upstream: 'other 5xx', code: 'UPSTREAM_UNAVAILABLE', matches: (e) => e.kind === 'http' && (e.status ?? 0) >= 500 },
  { upstream: 'other 4xx', code: 'BAD_USER_INPUT', matches: (e) => e.kind === 'http' && (e.status ?? 0) >= 400 },
];

/** The code of an upstream failure; INTERNAL_SERVER_ERROR when no row matches. */
export function codeForPlatformError(error: PlatformError): GatewayErrorCode {
  return UPSTREAM_ERROR_TABLE.find((rule) => rule.matches(error))?.code ?? 'INTERNAL_SERVER_ERROR';
}

/**
 * An error the gateway raises itself (bad input it checked, missing
 * credentials, a missing object a mutation needs). Its message is meant for
 * the client. `httpStatus` is only used for errors that refuse the whole
 * request (context creation), never for one field.
 */
export class GatewayError extends GraphQLError {
  readonly gatewayCode: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options: { httpStatus?: number; details?: Record<string, unknown> } = {}) {
    super(message, {
      extensions: {
        code,
        ...options.details,
        ...(options.httpStatus === undefined ? {} : { http: { status: options.httpStatus } }),
      },
    });
    this.name = 'GatewayError';
    this.gatewayCode = code;
  }
}

export function badUserInput(message: string, details?: Record<string, unknown>): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message, details ? { details } : {});
}

export function notFound(what: string, id: string): GatewayError {
  return new GatewayError('NOT_FOUND', `${what} ${JSON.stringify(id)} was not found`);
}

/** True for a miss, from the gateway's own checks or from the upstream. */
export function isNotFound(error: unknown): boolean {
  if (error instanceof GatewayError) return error.gatewayCode === 'NOT_FOUND';
  return error instanceof PlatformError && codeForPlatformError(error) === 'NOT_FOUND';
}

export interface FormatErrorOptions {
  /** Keep the original message and stack trace of masked errors in `extensions.debug`. @default false */
  readonly debug?: boolean;
}

function platformMessage(error: PlatformError, code: GatewayErrorCode): string {
  switch (code) {
    case 'UPSTREAM_TIMEOUT':
      return 'The Platform did not answer in time';
    case 'UPSTREAM_UNAVAILABLE':
      return error.kind === 'auth' ? 'The gateway could not obtain a Platform access token' : 'The Platform is unavailable';
    case 'UPSTREAM_RATE_LIMITED':
      return 'The Platform is rate limiting requests; retry later';
    default:
      // The Platform's own words (title, detail) are written for its users.
      return error.detail ?? error.title ?? `The Platform refused the request (${error.status ?? error.kind})`;
  }
}

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/**
 * Apollo's `formatError` (and the WebSocket path's): `formatted` is what graphql
 * would send, `error` the thrown value (possibly wrapped in a GraphQLError).
 * Never throws.
 */
export function toFormattedError(formatted: GraphQLFormattedError, error: unknown, options: FormatErrorOptions = {}): GraphQLFormattedError {
  const original = gatewayErrorInside(unwrapResolverError(error));
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };

  if (original instanceof PlatformError) {
    const code = codeForPlatformError(original);
    return {
      ...base,
      message: platformMessage(original, code),
      extensions: withoutUndefined({
        code,
        aepCode: original.aepCode,
        requestId: original.requestId,
        upstreamStatus: original.status,
        retryAfterSeconds: original.retryAfterSeconds,
        ...(options.debug ? { debug: { message: original.message, stack: original.stack } } : {}),
      }),
    };
  }

  if (original instanceof GatewayError) {
    const { http: _http, ...extensions } = original.extensions as Record<string, unknown>;
    return { ...base, message: original.message, extensions };
  }

  // The multipart parser's refusals (file too large, too many files) are the client's doing.
  if (isUploadHttpError(original)) {
    return { ...base, message: original.message, extensions: { code: original.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } };
  }

  // Errors graphql or Apollo raised about the request itself (parse, validation,
  // variable coercion, CSRF): their codes are ours, their messages are safe.
  const code = formatted.extensions?.code;
  // The parser's token limit (parseOptions.maxTokens) is a query limit, not bad syntax.
  const tokens = code === 'GRAPHQL_PARSE_FAILED' ? TOKEN_LIMIT.exec(formatted.message) : null;
  if (tokens) return { ...base, message: `The query has more than ${tokens[1]} tokens (maxTokens)`, extensions: { code: 'BAD_USER_INPUT', limit: 'maxTokens' } };
  if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR' && !(original instanceof Error && !(original instanceof GraphQLError))) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...base, extensions: { ...extensions, code } };
  }

  return {
    ...base,
    message: 'Internal server error',
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(options.debug && original instanceof Error ? { debug: { message: original.message, stack: original.stack } } : {}),
    },
  };
}

/** graphql's message when its parser stops at `maxTokens` ("more that" is graphql's spelling). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/**
 * Apollo wraps what validation rules report (the query limits) in its own
 * error, without a path: the GatewayError inside keeps its code and details.
 */
function gatewayErrorInside(error: unknown): unknown {
  return error instanceof GraphQLError && !(error instanceof GatewayError) && error.originalError instanceof GatewayError ? error.originalError : error;
}

function isUploadHttpError(error: unknown): error is Error & { status: number; expose: true } {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number' && (error as { expose?: unknown }).expose === true;
}
