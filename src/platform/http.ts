// The one place where the client speaks HTTP: the Platform headers, explicit
// timeouts, retries of idempotent calls (with backoff, jitter and
// Retry-After), one token refresh on a 401, error mapping, and the rule that
// every response body is read or dumped so the keep-alive socket goes back to
// the pool.
//
// Hot path: everything that does not depend on the call is computed in
// createHttp; a successful call allocates its header list, the undici
// request and its result, and nothing else (the onCall record only when a
// listener is set). JSON calls, nearly all of them, are sent with undici's
// `dispatch` and their body gathered into one buffer as it arrives: no body
// stream and no async resource per response, which the `request` API would
// make. Calls with a body reader of their own (downloads, HEAD) keep the
// streamed response.
import type { Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import type { AuthStrategy, Credentials } from './auth.ts';
import { PlatformError, RETRY_STATUSES, fromResponse, fromTransportError, type PlatformApi, type ResponseHeaders } from './errors.ts';
import type { PlatformScope } from './types.ts';
import type { BreakerPermit, CircuitBreakers } from './circuit-breaker.ts';
import type { RetryBudget } from './retry-budget.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TimeoutOptions {
  /** Time to open a TCP/TLS connection. Applied where the pools are created (index.ts). @default 10_000 // 10 seconds */
  readonly connect?: number;
  /** Time from the last byte sent to the response headers. The Platform is slow on large Catalog queries. @default 30_000 // 30 seconds */
  readonly headers?: number;
  /** Longest pause between two chunks of a response body. @default 30_000 // 30 seconds */
  readonly body?: number;
}

export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay; doubles per retry, with jitter. @default 200 // ms */
  readonly baseDelayMs?: number;
  /** Cap of one backoff delay. @default 5_000 // 5 seconds */
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error surfaces with `retryAfterSeconds`. @default 30_000 // 30 seconds */
  readonly maxRetryAfterMs?: number;
}

/** One upstream call (one attempt), for metrics and for counting in tests. */
export interface CallInfo {
  readonly api: PlatformApi;
  readonly method: HttpMethod;
  /** The route template, low cardinality: '/dataSets/{id}'. */
  readonly route: string;
  /** undefined when no response arrived (timeout, network). */
  readonly status: number | undefined;
  readonly durationMs: number;
  /** 1 for the first try. */
  readonly attempt: number;
}

export type OnCall = (info: CallInfo) => void;

/** What a tracer needs to know to open a span for one attempt of an upstream call. */
export interface TraceCallInfo {
  readonly api: PlatformApi;
  readonly method: HttpMethod;
  readonly route: string;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly scope: PlatformScope | undefined;
}

/** One traced attempt: its W3C traceparent goes upstream; `end` is called once, with the status (undefined when no response arrived). */
export interface TracedAttempt {
  readonly traceparent: string;
  end(status: number | undefined): void;
}

/** Opens a span per attempt (tracing.ts in the gateway); undefined leaves the attempt untraced. Must not throw. */
export type TraceCall = (info: TraceCallInfo) => TracedAttempt | undefined;

export type RequestBody = string | Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface HttpRequest {
  readonly api: PlatformApi;
  readonly method: HttpMethod;
  /** Below the base URL, query string included, already percent-encoded: '/data/foundation/catalog/dataSets/abc'. */
  readonly path: string;
  /** The route template for CallInfo: '/dataSets/{id}'. */
  readonly route: string;
  /** Who calls and where; absent only for calls that carry no Platform headers (IMS). */
  readonly scope?: PlatformScope;
  /** Extra headers, lower-case names (accept, content-type, content-range, if-match). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /**
   * Whether the call may be sent again after a transient failure (429, 5xx,
   * timeout, reset). Only for calls that are safe to repeat and whose body
   * can be sent again: a streamed body never is, whatever this says.
   * @default true for GET and HEAD, false otherwise
   */
  readonly idempotent?: boolean;
  /** A 404 resolves to null instead of throwing. @default false */
  readonly nullOn404?: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** What a body reader gets: the status, the headers, and the body it must consume. */
export type ResponseData = Dispatcher.ResponseData;

/** Consumes a 2xx response body into a value. Runs inside the retry loop, so a body timeout of an idempotent call is retried. */
export type BodyReader<T> = (response: ResponseData) => Promise<T>;

export interface ResponseMeta {
  readonly status: number;
  readonly headers: ResponseHeaders;
}

export interface Http {
  /** Sends a call; a 2xx body goes to `read`, anything else becomes a PlatformError (or null on 404 with nullOn404). */
  request<T>(req: HttpRequest, read: BodyReader<T>): Promise<T>;
  /** 2xx → the parsed JSON (undefined for an empty body). */
  json<T>(req: HttpRequest): Promise<T>;
  /** As json, but a 404 gives null. */
  jsonOrNull<T>(req: HttpRequest): Promise<T | null>;
  /** 2xx → status and headers; the body is dumped. */
  empty(req: HttpRequest): Promise<ResponseMeta>;
  /** 2xx → the whole body, refusing more than maxBytes. */
  bytes(req: HttpRequest, maxBytes: number): Promise<Buffer>;
}

export interface HttpOptions {
  /** Origin plus an optional path prefix: 'https://platform.adobe.io' or 'http://127.0.0.1:4010'. */
  readonly baseUrl: string;
  /** Sends the requests: a Pool for baseUrl's origin, an Agent, or a MockAgent in tests. */
  readonly dispatcher: Dispatcher;
  /** Supplies Authorization and x-api-key; null for calls that carry no Platform headers (IMS). */
  readonly auth: AuthStrategy | null;
  readonly timeouts?: TimeoutOptions;
  readonly retry?: RetryOptions;
  readonly onCall?: OnCall;
  /** Traces every attempt and sends its traceparent upstream. @default none (only the caller's own traceparent is forwarded) */
  readonly trace?: TraceCall;
  /** Fail fast while an API keeps failing (circuit-breaker.ts). @default none */
  readonly breakers?: CircuitBreakers;
  /** Caps retries at a share of the calls (retry-budget.ts). @default none (every retryable failure is retried) */
  readonly retryBudget?: RetryBudget;
  /** Jitter source, for tests. @default Math.random */
  readonly random?: () => number;
  /** Timer used for backoff, for tests. @default a setTimeout-based sleep */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** Error bodies larger than this are cut; they are for messages, not for data. */
const MAX_ERROR_BODY = 64 * 1024;

export const DEFAULT_TIMEOUTS = { connect: 10_000, headers: 30_000, body: 30_000 } as const;
export const DEFAULT_RETRY = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 } as const;

function isReplayable(body: RequestBody | undefined): boolean {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads an error body up to MAX_ERROR_BODY bytes; the rest is discarded with the socket. */
async function readErrorBody(body: ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.length;
    if (size >= MAX_ERROR_BODY) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8');
}

export const readJson: BodyReader<unknown> = async (response) => parseJsonBody(await response.body.text());

function parseJsonBody(text: string): unknown {
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** A response whose body has been read whole (JSON calls), or is still to be read (a body reader's calls). */
type Received = { readonly buffered: true; readonly statusCode: number; readonly headers: ResponseHeaders; readonly body: Buffer } | { readonly buffered: false; readonly response: ResponseData };

/**
 * One attempt through undici's `dispatch`, gathering the body into a buffer as
 * it arrives. Timeouts are undici's (headersTimeout, bodyTimeout); an abort of
 * `signal` ends the attempt with its reason, as `request` does. A 2xx body is
 * kept whole; of any other, the first MAX_ERROR_BODY bytes.
 */
function dispatchBuffered(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal: AbortSignal | undefined): Promise<Received> {
  return new Promise((resolve, reject) => {
    let statusCode = 0;
    let headers: ResponseHeaders = {};
    let chunks: Buffer[] = [];
    let size = 0;
    let onAbort: (() => void) | undefined;
    const stopListening = () => {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      onAbort = undefined;
    };
    dispatcher.dispatch(options, {
      onRequestStart(controller) {
        if (!signal) return;
        if (signal.aborted) return controller.abort(signal.reason as Error);
        stopListening();
        onAbort = () => controller.abort(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
      },
      onResponseStart(_controller, status, responseHeaders) {
        // 1xx informational responses come first; the last call is the response.
        statusCode = status;
        headers = responseHeaders as ResponseHeaders;
        chunks = [];
        size = 0;
      },
      onResponseData(_controller, chunk) {
        if (statusCode < 300 || size < MAX_ERROR_BODY) {
          chunks.push(chunk);
          size += chunk.length;
        }
      },
      onResponseEnd() {
        stopListening();
        resolve({ buffered: true, statusCode, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      },
      onResponseError(_controller, error) {
        stopListening();
        reject(error);
      },
    });
  });
}

const readEmpty: BodyReader<ResponseMeta> = async (response) => {
  await response.body.dump();
  return { status: response.statusCode, headers: response.headers };
};

/** Reads a whole body, failing early on a Content-Length or a byte count above maxBytes. */
export function readBytes(maxBytes: number, api: PlatformApi): BodyReader<Buffer> {
  return async (response) => {
    const declared = Number(response.headers['content-length']);
    const tooLarge = () =>
      new PlatformError(`The file is larger than the download limit of ${maxBytes} bytes`, {
        kind: 'http',
        api,
        status: 413,
        title: 'PayloadTooLarge',
        detail: `more than ${maxBytes} bytes`,
      });
    if (declared > maxBytes) {
      response.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(buf);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  };
}

function splitBaseUrl(baseUrl: string): { origin: string; prefix: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
}

export function createHttp(options: HttpOptions): Http {
  const { dispatcher, auth, onCall, breakers, retryBudget, trace } = options;
  const { origin, prefix } = splitBaseUrl(options.baseUrl);
  const headersTimeout = options.timeouts?.headers ?? DEFAULT_TIMEOUTS.headers;
  const bodyTimeout = options.timeouts?.body ?? DEFAULT_TIMEOUTS.body;
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  const baseDelayMs = options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const maxRetryAfterMs = options.retry?.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const now = onCall ? () => performance.now() : () => 0;

  /** Exponential backoff with "equal jitter": half fixed, half random, so retries of many callers spread out. */
  function backoffMs(retry: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
    return ceiling / 2 + random() * (ceiling / 2);
  }

  function headersFor(req: HttpRequest, credentials: Credentials | null, traced: TracedAttempt | undefined): string[] {
    const list: string[] = [];
    if (credentials && req.scope) {
      list.push(
        'authorization', credentials.authorization,
        'x-api-key', credentials.apiKey,
        'x-gw-ims-org-id', req.scope.orgId,
        'x-sandbox-name', req.scope.sandbox,
      );
      // The attempt's own span, a child of the caller's, when tracing is on.
      const traceparent = traced?.traceparent ?? req.scope.traceparent;
      if (traceparent) list.push('traceparent', traceparent);
    }
    const extra = req.headers;
    if (extra) for (const name in extra) list.push(name, extra[name]!);
    return list;
  }

  function report(req: HttpRequest, status: number | undefined, started: number, attempt: number, traced: TracedAttempt | undefined): void {
    onCall?.({ api: req.api, method: req.method, route: req.route, status, durationMs: now() - started, attempt });
    traced?.end(status);
  }

  /** Sends a call; with `read` 'json' the body is gathered by dispatchBuffered and parsed, else it goes to the reader as a stream. */
  async function exchange<T>(req: HttpRequest, read: BodyReader<T> | 'json'): Promise<T> {
    const replayable = isReplayable(req.body);
    const retryable = replayable && (req.idempotent ?? (req.method === 'GET' || req.method === 'HEAD'));
    let transientRetries = 0;
    let refreshedAuth = false;
    retryBudget?.recordCall(req.api);
    /** Whether one more attempt may follow a transient failure. */
    const mayRetry = () => retryable && transientRetries + 1 < maxAttempts && !req.signal?.aborted && (retryBudget?.tryRetry(req.api) ?? true);

    for (let attempt = 1; ; attempt++) {
      let credentials: Credentials | null = null;
      if (auth && req.scope) {
        const pending = auth.credentials(req.scope);
        credentials = isPromise(pending) ? await pending : pending;
      }
      // Throws at once, before any network work, while the API's breaker is open.
      const permit: BreakerPermit | undefined = breakers?.acquire(req.api);
      const started = now();
      const traced = trace?.({ api: req.api, method: req.method, route: req.route, attempt, scope: req.scope });
      let received: Received;
      try {
        const options = {
          origin,
          path: prefix + req.path,
          method: req.method,
          headers: headersFor(req, credentials, traced),
          // undici sends async iterables too; its types only list Readable.
          body: (req.body ?? null) as string | Uint8Array | Readable | null,
          headersTimeout,
          bodyTimeout,
        };
        received = read === 'json' ? await dispatchBuffered(dispatcher, options, req.signal) : { buffered: false, response: await dispatcher.request({ ...options, signal: req.signal }) };
      } catch (error) {
        report(req, undefined, started, attempt, traced);
        const failure = fromTransportError(error, req.api);
        if (failure) permit?.failure();
        else permit?.release();
        if (!failure) throw error;
        if (mayRetry()) {
          transientRetries++;
          await sleep(backoffMs(transientRetries), req.signal);
          continue;
        }
        throw failure;
      }

      const status = received.buffered ? received.statusCode : received.response.statusCode;
      if (status >= 200 && status < 300) {
        try {
          const value = received.buffered ? (parseJsonBody(received.body.toString('utf8')) as T) : await (read as BodyReader<T>)(received.response);
          report(req, status, started, attempt, traced);
          permit?.success();
          return value;
        } catch (error) {
          report(req, status, started, attempt, traced);
          if (!received.buffered && !received.response.body.destroyed) received.response.body.destroy();
          // A reader's own verdict (a download over its limit) is final; only transport failures retry.
          const failure = error instanceof PlatformError ? null : fromTransportError(error, req.api);
          if (failure) permit?.failure();
          else permit?.success();
          if (!failure) throw error;
          if (mayRetry()) {
            transientRetries++;
            await sleep(backoffMs(transientRetries), req.signal);
            continue;
          }
          throw failure;
        }
      }

      if (status === 404 && req.nullOn404) {
        if (!received.buffered) await received.response.body.dump();
        report(req, status, started, attempt, traced);
        permit?.success();
        return null as T;
      }

      const text = received.buffered ? received.body.toString('utf8', 0, MAX_ERROR_BODY) : await readErrorBody(received.response.body).catch(() => '');
      report(req, status, started, attempt, traced);
      if (status >= 500) permit?.failure();
      else permit?.success();
      const failure = fromResponse(status, text, received.buffered ? received.headers : received.response.headers, req.api);

      // A 401 never reached the service, so even a create may be sent again,
      // once, when the strategy has a fresher token to offer.
      if (status === 401 && replayable && !refreshedAuth && credentials && auth?.invalidate(credentials)) {
        refreshedAuth = true;
        continue;
      }
      if (RETRY_STATUSES.has(status)) {
        const retryAfterMs = failure.retryAfterSeconds === undefined ? undefined : failure.retryAfterSeconds * 1000;
        if ((retryAfterMs === undefined || retryAfterMs <= maxRetryAfterMs) && mayRetry()) {
          transientRetries++;
          await sleep(retryAfterMs ?? backoffMs(transientRetries), req.signal);
          continue;
        }
      }
      throw failure;
    }
  }

  return {
    request: exchange,
    json: <T>(req: HttpRequest) => exchange<T>(req, 'json'),
    jsonOrNull: <T>(req: HttpRequest) => exchange<T | null>(req.nullOn404 ? req : { ...req, nullOn404: true }, 'json'),
    empty: (req: HttpRequest) => exchange(req, readEmpty),
    bytes: (req: HttpRequest, maxBytes: number) => exchange(req, readBytes(maxBytes, req.api)),
  };
}
