// The per-request context: who the caller is (scope), the platform client
// bound to that scope, the request's loaders (created on first use) and a
// child logger (also created on first use). `createContextFactory` takes a
// plain headers record, so the HTTP path and the WebSocket path
// (connectionParams) build it the same way.
//
// Auth, by mode:
// - pass-through: the caller's own Authorization, x-api-key and
//   x-gw-ims-org-id (and x-sandbox-name) are forwarded, and nothing else.
// - oauth / static: the gateway holds the Platform credentials, so the caller
//   must present a gateway API key, in `x-gateway-api-key: <key>` or as
//   `Authorization: Bearer <key>`, unless the gateway runs open (local only).
// The sandbox is always per request: x-sandbox-name, else the configured default.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { PlatformClient, ScopedPlatform } from '../platform/client.ts';
import type { PlatformScope } from '../platform/types.ts';
import type { BatchWatch } from './batch-watch.ts';
import type { GatewayConfig } from './config.ts';
import { isSandboxName } from './config.ts';
import { GatewayError } from './errors.ts';
import type { Loaders } from './loaders.ts';
import { createLoaders } from './loaders.ts';

/** What the request log line reports; resolvers and plugins fill it in as the request runs. */
export interface RequestRecord {
  operationName?: string;
  errorCount: number;
}

export interface GatewayContext {
  readonly requestId: string;
  readonly scope: PlatformScope;
  readonly platform: ScopedPlatform;
  /** Fresh per request; built the first time a resolver touches it. */
  readonly loaders: Loaders;
  readonly logger: Logger;
  readonly config: GatewayConfig;
  readonly record: RequestRecord;
  /** Process-wide: the shared batch pollers behind subscriptions. */
  readonly batchWatch: BatchWatch;
}

export type HeadersRecord = Readonly<Record<string, string | string[] | undefined>>;

export interface ContextFactoryDeps {
  readonly config: GatewayConfig;
  readonly platformClient: PlatformClient;
  readonly logger: Logger;
  readonly batchWatch: BatchWatch;
}

export interface ContextOptions {
  /** @default a fresh UUID */
  readonly requestId?: string;
  /** @default a fresh record */
  readonly record?: RequestRecord;
}

export type ContextFactory = (headers: HeadersRecord, options?: ContextOptions) => GatewayContext;

/** Header names are matched case-insensitively; a repeated header counts by its first value. */
function headerValue(headers: HeadersRecord, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

function unauthenticated(message: string): GatewayError {
  return new GatewayError('UNAUTHENTICATED', message, { httpStatus: 401 });
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function sandboxFrom(headers: HeadersRecord, fallback: string): string {
  const sandbox = headerValue(headers, 'x-sandbox-name') ?? fallback;
  if (!isSandboxName(sandbox)) {
    throw new GatewayError('BAD_USER_INPUT', 'x-sandbox-name must be a sandbox name (lower-case letters, digits and hyphens)', { httpStatus: 400 });
  }
  return sandbox;
}

/** The configured keys as bytes, made once per key list rather than per request. */
const keyBytes = new WeakMap<readonly string[], readonly Buffer[]>();

/** Constant-time comparison against every configured key. */
function keyMatches(candidate: string, keys: readonly string[]): boolean {
  let expected = keyBytes.get(keys);
  if (!expected) {
    expected = keys.map((key) => Buffer.from(key));
    keyBytes.set(keys, expected);
  }
  const given = Buffer.from(candidate);
  let match = false;
  for (const key of expected) {
    if (key.length === given.length && timingSafeEqual(key, given)) match = true;
  }
  return match;
}

function bearer(headers: HeadersRecord): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return match?.[1]?.trim();
}

/** Derives the Platform scope of one request from its headers; throws UNAUTHENTICATED or BAD_USER_INPUT. */
export function scopeFromHeaders(config: GatewayConfig, headers: HeadersRecord): PlatformScope {
  const sandbox = sandboxFrom(headers, config.defaultSandbox);
  const traceparent = headerValue(headers, 'traceparent');
  const trace = traceparent && TRACEPARENT.test(traceparent) ? { traceparent } : {};

  if (config.authMode === 'pass-through') {
    const authorization = headerValue(headers, 'authorization');
    const apiKey = headerValue(headers, 'x-api-key');
    const orgId = headerValue(headers, 'x-gw-ims-org-id');
    const missing = [
      authorization ? null : 'Authorization',
      apiKey ? null : 'x-api-key',
      orgId ? null : 'x-gw-ims-org-id',
    ].filter((name): name is string => name !== null);
    if (missing.length > 0 || !authorization || !apiKey || !orgId) {
      throw unauthenticated(`Platform credentials are missing: send ${missing.join(', ')} (this gateway forwards your own Adobe credentials)`);
    }
    return { orgId, sandbox, forwardedAuth: { authorization, apiKey }, ...trace };
  }

  if (!config.open) {
    const key = headerValue(headers, 'x-gateway-api-key') ?? bearer(headers);
    if (!key) throw unauthenticated('A gateway API key is required: send x-gateway-api-key or Authorization: Bearer <key>');
    if (!keyMatches(key, config.gatewayApiKeys)) throw unauthenticated('The gateway API key is not valid');
  }
  // loadConfig guarantees an org id in the server-credential modes.
  return { orgId: config.orgId ?? '', sandbox, ...trace };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is a sane token, else a fresh one. */
export function requestIdFrom(headers: HeadersRecord): string {
  const given = headerValue(headers, 'x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * A class, with the lazy members as prototype getters: Apollo runs each
 * operation with a copy of the context (Object.assign onto an object of the
 * same prototype), and Object.assign reads own getters, which would build
 * the loaders and the child logger of every request whether it uses them or
 * not. Own properties are plain data; the memo fields start undefined, so the
 * copy builds what it uses, once.
 */
class RequestContext implements GatewayContext {
  private loadersMemo: Loaders | undefined = undefined;
  private loggerMemo: Logger | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly scope: PlatformScope,
    readonly platform: ScopedPlatform,
    readonly config: GatewayConfig,
    readonly batchWatch: BatchWatch,
    readonly record: RequestRecord,
    private readonly parentLogger: Logger,
  ) {}

  get loaders(): Loaders {
    return (this.loadersMemo ??= createLoaders(this.platform));
  }

  get logger(): Logger {
    return (this.loggerMemo ??= this.parentLogger.child({ requestId: this.requestId, sandbox: this.scope.sandbox }));
  }
}

export function createContextFactory(deps: ContextFactoryDeps): ContextFactory {
  const { config, platformClient, logger, batchWatch } = deps;
  return (headers, options = {}) => {
    const requestId = options.requestId ?? requestIdFrom(headers);
    const scope = scopeFromHeaders(config, headers);
    return new RequestContext(requestId, scope, platformClient.scoped(scope), config, batchWatch, options.record ?? { errorCount: 0 }, logger);
  };
}
