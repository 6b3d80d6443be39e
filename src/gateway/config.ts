// Every gateway setting, read from the environment in one place (the only
// reader of process.env in the gateway), validated once with messages that
// name the variable, then frozen. docs/configuration.md documents each one.
import { isIP } from 'node:net';
import { parseGatewayKeys } from './access.ts';
import type { KeyGrant } from './access.ts';
import { parseTrustProxy } from './client-address.ts';
import type { TrustProxy } from './client-address.ts';

export type AuthMode = 'pass-through' | 'oauth' | 'static';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface GatewayConfig {
  /** PORT. @default 4000 */
  readonly port: number;
  /** HOST. @default '127.0.0.1' */
  readonly host: string;
  /** PLATFORM_BASE_URL. @default 'https://platform.adobe.io' */
  readonly platformBaseUrl: string;
  /** IMS_URL. @default 'https://ims-na1.adobelogin.com' */
  readonly imsUrl: string;
  /** AUTH_MODE. @default 'oauth' with AEP_CLIENT_ID, 'static' with AEP_ACCESS_TOKEN, else 'pass-through' */
  readonly authMode: AuthMode;
  /** AEP_CLIENT_ID (oauth; also the default x-api-key). */
  readonly clientId: string | undefined;
  /** AEP_CLIENT_SECRET (oauth). */
  readonly clientSecret: string | undefined;
  /** IMS_SCOPE (oauth). @default the AEP scope list */
  readonly imsScope: string;
  /** AEP_ORG_ID (oauth and static). */
  readonly orgId: string | undefined;
  /** AEP_ACCESS_TOKEN (static). */
  readonly accessToken: string | undefined;
  /** AEP_API_KEY (static; oauth uses it when set). @default AEP_CLIENT_ID */
  readonly apiKey: string | undefined;
  /** GATEWAY_API_KEYS: the keys clients present in oauth and static modes. @default [] */
  readonly gatewayApiKeys: readonly string[];
  /** GATEWAY_API_KEYS in its `key:sandboxes:role;...` form: the sandboxes and role of each key (see access.ts). Plain keys get every sandbox, read-write. @default [] */
  readonly gatewayKeyGrants: readonly KeyGrant[];
  /** REFUSE_PRODUCTION_WRITES: refuse every mutation in a sandbox whose Platform type is production. @default false */
  readonly refuseProductionWrites: boolean;
  /** GATEWAY_OPEN: oauth/static without gateway keys, on a loopback HOST and outside production only. @default false */
  readonly open: boolean;
  /** DEFAULT_SANDBOX: the sandbox of requests without x-sandbox-name. @default 'prod' */
  readonly defaultSandbox: string;
  /** SMALL_FILE_LIMIT: files above it use the large-file protocol. @default 256 MiB */
  readonly smallFileLimit: number;
  /** UPLOAD_PART_SIZE: part size of the large-file protocol (the memory bound per upload). @default 64 MiB */
  readonly uploadPartSize: number;
  /** MAX_FILE_SIZE: largest file a multipart request may carry; `unlimited` (only when asked) lifts the limit. @default 10 GiB */
  readonly maxFileSize: number;
  /** MAX_FILES: most files in one multipart request; `unlimited` (only when asked) lifts the limit. @default 20 */
  readonly maxFiles: number;
  /** MAX_BODY_SIZE: largest JSON request body. @default 1 MiB */
  readonly maxBodySize: number;
  /** UPSTREAM_TIMEOUT_MS: headers/body timeout of each upstream call. @default 30000 */
  readonly upstreamTimeoutMs: number;
  /** READINESS_CACHE_MS: how long /readyz reuses its last upstream check. @default 5000 */
  readonly readinessCacheMs: number;
  /** LOG_LEVEL. @default 'info' ('silent' under NODE_ENV=test) */
  readonly logLevel: LogLevel;
  /** NODE_ENV=production. @default false */
  readonly production: boolean;
  /** PLAYGROUND: serve GraphiQL and the upload page, and answer introspection. @default true, false with NODE_ENV=production */
  readonly playground: boolean;
  /** DEBUG_ERRORS: put original messages and stack traces of masked errors in responses. Refused in production. @default false */
  readonly debugErrors: boolean;
  /** MAX_DEPTH: deepest field nesting of a query, fragments followed. @default 10 */
  readonly maxDepth: number;
  /** MAX_COST: largest GraphQL Armor cost of a query (objects 2, scalars 1, x1.5 per level). @default 5000 */
  readonly maxCost: number;
  /** MAX_ALIASES: aliased fields per operation. @default 15 */
  readonly maxAliases: number;
  /** MAX_TOKENS: lexical tokens per document. @default 1000 */
  readonly maxTokens: number;
  /** MAX_DIRECTIVES: directives per operation. @default 50 */
  readonly maxDirectives: number;
  /** ALLOW_BATCHED_REQUESTS: accept a JSON array of operations in one HTTP request. @default false */
  readonly allowBatchedRequests: boolean;
  /** RATE_LIMIT_PER_MINUTE: requests per minute per client (gateway API key, else IP), in bursts up to the same figure; 0 turns it off. @default 0 */
  readonly rateLimitPerMinute: number;
  /** TRUST_PROXY: whose X-Forwarded-For gives the client address of the rate limit: off, a hop count, or proxy addresses and CIDR ranges. @default off (the TCP peer) */
  readonly trustProxy: TrustProxy;
  /** HEADERS_TIMEOUT_MS: time a client has to send its request headers. @default 10000 */
  readonly headersTimeoutMs: number;
  /** REQUEST_TIMEOUT_MS: time a client has to send a whole JSON request. @default 30000 */
  readonly requestTimeoutMs: number;
  /** UPLOAD_TIMEOUT_MS: time a client has to send a whole multipart upload. @default 3600000 (1 hour) */
  readonly uploadTimeoutMs: number;
  /** SHUTDOWN_TIMEOUT_MS: on SIGTERM, how long running requests (uploads included) and subscriptions get to finish before the rest is cut off. @default 30000 */
  readonly shutdownTimeoutMs: number;
  /** REDIS_URL: share batch pollers and subscription events between instances through this Redis. @default none (one instance, in memory) */
  readonly redisUrl: string | undefined;
  /** REDIS_KEY_PREFIX: put before every Redis key and channel, so deployments can share a Redis. @default 'aep-graphql:' */
  readonly redisKeyPrefix: string;
  /** BATCH_POLL_INTERVAL_MS: first delay between two polls of a watched batch, and the delay after a change. @default 120000 (the Platform's guide: 2 minutes) */
  readonly batchPollIntervalMs: number;
  /** BATCH_POLL_MAX_INTERVAL_MS: longest delay between two polls while nothing changes or the Platform fails. @default 4 x BATCH_POLL_INTERVAL_MS */
  readonly batchPollMaxIntervalMs: number;
  /** WS_KEEPALIVE_MS: interval of WebSocket pings to subscription clients; 0 turns them off. @default 12000 */
  readonly wsKeepAliveMs: number;
  /** METRICS: serve Prometheus metrics on GET /metrics. @default true */
  readonly metrics: boolean;
  /** METRICS_OPERATIONS: comma-separated operation names that always get their own metrics label. @default [] */
  readonly metricsOperations: readonly string[];
  /** METRICS_MAX_OPERATIONS: distinct operation names labelled as they are, beyond METRICS_OPERATIONS; later ones count as 'other'. @default 200 */
  readonly metricsMaxOperations: number;
  /** BREAKER_FAILURES: consecutive failed calls (5xx, timeouts, network) to one Platform API that open its circuit breaker; 0 turns breakers off. @default 5 */
  readonly breakerFailures: number;
  /** BREAKER_COOLDOWN_MS: how long an open breaker fails fast before it lets one probe call through. @default 10000 */
  readonly breakerCooldownMs: number;
  /** RETRY_BUDGET_PERCENT: retries allowed, as a percentage of the calls to one API over 10 seconds (at least 10 retries); held as a ratio. @default 20 (0.2) */
  readonly retryBudgetRatio: number;
  /** OTEL_ENABLED: trace each GraphQL operation and each upstream call with OpenTelemetry, and send a traceparent upstream. @default true when OTEL_EXPORTER_OTLP_ENDPOINT is set, else false */
  readonly tracing: boolean;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP collector base URL; spans go to <url>/v1/traces. @default the exporter's own (http://localhost:4318) */
  readonly otlpEndpoint: string | undefined;
  /** OTEL_SERVICE_NAME: the service.name of the spans. @default 'aep-graphql' */
  readonly otelServiceName: string;
  /** PERSISTED_QUERIES: automatic persisted queries (APQ); the cache is in memory, or in Redis with REDIS_URL. @default true */
  readonly persistedQueries: boolean;
  /** PERSISTED_DOCUMENTS: path of a JSON manifest { "<sha256>": "<query>" }; with it, only those documents run. @default none (any document) */
  readonly persistedDocumentsPath: string | undefined;
  /** SCHEMA_CACHE_TTL_MS: how long a Schema Registry lookup by id is reused, per org, sandbox and credential; 0 turns the cache off. @default 30000 */
  readonly schemaCacheTtlMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The scope string of an AEP OAuth Server-to-Server credential. */
export const AEP_IMS_SCOPE = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: KIB, kb: KIB, kib: KIB, m: MIB, mb: MIB, mib: MIB, g: GIB, gb: GIB, gib: GIB };
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const AUTH_MODES: readonly AuthMode[] = ['pass-through', 'oauth', 'static'];
const SANDBOX_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment; throws a ConfigError listing every problem at once. */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };

  const size = (name: string, fallback: number, min: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const match = /^(\d+)\s*([a-z]*)$/i.exec(raw);
    const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
    if (!match || unit === undefined) {
      problems.push(`${name} must be a byte count such as 1048576, 512kb, 64mb or 2gb, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    const value = Number(match[1]) * unit;
    if (!Number.isSafeInteger(value) || value < min) {
      problems.push(`${name} must be at least ${min} bytes, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };

  const flag = (name: string, fallback = false): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
    return false;
  };

  /** Upload limits are lifted only by saying so. */
  const unlimited = (name: string): boolean => read(name)?.toLowerCase() === 'unlimited';

  const url = (name: string, fallback: string): string => {
    const raw = read(name) ?? fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
      return fallback;
    }
  };

  const production = read('NODE_ENV') === 'production';
  const clientId = read('AEP_CLIENT_ID');
  const clientSecret = read('AEP_CLIENT_SECRET');
  const orgId = read('AEP_ORG_ID');
  const accessToken = read('AEP_ACCESS_TOKEN');
  const apiKey = read('AEP_API_KEY') ?? clientId;

  const modeRaw = read('AUTH_MODE');
  let authMode: AuthMode = clientId ? 'oauth' : accessToken ? 'static' : 'pass-through';
  if (modeRaw !== undefined) {
    if ((AUTH_MODES as readonly string[]).includes(modeRaw)) authMode = modeRaw as AuthMode;
    else problems.push(`AUTH_MODE must be one of ${AUTH_MODES.join(', ')}, got ${JSON.stringify(modeRaw)}`);
  }
  if (authMode === 'oauth') {
    for (const [name, value] of [['AEP_CLIENT_ID', clientId], ['AEP_CLIENT_SECRET', clientSecret], ['AEP_ORG_ID', orgId]] as const) {
      if (!value) problems.push(`${name} is required with AUTH_MODE=oauth`);
    }
  }
  if (authMode === 'static') {
    for (const [name, value] of [['AEP_ACCESS_TOKEN', accessToken], ['AEP_API_KEY (or AEP_CLIENT_ID)', apiKey], ['AEP_ORG_ID', orgId]] as const) {
      if (!value) problems.push(`${name} is required with AUTH_MODE=static`);
    }
  }

  const host = read('HOST') ?? '127.0.0.1';
  const gatewayKeyGrants = parseGatewayKeys(read('GATEWAY_API_KEYS') ?? '', problems);
  const gatewayApiKeys = gatewayKeyGrants.map((grant) => grant.key);
  const open = flag('GATEWAY_OPEN');
  if (open && production) problems.push('GATEWAY_OPEN is for local development and is refused with NODE_ENV=production');
  if (open && !isLoopback(host)) problems.push(`GATEWAY_OPEN needs a loopback HOST (127.0.0.1, ::1 or localhost), got ${JSON.stringify(host)}`);
  if (authMode !== 'pass-through' && !open && gatewayApiKeys.length === 0) {
    problems.push(`GATEWAY_API_KEYS is required with AUTH_MODE=${authMode}: the gateway holds Platform credentials, so clients must present a gateway key (or set GATEWAY_OPEN=true for local development)`);
  }

  const defaultSandbox = read('DEFAULT_SANDBOX') ?? 'prod';
  if (!SANDBOX_NAME.test(defaultSandbox)) problems.push(`DEFAULT_SANDBOX must be a sandbox name (lower-case letters, digits, hyphens), got ${JSON.stringify(defaultSandbox)}`);

  const logLevelRaw = read('LOG_LEVEL') ?? (read('NODE_ENV') === 'test' ? 'silent' : 'info');
  let logLevel: LogLevel = 'info';
  if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as LogLevel;
  else problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevelRaw)}`);

  const debugErrors = flag('DEBUG_ERRORS');
  if (debugErrors && production) problems.push('DEBUG_ERRORS is refused with NODE_ENV=production: it puts stack traces in responses');

  const headersTimeoutMs = integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const uploadTimeoutMs = integer('UPLOAD_TIMEOUT_MS', 3_600_000, 100, 86_400_000);
  if (headersTimeoutMs > requestTimeoutMs) problems.push('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS');
  if (requestTimeoutMs > uploadTimeoutMs) problems.push('REQUEST_TIMEOUT_MS must not exceed UPLOAD_TIMEOUT_MS');
  const shutdownTimeoutMs = integer('SHUTDOWN_TIMEOUT_MS', 30_000, 100, 3_600_000);

  const smallFileLimit = size('SMALL_FILE_LIMIT', 256 * MIB, 1);
  const uploadPartSize = size('UPLOAD_PART_SIZE', 64 * MIB, 1);
  if (uploadPartSize > 512_000_000) problems.push('UPLOAD_PART_SIZE must not exceed 512000000 bytes (the Platform\'s largest chunk)');

  const redisUrl = read('REDIS_URL');
  // The URL may hold a password: never echo it.
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  const batchPollIntervalMs = integer('BATCH_POLL_INTERVAL_MS', 120_000, 10, 3_600_000);
  const batchPollMaxIntervalMs = integer('BATCH_POLL_MAX_INTERVAL_MS', 4 * batchPollIntervalMs, 10, 86_400_000);
  if (batchPollMaxIntervalMs < batchPollIntervalMs) problems.push('BATCH_POLL_MAX_INTERVAL_MS must not be below BATCH_POLL_INTERVAL_MS');

  const config: GatewayConfig = {
    port: integer('PORT', 4000, 0, 65_535),
    host,
    platformBaseUrl: url('PLATFORM_BASE_URL', 'https://platform.adobe.io'),
    imsUrl: url('IMS_URL', 'https://ims-na1.adobelogin.com'),
    authMode,
    clientId,
    clientSecret,
    imsScope: read('IMS_SCOPE') ?? AEP_IMS_SCOPE,
    orgId,
    accessToken,
    apiKey,
    gatewayApiKeys: Object.freeze(gatewayApiKeys),
    gatewayKeyGrants: Object.freeze(gatewayKeyGrants),
    refuseProductionWrites: flag('REFUSE_PRODUCTION_WRITES'),
    open,
    defaultSandbox,
    smallFileLimit,
    uploadPartSize,
    maxFileSize: unlimited('MAX_FILE_SIZE') ? Number.MAX_SAFE_INTEGER : size('MAX_FILE_SIZE', 10 * GIB, 1),
    maxFiles: unlimited('MAX_FILES') ? Number.MAX_SAFE_INTEGER : integer('MAX_FILES', 20, 1, 1_500),
    maxBodySize: size('MAX_BODY_SIZE', MIB, 1_024),
    upstreamTimeoutMs: integer('UPSTREAM_TIMEOUT_MS', 30_000, 100, 3_600_000),
    readinessCacheMs: integer('READINESS_CACHE_MS', 5_000, 0, 600_000),
    logLevel,
    production,
    playground: flag('PLAYGROUND', !production),
    debugErrors,
    maxDepth: integer('MAX_DEPTH', 10, 1, 1_000),
    maxCost: integer('MAX_COST', 5_000, 1, 10_000_000),
    maxAliases: integer('MAX_ALIASES', 15, 0, 10_000),
    maxTokens: integer('MAX_TOKENS', 1_000, 1, 1_000_000),
    maxDirectives: integer('MAX_DIRECTIVES', 50, 0, 10_000),
    allowBatchedRequests: flag('ALLOW_BATCHED_REQUESTS'),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 0, 0, 10_000_000),
    trustProxy: parseTrustProxy(read('TRUST_PROXY'), problems),
    headersTimeoutMs,
    requestTimeoutMs,
    uploadTimeoutMs,
    shutdownTimeoutMs,
    redisUrl,
    redisKeyPrefix: read('REDIS_KEY_PREFIX') ?? 'aep-graphql:',
    batchPollIntervalMs,
    batchPollMaxIntervalMs,
    wsKeepAliveMs: integer('WS_KEEPALIVE_MS', 12_000, 0, 3_600_000),
    metrics: flag('METRICS', true),
    metricsOperations: Object.freeze((read('METRICS_OPERATIONS') ?? '').split(',').map((name) => name.trim()).filter(Boolean)),
    metricsMaxOperations: integer('METRICS_MAX_OPERATIONS', 200, 0, 100_000),
    breakerFailures: integer('BREAKER_FAILURES', 5, 0, 1_000),
    breakerCooldownMs: integer('BREAKER_COOLDOWN_MS', 10_000, 10, 3_600_000),
    retryBudgetRatio: integer('RETRY_BUDGET_PERCENT', 20, 0, 1_000) / 100,
    tracing: flag('OTEL_ENABLED', read('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined),
    otlpEndpoint: read('OTEL_EXPORTER_OTLP_ENDPOINT') === undefined ? undefined : url('OTEL_EXPORTER_OTLP_ENDPOINT', ''),
    otelServiceName: read('OTEL_SERVICE_NAME') ?? 'aep-graphql',
    persistedQueries: flag('PERSISTED_QUERIES', true),
    persistedDocumentsPath: read('PERSISTED_DOCUMENTS'),
    schemaCacheTtlMs: integer('SCHEMA_CACHE_TTL_MS', 30_000, 0, 86_400_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function isSandboxName(value: string): boolean {
  return SANDBOX_NAME.test(value);
}
