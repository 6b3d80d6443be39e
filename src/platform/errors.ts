// One error type for everything that goes wrong between the gateway and the
// Platform: an HTTP error status (any of the Platform's body shapes), a
// timeout, a network failure, or a failure to authenticate. The gateway maps
// `kind` and `status` to GraphQL error codes; `aepCode` and `requestId` are
// what a user quotes to Adobe support.
//
// Messages are built only from the status and the Platform's own error text:
// never from request headers, tokens or API keys.

/** Which upstream API a call went to. */
export type PlatformApi = 'schemaRegistry' | 'catalog' | 'ingestion' | 'dataAccess' | 'sandboxes' | 'ims';

export type PlatformErrorKind = 'http' | 'timeout' | 'network' | 'auth';

export interface PlatformErrorFields {
  readonly kind: PlatformErrorKind;
  readonly api: PlatformApi;
  /** HTTP status; undefined when no response arrived (timeout, network). */
  readonly status?: number;
  /** The Platform's code: gateway `error_code` ('401013'), `XDM-1010-404`, `SMS-2074-400`, the Catalog title ('NotFoundError') or the IMS `error`. */
  readonly aepCode?: string;
  readonly title?: string;
  readonly detail?: string;
  /** `x-request-id` response header, else the Schema Registry's `report.registryRequestId`. */
  readonly requestId?: string;
  /** From a `Retry-After` header (seconds or an HTTP date), in whole seconds. */
  readonly retryAfterSeconds?: number;
  /** The undici or system error code behind a timeout or network failure (`UND_ERR_HEADERS_TIMEOUT`, `ECONNRESET`). */
  readonly code?: string;
  readonly cause?: unknown;
}

export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly kind: PlatformErrorKind;
  readonly api: PlatformApi;
  readonly status: number | undefined;
  readonly aepCode: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, fields: PlatformErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.kind = fields.kind;
    this.api = fields.api;
    this.status = fields.status;
    this.aepCode = fields.aepCode;
    this.title = fields.title;
    this.detail = fields.detail;
    this.requestId = fields.requestId;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.code = fields.code;
  }

  /** Builds the error for a non-2xx response from any of the Platform's error body shapes. */
  static fromResponse(status: number, body: unknown, headers: ResponseHeaders, api: PlatformApi): PlatformError {
    return fromResponse(status, body, headers, api);
  }

  /** Builds the error for a request that got no (complete) response: timeouts and network failures; null for anything else. */
  static fromTransportError(error: unknown, api: PlatformApi): PlatformError | null {
    return fromTransportError(error, api);
  }
}

/** Response headers as undici gives them (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Longest piece of an unrecognised error body kept as `detail`. */
const MAX_DETAIL = 500;

interface ParsedBody {
  aepCode?: string;
  title?: string;
  detail?: string;
  requestId?: string;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The last path segment of an `http://ns.adobe.com/aep/errors/XDM-1010-404`-style type. */
function codeFromType(type: string): string | undefined {
  if (!type.includes('/errors/')) return undefined;
  return str(type.slice(type.lastIndexOf('/') + 1));
}

/** Reads every error body shape of platform-api.md §1.4, §1.5 and §1.7. */
function parseBody(body: unknown): ParsedBody {
  const value = toValue(body);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const text = typeof value === 'string' ? value.trim() : '';
    return text ? { detail: text.slice(0, MAX_DETAIL) } : {};
  }
  const o = value as Record<string, unknown>;

  // Adobe I/O gateway: {error_code, message}
  if ('error_code' in o) {
    const message = str(o.message);
    return { aepCode: str(o.error_code) ?? String(o.error_code), title: message, detail: message };
  }
  // IMS (OAuth): {error, error_description}
  if (typeof o.error === 'string' && !('type' in o)) {
    return { aepCode: o.error, title: o.error, detail: str(o.error_description) };
  }
  const type = str(o.type);
  const title = str(o.title);
  const detail = str(o.detail);
  if (type) {
    const report = o.report && typeof o.report === 'object' ? (o.report as Record<string, unknown>) : undefined;
    const typeCode = codeFromType(type);
    if (typeCode) {
      // Shape A (Schema Registry, with report) or shape C (Sandbox Management, the title is the message).
      return {
        aepCode: typeCode,
        title,
        detail: detail ?? str(report?.['detailed-message']) ?? title,
        requestId: str(report?.registryRequestId),
      };
    }
    // Shape B: {type: '/placeholder/type/uri', status, title: 'NotFoundError', detail}; the title is the code.
    return { aepCode: title, title, detail };
  }
  const message = str(o.message) ?? detail ?? title;
  return { title, detail: message };
}

function toValue(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  let text: string;
  if (typeof body === 'string') text = body;
  else if (Buffer.isBuffer(body) || body instanceof Uint8Array) text = Buffer.from(body).toString('utf8');
  else return body;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Retry-After` as whole seconds: either delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

const API_NAMES: Record<PlatformApi, string> = {
  schemaRegistry: 'Schema Registry',
  catalog: 'Catalog',
  ingestion: 'Batch Ingestion',
  dataAccess: 'Data Access',
  sandboxes: 'Sandbox Management',
  ims: 'IMS',
};

export function fromResponse(status: number, body: unknown, headers: ResponseHeaders, api: PlatformApi): PlatformError {
  const parsed = parseBody(body);
  const requestId = headerValue(headers, 'x-request-id') ?? parsed.requestId;
  const retryAfterSeconds = parseRetryAfter(headerValue(headers, 'retry-after'));
  const what = [parsed.aepCode, parsed.detail ?? parsed.title].filter(Boolean).join(': ');
  return new PlatformError(`${API_NAMES[api]} answered ${status}${what ? ` (${what})` : ''}`, {
    kind: 'http',
    api,
    status,
    aepCode: parsed.aepCode,
    title: parsed.title,
    detail: parsed.detail,
    requestId,
    retryAfterSeconds,
  });
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

const TIMEOUT_WHAT: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting',
  UND_ERR_HEADERS_TIMEOUT: 'waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'waiting for the response body',
  ETIMEDOUT: 'connecting',
};

/** The `code` of an undici or system error, looking through `cause` chains and AggregateErrors (dual-stack connects). */
export function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Failures to reach the upstream or keep talking to it (platform-api is behind a load balancer: resets happen). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * The PlatformError for a timeout or a network failure, or null when `error`
 * is neither (an abort by the caller, a failing upload source, a bug): those
 * travel on unchanged.
 */
export function fromTransportError(error: unknown, api: PlatformApi): PlatformError | null {
  if (error instanceof PlatformError) return error;
  const code = errorCode(error);
  if (code === undefined) return null;
  if (TIMEOUT_CODES.has(code)) {
    return new PlatformError(`${API_NAMES[api]} timed out ${TIMEOUT_WHAT[code]}`, { kind: 'timeout', api, code, cause: error });
  }
  if (NETWORK_CODES.has(code)) {
    return new PlatformError(`${API_NAMES[api]} could not be reached (${code})`, { kind: 'network', api, code, cause: error });
  }
  return null;
}

/** Errors worth a retry when the call is idempotent: no response, or a response that says "try again". */
export function isTransient(error: PlatformError): boolean {
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  return error.kind === 'http' && error.status !== undefined && RETRY_STATUSES.has(error.status);
}

/** undici's RetryHandler defaults: rate limited or the upstream is unwell. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
