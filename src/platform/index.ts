// createPlatformClient: the typed REST client of the Platform, created once
// per process. It owns one keep-alive connection pool per upstream origin
// (the Platform, and IMS in OAuth mode); `scoped(scope)` binds it to one
// caller and is cheap enough to call per request (one small object; the
// per-API objects are made on first use).
import { Pool, type Dispatcher } from 'undici';
import { createAuth, DEFAULT_IMS_URL, type AuthConfig, type AuthStrategy } from './auth.ts';
import { createCatalogApi, type CatalogClient } from './catalog.ts';
import type { DataAccessApi, PlatformClient, SandboxesApi, ScopedPlatform } from './client.ts';
import { createDataAccessApi, resolveDataAccessOptions, type ResolvedDataAccessOptions } from './data-access.ts';
import { createHttp, DEFAULT_TIMEOUTS, type Http, type OnCall, type RetryOptions, type TimeoutOptions, type TraceCall } from './http.ts';
import { createIngestionApi, resolveIngestionOptions, type IngestionClient, type ResolvedIngestionOptions } from './ingestion.ts';
import { createSandboxesApi } from './sandboxes.ts';
import { createSchemaRegistryApi, type SchemaRegistryClient } from './schema-registry.ts';
import type { PlatformScope } from './types.ts';
import { createCircuitBreakers, type CircuitBreakers } from './circuit-breaker.ts';
import { createRetryBudget, type RetryBudget } from './retry-budget.ts';

export interface PlatformClientOptions {
  /** Where the Platform is: 'https://platform.adobe.io' or the emulator's URL. Paths '/data/foundation/...' are appended. */
  readonly baseUrl: string;
  /** Adobe IMS, for the oauth mode. @default 'https://ims-na1.adobelogin.com' */
  readonly imsUrl?: string;
  readonly auth: AuthConfig;
  /** @default { connect: 10_000, headers: 30_000, body: 30_000 } // ms */
  readonly timeouts?: TimeoutOptions;
  /** @default { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 } */
  readonly retry?: RetryOptions;
  /** Files up to this size go up in one PUT. @default 256 * 1024 * 1024 // 256 MiB */
  readonly smallFileLimit?: number;
  /** Part size of the large-file protocol, and the memory one upload holds. @default 64 * 1024 * 1024 // 64 MiB */
  readonly partSize?: number;
  /** Largest file downloadFile returns. @default 256 * 1024 * 1024 // 256 MiB */
  readonly maxDownloadBytes?: number;
  /** Connections per upstream origin. @default 32 */
  readonly connections?: number;
  /** How long an idle keep-alive socket is kept. @default 30_000 // 30 seconds */
  readonly keepAliveTimeout?: number;
  /** Called after every upstream attempt (metrics, counting). Must not throw. */
  readonly onCall?: OnCall;
  /** Opens a trace span per upstream attempt and propagates its traceparent. @default none */
  readonly trace?: TraceCall;
  /** One circuit breaker per upstream API. @default createCircuitBreakers() (5 failures, 10 s cool-down) */
  readonly breakers?: CircuitBreakers;
  /** Retries as a share of calls, per API. @default createRetryBudget() (20%, at least 10 per 10 s) */
  readonly retryBudget?: RetryBudget;
  /** Sends every request (Platform and IMS) instead of the pools the client would create; tests pass a MockAgent. Not closed by close(). */
  readonly dispatcher?: Dispatcher;
}

/** ScopedPlatform with the additions of this implementation (listAllSchemas, getDataSet, upload limits). */
export interface FullScopedPlatform extends ScopedPlatform {
  readonly schemaRegistry: SchemaRegistryClient;
  readonly catalog: CatalogClient;
  readonly ingestion: IngestionClient;
}

export interface FullPlatformClient extends PlatformClient {
  scoped(scope: PlatformScope): FullScopedPlatform;
  /** The auth mode in use ('static' | 'pass-through' | 'oauth'). */
  readonly authMode: AuthConfig['mode'];
}

interface Core {
  readonly http: Http;
  readonly ingestion: ResolvedIngestionOptions;
  readonly dataAccess: ResolvedDataAccessOptions;
  readonly baseUrlLength: number;
}

class Scoped implements FullScopedPlatform {
  #schemaRegistry?: SchemaRegistryClient;
  #catalog?: CatalogClient;
  #ingestion?: IngestionClient;
  #dataAccess?: DataAccessApi;
  #sandboxes?: SandboxesApi;

  constructor(
    readonly scope: PlatformScope,
    private readonly core: Core,
  ) {}

  get schemaRegistry(): SchemaRegistryClient {
    return (this.#schemaRegistry ??= createSchemaRegistryApi(this.core.http, this.scope));
  }

  get catalog(): CatalogClient {
    return (this.#catalog ??= createCatalogApi(this.core.http, this.scope, { baseUrlLength: this.core.baseUrlLength }));
  }

  get ingestion(): IngestionClient {
    return (this.#ingestion ??= createIngestionApi(this.core.http, this.scope, this.core.ingestion));
  }

  get dataAccess(): DataAccessApi {
    return (this.#dataAccess ??= createDataAccessApi(this.core.http, this.scope, this.core.dataAccess));
  }

  get sandboxes(): SandboxesApi {
    return (this.#sandboxes ??= createSandboxesApi(this.core.http, this.scope));
  }
}

export function createPlatformClient(options: PlatformClientOptions): FullPlatformClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const imsUrl = (options.imsUrl ?? DEFAULT_IMS_URL).replace(/\/+$/, '');
  const connectTimeout = options.timeouts?.connect ?? DEFAULT_TIMEOUTS.connect;
  // One pool per origin: with the emulator, IMS and the Platform share one.
  const ownPools = new Map<string, Pool>();
  const poolFor = (url: string): Dispatcher => {
    if (options.dispatcher) return options.dispatcher;
    const origin = new URL(url).origin;
    let pool = ownPools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connections ?? 32,
        keepAliveTimeout: options.keepAliveTimeout ?? 30_000,
        connect: { timeout: connectTimeout },
      });
      ownPools.set(origin, pool);
    }
    return pool;
  };
  // Checked here, once, so that a bad setting fails at startup and not on the first upload.
  const ingestion = resolveIngestionOptions({ smallFileLimit: options.smallFileLimit, partSize: options.partSize });
  const dataAccess = resolveDataAccessOptions({ maxDownloadBytes: options.maxDownloadBytes });
  const common = {
    timeouts: options.timeouts,
    retry: options.retry,
    onCall: options.onCall,
    trace: options.trace,
    breakers: options.breakers ?? createCircuitBreakers(),
    retryBudget: options.retryBudget ?? createRetryBudget(),
  };

  let auth: AuthStrategy;
  if (options.auth.mode === 'oauth') {
    const ims = createHttp({ ...common, baseUrl: imsUrl, dispatcher: poolFor(imsUrl), auth: null });
    auth = createAuth(options.auth, { ims });
  } else {
    auth = createAuth(options.auth);
  }
  const http = createHttp({ ...common, baseUrl, dispatcher: poolFor(baseUrl), auth });
  const core: Core = { http, ingestion, dataAccess, baseUrlLength: baseUrl.length };
  let closing: Promise<void> | null = null;

  return {
    authMode: auth.mode,
    scoped: (scope) => new Scoped(scope, core),
    close: () => (closing ??= Promise.all([...ownPools.values()].map((pool) => pool.close())).then(() => undefined)),
  };
}

export { PlatformError, type PlatformApi, type PlatformErrorKind } from './errors.ts';
export { AEP_OAUTH_SCOPE, DEFAULT_IMS_URL, type AuthConfig } from './auth.ts';
export type { CallInfo, OnCall, RetryOptions, TimeoutOptions, TraceCall, TraceCallInfo, TracedAttempt } from './http.ts';
export { createCircuitBreakers, CIRCUIT_OPEN, type BreakerState, type CircuitBreakers, type CircuitBreakerOptions } from './circuit-breaker.ts';
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from './retry-budget.ts';
export type { SchemaRegistryClient } from './schema-registry.ts';
export type { CatalogClient } from './catalog.ts';
export type { IngestionClient } from './ingestion.ts';
export type * from './client.ts';
export type * from './types.ts';
