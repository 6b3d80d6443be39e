// OpenTelemetry tracing against a real gateway and emulator: one operation
// gives one SERVER span with a CLIENT child per upstream call, and the
// Platform receives a traceparent of the same trace (seen by a recording
// proxy in front of the emulator). Spans go to the SDK's in-memory exporter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { loadConfig } from '../../src/gateway/config.ts';
import { createGateway } from '../../src/gateway/server.ts';
import type { Gateway } from '../../src/gateway/server.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startRecordingProxy } from '../helpers/recording-proxy.ts';
import type { RecordingProxy } from '../helpers/recording-proxy.ts';

const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`;
const QUERY = 'query TracedDatasets { datasets(first: 5) { nodes { id name schema { title } } } }';

interface Running {
  readonly gateway: Gateway;
  readonly proxy: RecordingProxy;
  post(body: unknown, headers?: Record<string, string>): Promise<{ data?: unknown; errors?: unknown }>;
}

async function startTraced(emulator: { url: string; settings: { orgId: string; clients: ReadonlyArray<{ clientId: string; clientSecret: string }> } }, exporter?: InMemorySpanExporter): Promise<Running> {
  const proxy = await startRecordingProxy(emulator.url);
  const client = emulator.settings.clients[0]!;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PLATFORM_BASE_URL: proxy.url,
    IMS_URL: emulator.url,
    AUTH_MODE: 'oauth',
    AEP_CLIENT_ID: client.clientId,
    AEP_CLIENT_SECRET: client.clientSecret,
    AEP_ORG_ID: emulator.settings.orgId,
    GATEWAY_OPEN: 'true',
    // Every lookup goes upstream, so that each operation shows its Registry call.
    SCHEMA_CACHE_TTL_MS: '0',
  });
  const gateway = createGateway(config, exporter ? { spanExporter: exporter } : {});
  const url = await gateway.start();
  return {
    gateway,
    proxy,
    async post(body, headers = {}) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return (await response.json()) as { data?: unknown; errors?: unknown };
    },
  };
}

function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  return typeof traceparent === 'string' ? traceparent.split('-')[1] : undefined;
}

function spanIdOf(traceparent: string | string[] | undefined): string | undefined {
  return typeof traceparent === 'string' ? traceparent.split('-')[2] : undefined;
}

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let traced: Running;
  let untraced: Running;

  beforeAll(async () => {
    const emulator = await startEmulator();
    traced = await startTraced(emulator, exporter);
    untraced = await startTraced(emulator);
    // A dataset on the seeded schema, so the query also calls the Schema Registry.
    const schemas = (await traced.post({ query: '{ schemas(first: 50) { nodes { id title } } }' })) as { data: { schemas: { nodes: Array<{ id: string; title: string }> } } };
    const loyalty = schemas.data.schemas.nodes.find((schema) => schema.title === 'Loyalty Members')!;
    await traced.post({ query: 'mutation($id: ID!) { createDataset(input: { name: "Traced", schemaId: $id }) { dataset { id } } }', variables: { id: loyalty.id } });
  });

  afterAll(async () => {
    for (const running of [traced, untraced]) {
      await running?.gateway.stop();
      await running?.proxy.close();
    }
  });

  it('should record one operation span with a child span per upstream call, and send its trace upstream', async () => {
    exporter.reset();
    traced.proxy.requests.length = 0;
    const result = await traced.post({ query: QUERY });
    expect(result.errors).toBeUndefined();

    const spans = exporter.getFinishedSpans();
    const operations = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(operations.map((span) => span.name)).toEqual(['query TracedDatasets']);
    const operation = operations[0]!;
    expect(operation.attributes['graphql.operation.name']).toBe('TracedDatasets');
    const { traceId, spanId } = operation.spanContext();

    const calls = spans.filter((span: ReadableSpan) => span.kind === SpanKind.CLIENT && span.parentSpanContext?.spanId === spanId);
    const apis = new Set(calls.map((span) => span.attributes['aep.api']));
    expect(apis).toEqual(new Set(['catalog', 'schemaRegistry']));
    for (const call of calls) {
      expect(call.spanContext().traceId).toBe(traceId);
      expect(call.attributes['http.response.status_code']).toBe(200);
    }

    // Every request the Platform received carries the trace, each with its own call span's id.
    const platformRequests = traced.proxy.requests.filter((request) => request.path.startsWith('/data/foundation/'));
    expect(platformRequests.length).toBe(calls.length);
    const callSpanIds = new Set(calls.map((span) => span.spanContext().spanId));
    for (const request of platformRequests) {
      expect(traceIdOf(request.headers.traceparent)).toBe(traceId);
      expect(callSpanIds.has(spanIdOf(request.headers.traceparent)!)).toBe(true);
    }
  });

  it("should continue the caller's trace", async () => {
    exporter.reset();
    await traced.post({ query: QUERY }, { traceparent: CLIENT_TRACEPARENT });
    const operation = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    expect(operation.spanContext().traceId).toBe(CLIENT_TRACE_ID);
    expect(operation.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('should mark an operation that fails as an error', async () => {
    exporter.reset();
    await traced.post({ query: 'query Broken { nope }' });
    const operation = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    expect(operation.status.code).toBe(SpanStatusCode.ERROR);
    expect(operation.attributes['graphql.error.count']).toBe(1);
  });

  it("should, with tracing off, record nothing and forward only the caller's own traceparent", async () => {
    exporter.reset();
    untraced.proxy.requests.length = 0;
    await untraced.post({ query: QUERY });
    await untraced.post({ query: QUERY }, { traceparent: CLIENT_TRACEPARENT });
    expect(exporter.getFinishedSpans()).toEqual([]);
    const platformRequests = untraced.proxy.requests.filter((request) => request.path.startsWith('/data/foundation/'));
    const withTrace = platformRequests.filter((request) => request.headers.traceparent !== undefined);
    expect(withTrace.length).toBeGreaterThan(0);
    expect(withTrace.every((request) => request.headers.traceparent === CLIENT_TRACEPARENT)).toBe(true);
    expect(platformRequests.length).toBeGreaterThan(withTrace.length);
  });
});
