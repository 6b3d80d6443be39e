// OpenTelemetry tracing: one SERVER span per GraphQL operation (an Apollo
// plugin, no per-field hooks) and one CLIENT span per upstream attempt (the
// platform client's `trace` hook), whose W3C traceparent goes to the Platform.
//
// Off by default and then free: no plugin, no hook, and the SDK is never
// loaded. On (config.tracing), the SDK is imported dynamically at start.
//
// Upstream calls find their operation's span by the request's scope object:
// the context builds one scope per request and the platform client passes it
// with every call, so DataLoader batches and parallel calls land under the
// right operation without relying on async context propagation. Calls made
// outside an operation (subscription pollers, IMS) start their own trace, or
// continue the caller's traceparent when the scope carries one.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { ApolloServerPlugin } from '@apollo/server';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TraceCall, TraceCallInfo, TracedAttempt } from '../platform/index.ts';
import type { PlatformScope } from '../platform/types.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';

export const TRACER_NAME = 'aep-graphql';

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP base URL; spans go to <url>/v1/traces. @default the exporter's own */
  readonly otlpEndpoint?: string;
  /** Exports here instead of OTLP, span by span as they end (tests, debugging). */
  readonly exporter?: SpanExporter;
}

export interface Tracing {
  /** The Apollo plugin that opens the operation span. */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** The platform client's hook that opens a span per upstream attempt. */
  readonly traceCall: TraceCall;
  /** Loads the SDK and starts exporting; spans before it are not recorded. */
  start(): Promise<void>;
  /** Exports what is pending and stops. */
  shutdown(): Promise<void>;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote parent a caller's traceparent names, as a context. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true });
}

/** The W3C traceparent of a span (version 00). */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

export function tracingOptionsFromConfig(config: GatewayConfig, exporter?: SpanExporter): TracingOptions | undefined {
  if (!config.tracing && !exporter) return undefined;
  return { serviceName: config.otelServiceName, ...(config.otlpEndpoint ? { otlpEndpoint: config.otlpEndpoint } : {}), ...(exporter ? { exporter } : {}) };
}

export function createTracing(options: TracingOptions): Tracing {
  let tracer: Tracer = trace.getTracer(TRACER_NAME);
  let shutdown: () => Promise<void> = async () => {};
  const operationSpans = new WeakMap<PlatformScope, Span>();

  function traceCall(info: TraceCallInfo): TracedAttempt {
    const parentSpan = info.scope ? operationSpans.get(info.scope) : undefined;
    const parent = parentSpan ? trace.setSpan(ROOT_CONTEXT, parentSpan) : contextFromTraceparent(info.scope?.traceparent);
    const span = tracer.startSpan(
      `${info.method} ${info.route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': info.method,
          'url.template': info.route,
          'aep.api': info.api,
          ...(info.attempt > 1 ? { 'http.request.resend_count': info.attempt - 1 } : {}),
          ...(info.scope ? { 'aep.sandbox': info.scope.sandbox } : {}),
        },
      },
      parent,
    );
    return {
      traceparent: traceparentOf(span),
      end(status) {
        if (status === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'no response' });
        else {
          span.setAttribute('http.response.status_code', status);
          if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  }

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      const span = tracer.startSpan('graphql', { kind: SpanKind.SERVER }, contextFromTraceparent(contextValue.scope.traceparent));
      span.setAttribute('aep.sandbox', contextValue.scope.sandbox);
      operationSpans.set(contextValue.scope, span);
      return {
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'operation';
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async didEncounterErrors({ errors }) {
          span.setAttribute('graphql.error.count', errors.length);
          span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0]?.message ?? 'error' });
        },
        async willSendResponse() {
          span.end();
        },
      };
    },
  };

  return {
    plugin,
    traceCall,
    async start() {
      // Loaded only when tracing is on: the SDK costs nothing otherwise.
      const [{ BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
        import('@opentelemetry/sdk-trace-base'),
        import('@opentelemetry/resources'),
      ]);
      let exporter = options.exporter;
      if (!exporter) {
        const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
        exporter = new OTLPTraceExporter(options.otlpEndpoint ? { url: `${options.otlpEndpoint}/v1/traces` } : {});
      }
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': options.serviceName }),
        spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
      });
      // This provider, not a global one: two gateways in one process keep their own.
      tracer = provider.getTracer(TRACER_NAME);
      shutdown = () => provider.shutdown();
    },
    shutdown: () => shutdown(),
  };
}
