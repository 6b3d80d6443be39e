// Prometheus metrics of one gateway instance (prom-client), served on
// GET /metrics. One registry per gateway, never prom-client's global one, so
// that several gateways (tests) keep their own figures.
//
// What is measured: GraphQL requests by operation name and outcome, GraphQL
// errors by code, upstream calls by API, method and status with their
// latency, upstream retries, bytes of multipart uploads received, and, when
// the gateway serves subscriptions, the subscriptions and pollers running.
//
// Labels stay bounded: operation names are free text chosen by clients, so
// only names on the allow-list, or among the first `maxOperationNames`
// distinct names seen, get their own label; the rest count as 'other', and
// unnamed operations as 'anonymous'. No label ever holds an id, a key, a
// sandbox or anything else a request carries.
import type { IncomingMessage } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState, CallInfo, PlatformApi } from '../platform/index.ts';
import { GATEWAY_ERROR_CODES } from './errors.ts';

export interface MetricsOptions {
  /** Operation names that always get their own label. @default [] */
  readonly operationAllowList?: readonly string[];
  /** Distinct operation names labelled as they are, beyond the allow-list; later ones count as 'other'. @default 200 */
  readonly maxOperationNames?: number;
  /** Process metrics (CPU, memory, event loop lag, GC) under `process_` and `nodejs_`. @default true */
  readonly processMetrics?: boolean;
}

/** What the subscription machinery reports, read at each scrape. */
export interface SubscriptionStats {
  readonly activeSubscriptions: number;
  readonly activePollers: number;
  /** Batch status polls (failed ones included) in the last 60 seconds. */
  readonly pollsLastMinute?: number;
}

/** What the platform client's breakers and retry budget report, read at each scrape. */
export interface UpstreamStats {
  readonly breakers: ReadonlyArray<{ readonly api: PlatformApi; readonly state: BreakerState; readonly rejected: number; readonly opened: number }>;
  readonly retryBudget: ReadonlyArray<{ readonly api: PlatformApi; readonly denied: number }>;
}

export type RequestOutcome = 'ok' | 'errors' | 'refused';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The label an operation name gets. */
  operationLabel(name: string | null | undefined): string;
  /** One GraphQL HTTP request, as the request log line sees it. */
  observeRequest(operationName: string | undefined, status: number, errorCount: number, durationMs: number): void;
  /** One formatted GraphQL error. */
  observeError(code: string): void;
  /** The platform client's `onCall`: one upstream attempt. */
  readonly onCall: (info: CallInfo) => void;
  /** Counts the bytes of a multipart upload request as they arrive. */
  observeUpload(req: IncomingMessage): void;
  /** Where the subscription gauges read from (the batch watch). */
  setSubscriptionStats(read: () => SubscriptionStats): void;
  /** Where the breaker and retry budget metrics read from. */
  setUpstreamStats(read: () => UpstreamStats): void;
  readonly contentType: string;
  render(): Promise<string>;
}

export const ANONYMOUS = 'anonymous';
const KNOWN_CODES: ReadonlySet<string> = new Set(GATEWAY_ERROR_CODES);
export const OTHER = 'other';

/** Upstream latencies: the Platform answers in tens of milliseconds to tens of seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function requestOutcome(status: number, errorCount: number): RequestOutcome {
  if (status >= 400) return 'refused';
  return errorCount > 0 ? 'errors' : 'ok';
}

export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const allowed = new Set(options.operationAllowList ?? []);
  const maxNames = options.maxOperationNames ?? 200;
  const seen = new Set<string>();

  const requests = new Counter({ name: 'aep_gateway_requests_total', help: 'GraphQL HTTP requests by operation name and outcome (ok, errors, refused).', labelNames: ['operation', 'outcome'] as const, registers });
  const requestSeconds = new Histogram({ name: 'aep_gateway_request_duration_seconds', help: 'Time to answer a GraphQL HTTP request, by outcome.', labelNames: ['outcome'] as const, buckets: LATENCY_BUCKETS, registers });
  const refusals = new Counter({ name: 'aep_gateway_http_refusals_total', help: 'GraphQL HTTP requests answered with a 4xx or 5xx status, by status.', labelNames: ['status'] as const, registers });
  const errors = new Counter({ name: 'aep_gateway_graphql_errors_total', help: 'GraphQL errors sent, by extensions.code.', labelNames: ['code'] as const, registers });
  const calls = new Counter({ name: 'aep_gateway_upstream_calls_total', help: 'Upstream attempts by API, method and status (none: no response, a timeout or network failure).', labelNames: ['api', 'method', 'status'] as const, registers });
  const callSeconds = new Histogram({ name: 'aep_gateway_upstream_duration_seconds', help: 'Upstream attempt latency by API and method.', labelNames: ['api', 'method'] as const, buckets: LATENCY_BUCKETS, registers });
  const retries = new Counter({ name: 'aep_gateway_upstream_retries_total', help: 'Upstream attempts that were retries of an earlier attempt, by API.', labelNames: ['api'] as const, registers });
  const uploadBytes = new Counter({ name: 'aep_gateway_upload_received_bytes_total', help: 'Bytes of multipart upload requests received (framing included).', registers });
  const uploads = new Counter({ name: 'aep_gateway_upload_requests_total', help: 'Multipart upload requests received.', registers });

  let readSubscriptions: (() => SubscriptionStats) | undefined;
  new Gauge({
    name: 'aep_gateway_active_subscriptions',
    help: 'Open subscription streams in this instance.',
    registers,
    collect() {
      this.set(readSubscriptions?.().activeSubscriptions ?? 0);
    },
  });
  new Gauge({
    name: 'aep_gateway_active_pollers',
    help: 'Batch status pollers this instance runs.',
    registers,
    collect() {
      this.set(readSubscriptions?.().activePollers ?? 0);
    },
  });
  new Gauge({
    name: 'aep_gateway_batch_polls_last_minute',
    help: 'Batch status polls this instance made in the last 60 seconds.',
    registers,
    collect() {
      this.set(readSubscriptions?.().pollsLastMinute ?? 0);
    },
  });

  let readUpstream: (() => UpstreamStats) | undefined;
  new Gauge({
    name: 'aep_gateway_upstream_breaker_state',
    help: 'Circuit breaker of each upstream API: 0 closed, 1 half-open (probing), 2 open (failing fast).',
    labelNames: ['api'] as const,
    registers,
    collect() {
      for (const b of readUpstream?.().breakers ?? []) this.set({ api: b.api }, b.state === 'open' ? 2 : b.state === 'half-open' ? 1 : 0);
    },
  });
  new Counter({
    name: 'aep_gateway_upstream_breaker_rejected_total',
    help: 'Upstream calls refused at once by an open circuit breaker, by API.',
    labelNames: ['api'] as const,
    registers,
    collect() {
      this.reset();
      for (const b of readUpstream?.().breakers ?? []) this.inc({ api: b.api }, b.rejected);
    },
  });
  new Counter({
    name: 'aep_gateway_upstream_breaker_opened_total',
    help: 'Times a circuit breaker opened, by API.',
    labelNames: ['api'] as const,
    registers,
    collect() {
      this.reset();
      for (const b of readUpstream?.().breakers ?? []) this.inc({ api: b.api }, b.opened);
    },
  });
  new Counter({
    name: 'aep_gateway_upstream_retries_denied_total',
    help: 'Retries not made because the retry budget was spent, by API.',
    labelNames: ['api'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of readUpstream?.().retryBudget ?? []) this.inc({ api: r.api }, r.denied);
    },
  });

  function operationLabel(name: string | null | undefined): string {
    if (!name) return ANONYMOUS;
    if (allowed.has(name) || seen.has(name)) return name;
    if (seen.size < maxNames) {
      seen.add(name);
      return name;
    }
    return OTHER;
  }

  return {
    registry,
    operationLabel,
    observeRequest(operationName, status, errorCount, durationMs) {
      const outcome = requestOutcome(status, errorCount);
      requests.inc({ operation: operationLabel(operationName), outcome });
      requestSeconds.observe({ outcome }, durationMs / 1000);
      if (status >= 400) refusals.inc({ status: String(status) });
    },
    observeError(code) {
      errors.inc({ code: KNOWN_CODES.has(code) ? code : OTHER });
    },
    onCall(info) {
      calls.inc({ api: info.api, method: info.method, status: info.status === undefined ? 'none' : String(info.status) });
      callSeconds.observe({ api: info.api, method: info.method }, info.durationMs / 1000);
      if (info.attempt > 1) retries.inc({ api: info.api });
    },
    observeUpload(req) {
      uploads.inc();
      req.on('data', (chunk: Buffer) => uploadBytes.inc(chunk.length));
    },
    setSubscriptionStats(read) {
      readSubscriptions = read;
    },
    setUpstreamStats(read) {
      readUpstream = read;
    },
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
