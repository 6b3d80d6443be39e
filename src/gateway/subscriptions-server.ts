// The WebSocket transport: graphql-ws (the `graphql-transport-ws` protocol)
// on the gateway's own HTTP server and path, next to queries over HTTP.
//
// - Auth: the client's `connectionParams` carry the same header names as an
//   HTTP request (Authorization, x-api-key, x-gw-ims-org-id,
//   x-gateway-api-key, x-sandbox-name), flat or under `headers`, and the same
//   auth mode applies. Credentials that are required but missing or invalid
//   close the connection with 4403 (a malformed sandbox name with 4400).
// - Sandbox: per subscription; the connection's x-sandbox-name, which a
//   subscribe message may override with `extensions: { "x-sandbox-name": "dev" }`.
// - The context is checked once per subscription by the same factory as
//   HTTP, and kept small while the stream waits (subscription-context.ts).
// - Errors go through the gateway's formatError (Apollo never sees this path).
// - The same query limits as HTTP (parser token limit, validation rules); a
//   document is parsed and validated once and shared by the subscriptions
//   that send it (subscription-documents.ts).
// - The per-client rate limit (websocket-rate-limit.ts) is asked first, at
//   each ConnectionInit and each subscribe message.
// - dispose() completes every running subscription (clients receive
//   `complete`), then closes the sockets and the WebSocket server.
//
// An idle subscriber costs what its socket, its context and its stream hold:
// the sockets are served by graphql-ws-transport.ts (no upgrade request kept,
// one keep-alive timer); a stream maps its events to responses without a
// suspended async function (subscription-stream.ts); per stream, this module
// adds only the closing log line's record, and lets go of each result once it
// is sent.
import type { Server } from 'node:http';
import { getOperationAST, GraphQLError } from 'graphql';
import type { ExecutionArgs, GraphQLFormattedError, GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import { makeServer } from 'graphql-ws';
import type { Context } from 'graphql-ws';
import type { Logger } from 'pino';
import type { ContextFactory, HeadersRecord } from './context.ts';
import { requestIdFrom } from './context.ts';
import { GatewayError } from './errors.ts';
import { serveGraphqlWs } from './graphql-ws-transport.ts';
import type { WebSocketAdmission } from './websocket-rate-limit.ts';
import type { SocketExtra } from './graphql-ws-transport.ts';
import { createSubscriptionContext } from './subscription-context.ts';
import { createDocumentCache } from './subscription-documents.ts';
import { subscribeStream } from './subscription-stream.ts';

export interface SubscriptionsServerOptions {
  readonly httpServer: Server;
  readonly schema: GraphQLSchema;
  /** @default '/graphql' */
  readonly path?: string;
  /** Builds a subscription's context from a headers record (the HTTP factory). */
  readonly contextFactory: ContextFactory;
  /** The gateway's error formatter (errors.ts toFormattedError with its options). */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly logger?: Logger;
  /** Interval of WebSocket pings; a client that misses a pong for as long is dropped. 0 turns pings off. @default 12_000 // 12 seconds */
  readonly keepAliveMs?: number;
  /** Extra validation rules (the HTTP path's query limits). @default [] */
  readonly validationRules?: readonly ValidationRule[];
  /** Parser options (the HTTP path's token limit). @default {} */
  readonly parseOptions?: ParseOptions;
  /** How long dispose() waits for running subscriptions to send their completion. @default 5_000 // 5 seconds */
  readonly drainTimeoutMs?: number;
  /**
   * Operations one connection may run at once; more are refused with
   * BAD_USER_INPUT (`extensions.limit: 'maxOperationsPerConnection'`). Each
   * watched batch costs upstream polls, so one socket must not start thousands.
   * @default 100
   */
  readonly maxOperationsPerConnection?: number;
  /** Refuses a document before it is parsed (the persisted-documents allow-list); undefined lets it run. @default none */
  readonly refuseDocument?: (source: string) => GraphQLError | undefined;
  /** Largest message a client may send; a larger one closes its socket with 1009. @default 1_048_576 // 1 MiB, as a JSON body over HTTP */
  readonly maxPayloadBytes?: number;
  /** The per-client rate limit, asked at each ConnectionInit and subscribe message (before anything else). @default every one admitted */
  readonly admission?: WebSocketAdmission;
}

export interface SubscriptionsServer {
  /** Subscriptions running now. */
  readonly activeOperations: number;
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Subscription documents parsed and validated so far (each distinct text once while it stays cached). */
  readonly documentsParsed: number;
  dispose(): Promise<void>;
}

type Params = Readonly<Record<string, unknown>> | null | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** connectionParams (flat, or under `headers` as GraphiQL sends them) as an HTTP-like headers record; flat values win. */
export function headersFromConnectionParams(params: Params, extensions?: Params): HeadersRecord {
  const headers: Record<string, string> = {};
  const copy = (from: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(from)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
  };
  if (isRecord(params?.headers)) copy(params.headers);
  if (params) copy(params);
  const sandbox = extensions?.['x-sandbox-name'];
  if (typeof sandbox === 'string') headers['x-sandbox-name'] = sandbox;
  return headers;
}

/** Close codes of refused connections. 4403 is graphql-ws's own Forbidden. */
export const CLOSE_BAD_REQUEST = 4400;

/** Errors of the request itself get the codes Apollo gives them over HTTP. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

type ConnectionContext = Context<Record<string, unknown> | undefined, SocketExtra>;

/** What the closing log line of an operation reports. */
interface OperationRecord {
  readonly requestId: string;
  readonly operationName: string | null;
  readonly started: number;
  events: number;
  errors: number;
}

export function attachSubscriptions(options: SubscriptionsServerOptions): SubscriptionsServer {
  const { httpServer, schema, contextFactory, formatError, logger } = options;
  const documents = createDocumentCache({ schema, validationRules: options.validationRules ?? [], parseOptions: options.parseOptions ?? {} });
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;
  const maxPerConnection = options.maxOperationsPerConnection ?? 100;

  // Acknowledged connections, whose running streams dispose() ends.
  const connections = new Set<ConnectionContext>();
  // Keyed by the subscribe message's payload, which graphql-ws hands to every hook of that operation.
  const records = new WeakMap<object, OperationRecord>();
  let operations = 0;
  let operationsIdle: (() => void) | undefined;
  let disposing: Promise<void> | undefined;

  /** Ends a running stream as if it had finished: graphql-ws then sends `complete`. */
  const end = (stream: unknown) => {
    if (stream && typeof (stream as AsyncGenerator).return === 'function') void (stream as AsyncGenerator).return(undefined);
  };

  const format = (error: GraphQLError) => formatError(error.toJSON(), error.originalError ?? error);

  const protocolServer = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    schema,
    async onConnect(ctx) {
      const refusal = options.admission?.connection(headersFromConnectionParams(ctx.connectionParams), ctx.extra.peer);
      if (refusal) {
        ctx.extra.socket.close(refusal.code, refusal.reason);
        return false;
      }
      try {
        contextFactory(headersFromConnectionParams(ctx.connectionParams));
        connections.add(ctx);
        return true;
      } catch (error) {
        if (error instanceof GatewayError && error.gatewayCode === 'BAD_USER_INPUT') {
          ctx.extra.socket.close(CLOSE_BAD_REQUEST, error.message.slice(0, 120));
          return false;
        }
        // Refusing a caller (no key, or a key not bound to the sandbox) is the expected outcome, not a fault.
        if (!(error instanceof GatewayError && (error.gatewayCode === 'UNAUTHENTICATED' || error.gatewayCode === 'FORBIDDEN'))) logger?.error({ err: error }, 'websocket connection refused');
        return false;
      }
    },
    onClose(ctx) {
      connections.delete(ctx);
    },
    onSubscribe(ctx, id, payload) {
      const limited = options.admission?.subscribe(headersFromConnectionParams(ctx.connectionParams), ctx.extra.peer);
      if (limited) return [limited];
      // graphql-ws lists this operation already, and forgets one the client completes as soon as it says so.
      const others = Object.keys(ctx.subscriptions).length - 1;
      if (others >= maxPerConnection) {
        return [new GatewayError('BAD_USER_INPUT', `A connection may run at most ${maxPerConnection} operations at once`, { details: { limit: 'maxOperationsPerConnection' } })];
      }
      const refused = options.refuseDocument?.(payload.query);
      if (refused) return [refused];
      const prepared = documents.prepare(payload.query);
      if (prepared.parseError) return [withCode(prepared.parseError, 'GRAPHQL_PARSE_FAILED')];
      if (prepared.validationErrors) return prepared.validationErrors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
      const { document } = prepared;
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) {
        const message = payload.operationName ? `Unknown operation named "${payload.operationName}".` : 'Must provide operation name if query contains multiple operations.';
        return [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
      }
      const headers = headersFromConnectionParams(ctx.connectionParams, payload.extensions);
      let contextValue;
      try {
        contextValue = createSubscriptionContext(contextFactory, headers, requestIdFrom(headers));
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      operations++;
      records.set(payload, { requestId: contextValue.requestId, operationName: operation.name?.value ?? null, started: performance.now(), events: 0, errors: 0 });
      // rootValue given (graphql-ws would add it to this object otherwise, growing it).
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue, rootValue: undefined } satisfies ExecutionArgs;
    },
    async subscribe(args) {
      const result = await subscribeStream(args);
      // Started while the server drains: it ends at once, and its client is told so.
      if (disposing && Symbol.asyncIterator in result) end(result);
      return result;
    },
    onNext(_ctx, _id, payload, _args, result) {
      const record = records.get(payload);
      if (record) {
        record.events++;
        record.errors += result.errors?.length ?? 0;
      }
      // graphql-ws's loop holds the last result until the next one arrives,
      // which for an idle stream is most of its life: it sends this copy, and
      // the result it holds is emptied.
      const { errors, ...sent } = result;
      result.data = undefined;
      result.errors = undefined;
      if (!errors) return sent;
      // Errors without a path come from the request (bad variables): the client's to fix.
      return { ...sent, errors: errors.map((error) => format(error.path || error.originalError ? error : withCode(error, 'BAD_USER_INPUT'))) };
    },
    onError(_ctx, _id, payload, errors) {
      const record = records.get(payload);
      if (record) record.errors += errors.length;
      return errors.map(format);
    },
    onComplete(_ctx, _id, payload) {
      const record = records.get(payload);
      records.delete(payload);
      if (record) {
        // One line per operation over WebSocket, as over HTTP; never connectionParams, never variables.
        logger?.info(
          {
            requestId: record.requestId,
            transport: 'websocket',
            operationName: record.operationName,
            outcome: record.errors > 0 ? 'errors' : 'ok',
            events: record.events,
            errors: record.errors,
            durationMs: Math.round((performance.now() - record.started) * 10) / 10,
          },
          'graphql operation',
        );
      }
      operations--;
      if (operations === 0) operationsIdle?.();
    },
  });

  const transport = serveGraphqlWs({
    httpServer,
    path: options.path ?? '/graphql',
    protocolServer,
    keepAliveMs: options.keepAliveMs ?? 12_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 1_048_576,
    logger,
  });

  return {
    get activeOperations() {
      return operations;
    },
    get connections() {
      return transport.connections;
    },
    get documentsParsed() {
      return documents.parsed;
    },
    dispose() {
      disposing ??= (async () => {
        if (operations > 0) {
          const idle = new Promise<void>((resolve) => (operationsIdle = resolve));
          for (const ctx of connections) for (const stream of Object.values(ctx.subscriptions)) end(stream);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeoutMs)))]);
          clearTimeout(timer);
          // The `complete` messages are written just after onComplete returns.
          await new Promise((resolve) => setImmediate(resolve));
        }
        await transport.dispose();
      })();
      return disposing;
    },
  };
}
