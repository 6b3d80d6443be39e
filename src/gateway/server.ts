// The gateway's HTTP server: node:http with a thin Apollo integration (not
// express: PERFORMANCE.md measured it at half the throughput). Apollo's
// implicit plugins are off; CSRF prevention stays on. Multipart uploads are
// parsed by graphql-upload-minimal on the same path and their file streams go
// straight to the platform client.
//
// Routes (see `route`): POST/GET /graphql, GET /healthz (liveness),
// GET /readyz (upstream reachable, cached), 404 otherwise.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { processRequest } from 'graphql-upload-minimal';
import type { Logger } from 'pino';
import type { PlatformClient } from '../platform/client.ts';
import type { GatewayConfig } from './config.ts';
import type { ContextFactory, GatewayContext, RequestRecord } from './context.ts';
import { createContextFactory, requestIdFrom } from './context.ts';
import { toFormattedError } from './errors.ts';
import { createReadiness } from './health.ts';
import type { Readiness } from './health.ts';
import { createLogger } from './logger.ts';
import { createPlatformClientFor } from './platform.ts';
import { createGatewaySchema } from './schema.ts';
import { createPlaygroundHandler, playgroundOptionsFromConfig } from './playground.ts';
import type { BatchWatch } from './batch-watch.ts';
import { createBatchWatchFor } from './batch-watch-runtime.ts';
import { attachSubscriptions } from './subscriptions-server.ts';
import { createQueryLimits, queryLimitsFromConfig } from './limits.ts';
import { createRequestLimits, requestLimitsFromConfig } from './request-limits.ts';
import { httpDrainPlugin } from './http-drain.ts';
import { createMetrics } from './metrics.ts';
import type { GatewayMetrics } from './metrics.ts';
import { metricsPlugin } from './plugins/metrics-plugin.ts';
import { createUpstreamResilience } from './upstream-resilience.ts';
import { createAccessControl } from './access.ts';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTracing, tracingOptionsFromConfig } from './tracing.ts';
import { createPersistedQueries } from './persisted-queries.ts';
import { createSchemaCache } from './schema-cache.ts';
import { compiledExecution } from './compiled-execution.ts';

export interface GatewayDeps {
  /** The Platform client; built from the config (and closed on stop) when absent. */
  readonly platformClient?: PlatformClient;
  /** @default a pino logger on stdout at config.logLevel */
  readonly logger?: Logger;
  /** The playground (on with config.playground): `emulator` when the gateway fronts the local emulator; `assetsDir` of the build. */
  readonly playground?: { readonly emulator?: boolean; readonly assetsDir?: string };
  /** The shared batch pollers behind subscriptions; built from the config (and closed on stop) when absent. */
  readonly batchWatch?: BatchWatch;
  /** Turns tracing on with spans exported here as they end (tests); config.tracing exports over OTLP. */
  readonly spanExporter?: SpanExporter;
}

export interface Gateway {
  readonly httpServer: Server;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly schema: GraphQLSchema;
  /** Builds a request's context from a headers record: the WebSocket path uses it too. */
  readonly contextFactory: ContextFactory;
  /** The error formatter of every response, for transports Apollo does not serve. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly platformClient: PlatformClient;
  readonly logger: Logger;
  readonly batchWatch: BatchWatch;
  /** This instance's Prometheus registry and recorders (GET /metrics). */
  readonly metrics: GatewayMetrics;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql; available after start(). */
  readonly url: string;
  /** Listens on config.host:config.port; resolves with the GraphQL URL. */
  start(): Promise<string>;
  /** Refuses new requests (503), completes subscriptions, lets running requests finish within SHUTDOWN_TIMEOUT_MS, closes upstream pools it owns. */
  stop(): Promise<void>;
}

type Route = 'graphql' | 'healthz' | 'readyz' | 'metrics' | 'not-found';

/** All routing in one place. */
function route(pathname: string): Route {
  switch (pathname) {
    case '/graphql':
      return 'graphql';
    case '/healthz':
      return 'healthz';
    case '/readyz':
      return 'readyz';
    case '/metrics':
      return 'metrics';
    default:
      return 'not-found';
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

class BodyTooLargeError extends Error {}

/** The whole body as text, refusing more than `limit` bytes. Events rather than an async iterator: cheaper for the one small chunk most queries are. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Paused, not destroyed: the 413 still has to go out on this socket.
        req.pause();
        reject(new BodyTooLargeError(`request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the request was closed before its body arrived'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** The query string of a request target, `?` included, as URL.search gives it (empty when there is none or only `?`). */
function searchOf(target: string | undefined): string {
  const at = target?.indexOf('?') ?? -1;
  if (at < 0) return '';
  const hash = target!.indexOf('#', at);
  const search = hash < 0 ? target!.slice(at) : target!.slice(at, hash);
  return search === '?' ? '' : search;
}

function isMultipart(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function isJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

async function writeResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) {
    // Respect backpressure for incremental delivery.
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

export function createGateway(config: GatewayConfig, deps: GatewayDeps = {}): Gateway {
  const logger = deps.logger ?? createLogger(config);
  const metrics = createMetrics({ operationAllowList: config.metricsOperations, maxOperationNames: config.metricsMaxOperations });
  const tracingOptions = tracingOptionsFromConfig(config, deps.spanExporter);
  const tracing = tracingOptions ? createTracing(tracingOptions) : undefined;
  const ownsPlatformClient = deps.platformClient === undefined;
  const platformClient = deps.platformClient ?? createPlatformClientFor(config, { onCall: metrics.onCall, ...createUpstreamResilience(config, { logger, metrics }), ...(tracing ? { trace: tracing.traceCall } : {}) });
  const ownBatchWatch = deps.batchWatch ? undefined : createBatchWatchFor(config, { platformClient, logger });
  const batchWatch: BatchWatch = deps.batchWatch ?? ownBatchWatch!.batchWatch;
  metrics.setSubscriptionStats(() => batchWatch.stats());
  const access = createAccessControl({
    grants: config.gatewayKeyGrants,
    plainKeys: config.gatewayApiKeys,
    keysRequired: config.authMode !== 'pass-through' && !config.open,
    refuseProductionWrites: config.refuseProductionWrites,
  });
  // Requests see Registry lookups through a short-lived cache; pollers and readiness go straight to the Platform.
  const schemaCache = createSchemaCache({ ttlMs: config.schemaCacheTtlMs });
  const contextFactory = access.wrapContextFactory(createContextFactory({ config, platformClient: schemaCache.wrap(platformClient), logger, batchWatch }));
  const formatError = (formatted: GraphQLFormattedError, error: unknown) => toFormattedError(formatted, error, { debug: config.debugErrors });
  const schema = access.protectWrites(createGatewaySchema());
  const readiness: Readiness = createReadiness({ config, platformClient, cacheMs: config.readinessCacheMs });
  const playground = createPlaygroundHandler({
    ...playgroundOptionsFromConfig(config, { emulator: deps.playground?.emulator }),
    assetsDir: deps.playground?.assetsDir,
  });

  const requestLimits = createRequestLimits(requestLimitsFromConfig(config));
  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A request cut off by its body deadline has been answered (408); the handler's failure follows from that.
      if (requestLimits.wasCutOff(req)) return;
      logger.error({ err: error }, 'request handler failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
  requestLimits.configure(httpServer);

  // Transports that share this HTTP server (a graphql-ws WebSocket server for
  // subscriptions) attach to `httpServer` here, and add the disposer that
  // closes them to `disposers`: stop() runs them before Apollo drains.
  const disposers: Array<() => Promise<void>> = [];
  // Runs after the WebSocket server's disposer (pushed by start()): streams are drained first.
  if (ownBatchWatch) disposers.push(() => ownBatchWatch.close());

  // Set by stop(): from then on new requests are refused, running ones finish until this time.
  let shutdownDeadline: number | undefined;

  const queryLimits = createQueryLimits(queryLimitsFromConfig(config));
  const persistedQueries = createPersistedQueries(config, { logger });

  const execution = compiledExecution(schema);
  const apollo = new ApolloServer<GatewayContext>({
    // The schema, with queries run as compiled functions (compiled-execution.ts)
    // and their answers written by serializers compiled with them.
    gateway: execution.gateway,
    stringifyResult: execution.stringifyResult,
    formatError,
    validationRules: [...queryLimits.validationRules, ...persistedQueries.validationRules],
    parseOptions: queryLimits.parseOptions,
    allowBatchedHttpRequests: config.allowBatchedRequests,
    includeStacktraceInErrorResponses: config.debugErrors,
    csrfPrevention: true,
    // Automatic persisted queries (in memory, or in Redis), or only the persisted documents.
    persistedQueries: persistedQueries.option,
    // Introspection follows the playground: both are for development.
    introspection: config.playground,
    nodeEnv: config.production ? 'production' : 'development',
    // The process owner (the serve command) handles signals and calls stop();
    // Apollo's own handler would stop and then re-send the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      // Running requests (uploads included) get until SHUTDOWN_TIMEOUT_MS from the signal;
      // the listener stays open meanwhile, so that new requests get the 503 of handle().
      httpDrainPlugin({ httpServer, deadline: () => shutdownDeadline ?? Date.now() + config.shutdownTimeoutMs }),
      // Fills the request record (operation name, errors) and counts errors by code.
      metricsPlugin(metrics),
      ...(tracing ? [tracing.plugin] : []),
      ...queryLimits.plugins,
    ],
  });

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string, record: RequestRecord): Promise<void> {
    let body: unknown;
    if (isMultipart(req)) {
      metrics.observeUpload(req);
      try {
        body = await processRequest(req, res, { maxFileSize: config.maxFileSize, maxFiles: config.maxFiles });
      } catch (error) {
        const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 400;
        sendJson(res, status, { errors: [{ message: (error as Error).message, extensions: { code: 'BAD_USER_INPUT' } }] });
        return;
      }
    } else if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, config.maxBodySize);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        sendJson(res, 413, { errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] }, { connection: 'close' });
        return;
      }
      if (isJson(req) && text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
          return;
        }
      } else {
        // Apollo refuses a POST without a JSON body, with the right message.
        body = text;
      }
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers: toHeaderMap(req), search: searchOf(req.url), body },
      context: async () => contextFactory(req.headers, { requestId, record }),
    });
    await writeResponse(res, response);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // GraphiQL for browsers on GET /graphql, the upload page and their assets.
    if (playground(req, res)) return;
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const which = route(pathname);
    if (shutdownDeadline !== undefined && which !== 'healthz') {
      // Stopping: a load balancer sends this request again to another instance.
      return sendJson(res, 503, { errors: [{ message: 'The gateway is shutting down: send the request again', extensions: { code: 'SHUTTING_DOWN' } }] }, { connection: 'close', 'retry-after': '1' });
    }
    if (which === 'healthz') return sendJson(res, 200, { status: 'ok' });
    if (which === 'readyz') {
      const state = await readiness.check();
      return sendJson(res, state.ready ? 200 : 503, state);
    }
    if (which === 'metrics' && config.metrics) {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    if (which === 'not-found' || which === 'metrics') return sendJson(res, 404, { error: 'not found' });

    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    const record: RequestRecord = { errorCount: 0 };
    try {
      if (requestLimits.admit(req, res)) await handleGraphQL(req, res, requestId, record);
    } finally {
      metrics.observeRequest(record.operationName, res.statusCode, record.errorCount, performance.now() - started);
      // One line per GraphQL request; never headers, never variables. Nothing is built when info is off.
      if (logger.isLevelEnabled('info')) logger.info(
        {
          requestId,
          method: req.method,
          operationName: record.operationName ?? null,
          status: res.statusCode,
          outcome: res.statusCode >= 400 ? 'refused' : record.errorCount > 0 ? 'errors' : 'ok',
          errors: record.errorCount,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        'graphql request',
      );
    }
  }

  let url: string | undefined;
  let stopping: Promise<void> | undefined;

  return {
    httpServer,
    apollo,
    schema,
    contextFactory,
    formatError,
    platformClient,
    logger,
    batchWatch,
    metrics,
    get url() {
      if (url === undefined) throw new Error('the gateway is not started');
      return url;
    },
    async start() {
      await tracing?.start();
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      // Attached once listening: a listen failure then stays the HTTP server's alone.
      const subscriptions = attachSubscriptions({
        httpServer,
        schema,
        path: '/graphql',
        contextFactory,
        // Apollo's metrics plugin does not see WebSocket errors: they are counted as they are formatted.
        formatError: (formatted, error) => {
          const result = formatError(formatted, error);
          metrics.observeError(typeof result.extensions?.code === 'string' ? result.extensions.code : 'INTERNAL_SERVER_ERROR');
          return result;
        },
        logger,
        keepAliveMs: config.wsKeepAliveMs,
        validationRules: queryLimits.validationRules,
        parseOptions: queryLimits.parseOptions,
        refuseDocument: persistedQueries.refusal,
        // The same per-client budget as HTTP requests.
        admission: requestLimits.webSocket,
      });
      disposers.push(() => subscriptions.dispose());
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}/graphql`;
      logger.info({ url, authMode: config.authMode, platform: config.platformBaseUrl }, 'gateway listening');
      return url;
    },
    stop() {
      stopping ??= (async () => {
        shutdownDeadline = Date.now() + config.shutdownTimeoutMs;
        for (const dispose of disposers.splice(0).reverse()) await dispose();
        // Drains the HTTP server (ApolloServerPluginDrainHttpServer), then stops Apollo.
        if (httpServer.listening) await apollo.stop();
        else httpServer.close();
        if (ownsPlatformClient) await platformClient.close();
        await persistedQueries.close();
        await tracing?.shutdown();
      })();
      return stopping;
    },
  };
}
