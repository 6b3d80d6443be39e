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
// - The context is built once per subscription, by the same factory as HTTP.
// - Errors go through the gateway's formatError (Apollo never sees this path).
// - The same query limits as HTTP (parser token limit, validation rules).
// - dispose() completes every running subscription (clients receive
//   `complete`), then closes the sockets and the WebSocket server.
import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, parse, specifiedRules, subscribe, validate } from 'graphql';
import type { DocumentNode, ExecutionArgs, GraphQLFormattedError, GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { ContextFactory, HeadersRecord } from './context.ts';
import { requestIdFrom } from './context.ts';
import { GatewayError } from './errors.ts';

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
}

export interface SubscriptionsServer {
  /** Subscriptions running now. */
  readonly activeOperations: number;
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

export function attachSubscriptions(options: SubscriptionsServerOptions): SubscriptionsServer {
  const { httpServer, schema, contextFactory, formatError, logger } = options;
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  const parseOptions = options.parseOptions ?? {};
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;
  const maxPerConnection = options.maxOperationsPerConnection ?? 100;
  const wsServer = new WebSocketServer({ server: httpServer, path: options.path ?? '/graphql' });

  // Running source streams, so that dispose() can end them.
  const streams = new Set<{ end(): void }>();
  let operations = 0;
  let operationsIdle: (() => void) | undefined;

  /** Wraps a subscription's stream so that dispose() can end it as if it had finished. */
  function endable<T>(source: AsyncGenerator<T> | AsyncIterableIterator<T>): AsyncGenerator<T> {
    let end!: () => void;
    const ended = new Promise<IteratorResult<T>>((resolve) => {
      end = () => resolve({ value: undefined, done: true });
    });
    const handle = {
      end: () => {
        end();
        void source.return?.(undefined);
      },
    };
    streams.add(handle);
    const forget = <R>(result: IteratorResult<R>) => {
      if (result.done) streams.delete(handle);
      return result;
    };
    const stream: AsyncGenerator<T> = {
      next: () => Promise.race([source.next(), ended]).then(forget),
      return: async (value?: unknown) => {
        streams.delete(handle);
        end();
        return source.return ? forget(await source.return(value)) : { value: undefined, done: true };
      },
      throw: async (error?: unknown) => {
        streams.delete(handle);
        end();
        if (source.throw) return source.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return stream;
      },
    };
    return stream;
  }

  const format = (error: GraphQLError) => formatError(error.toJSON(), error.originalError ?? error);

  // What the closing log line of each operation reports, per connection and operation id.
  interface OperationRecord {
    readonly requestId: string;
    readonly operationName: string | null;
    readonly started: number;
    events: number;
    errors: number;
  }
  const records = new WeakMap<object, Map<string, OperationRecord>>();
  const recordOf = (ctx: object, id: string) => records.get(ctx)?.get(id);

  const disposable = useServer(
    {
      schema,
      async onConnect(ctx) {
        try {
          contextFactory(headersFromConnectionParams(ctx.connectionParams));
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
      onSubscribe(ctx, id, payload) {
        // graphql-ws lists this operation already, and forgets one the client completes as soon as it says so.
        const others = Object.keys(ctx.subscriptions).length - 1;
        if (others >= maxPerConnection) {
          return [new GatewayError('BAD_USER_INPUT', `A connection may run at most ${maxPerConnection} operations at once`, { details: { limit: 'maxOperationsPerConnection' } })];
        }
        const refused = options.refuseDocument?.(payload.query);
        if (refused) return [refused];
        let document: DocumentNode;
        try {
          document = parse(payload.query, parseOptions);
        } catch (error) {
          if (error instanceof GraphQLError) return [withCode(error, 'GRAPHQL_PARSE_FAILED')];
          throw error;
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        const headers = headersFromConnectionParams(ctx.connectionParams, payload.extensions);
        let contextValue;
        try {
          contextValue = contextFactory(headers, { requestId: requestIdFrom(headers) });
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        operations++;
        let byId = records.get(ctx);
        if (!byId) records.set(ctx, (byId = new Map()));
        byId.set(id, { requestId: contextValue.requestId, operationName: getOperationAST(document, payload.operationName)?.name?.value ?? null, started: performance.now(), events: 0, errors: 0 });
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue } satisfies ExecutionArgs;
      },
      async subscribe(args) {
        const result = await subscribe(args);
        return Symbol.asyncIterator in result ? endable(result) : result;
      },
      onNext(ctx, id, _payload, _args, result) {
        const record = recordOf(ctx, id);
        if (record) {
          record.events++;
          record.errors += result.errors?.length ?? 0;
        }
        if (!result.errors) return;
        // Errors without a path come from the request (bad variables): the client's to fix.
        const errors = result.errors.map((error) => format(error.path || error.originalError ? error : withCode(error, 'BAD_USER_INPUT')));
        return { ...result, errors };
      },
      onError(ctx, id, _payload, errors) {
        const record = recordOf(ctx, id);
        if (record) record.errors += errors.length;
        return errors.map(format);
      },
      onComplete(ctx, id) {
        const record = recordOf(ctx, id);
        records.get(ctx)?.delete(id);
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
    },
    wsServer,
    options.keepAliveMs ?? 12_000,
  );

  let disposing: Promise<void> | undefined;
  return {
    get activeOperations() {
      return operations;
    },
    dispose() {
      disposing ??= (async () => {
        if (operations > 0) {
          const idle = new Promise<void>((resolve) => (operationsIdle = resolve));
          for (const stream of [...streams]) stream.end();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeoutMs)))]);
          clearTimeout(timer);
          // The `complete` messages are written just after onComplete returns.
          await new Promise((resolve) => setImmediate(resolve));
        }
        await disposable.dispose();
      })();
      return disposing;
    },
  };
}
