// Queries run as compiled functions (graphql-jit) instead of graphql-js's
// interpreter. A page of 100 datasets resolves some 800 fields: graphql-js
// pays for each one (argument coercion, resolve info, completion, a
// null-prototype result object per item that JSON.stringify handles slowly);
// the compiled function does the same work once per query shape, with plain
// objects. Each document is compiled the first time it runs and kept by its
// hash, so a repeated query pays for compiling once.
//
// It plugs into Apollo Server through the documented way of replacing
// execution, the `gateway` option: Apollo still parses, validates (query
// limits, persisted queries), runs every plugin hook and formats every
// error; only the execute step is this module's. What the compiled function
// would answer differently from graphql-js is left to graphql-js:
// - anything but a query (mutations run serially with uploads, subscriptions
//   over HTTP), a document Apollo could not resolve an operation of, and a
//   document graphql-jit cannot compile;
// - variables are coerced by graphql-js first: a bad variable gets graphql-js's
//   own error (and Apollo's 400), valid ones go to the compiled function raw,
//   which coerces them once;
// - errors come back as graphql-js would have made them (`locatedError`:
//   a GraphQLError carrying the resolver's error as `originalError`, its
//   `extensions` and a path), so Apollo and the error formatter see no
//   difference.
// Field-level plugin hooks (willResolveField) would not see the fields of a
// compiled query: the gateway has none, by design (PERFORMANCE.md).
//
// The answer of a compiled query is also written out by a serializer compiled
// for its shape (graphql-jit's, from fast-json-stringify): Apollo's
// `stringifyResult` (`stringifyResult` below) uses it for a result without
// errors or extensions whose data that query produced, and JSON.stringify for
// everything else. It writes the same text: the same keys in the same order
// (both follow the selection), the same escapes. A selection that reaches an
// interface or union is left to JSON.stringify: its serializer would merge the
// fields of every possible type, in an order that need not be the result's.
import { execute, getNamedType, getVariableValues, isAbstractType, locatedError, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { DocumentNode, ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';

type Gateway = ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
type ExecutorContext = Parameters<Executor>[0];

/** Compiled queries kept at most; beyond, the oldest is dropped (queries sent once and never again). */
export const MAX_COMPILED_QUERIES = 500;

/** What a document compiles to: a compiled query, or null when it stays with graphql-js. */
type Compiled = { readonly query: CompiledQuery; readonly stringify: ((result: FormattedExecutionResult) => string) | undefined } | null;

export interface CompiledExecution {
  /** For ApolloServer `gateway`. */
  readonly gateway: Gateway;
  /** For ApolloServer `stringifyResult`: Apollo's own output (JSON and a newline), faster for the results of compiled queries. */
  readonly stringifyResult: (result: FormattedExecutionResult) => string;
}

/** An Apollo `gateway` whose executor runs queries compiled and everything else with graphql-js, on one schema. */
export function compiledExecutionGateway(schema: GraphQLSchema, options: { maxCompiled?: number } = {}): Gateway {
  return compiledExecution(schema, options).gateway;
}

/** The compiled-execution gateway, with the result serializer that knows the shapes of its compiled queries. */
export function compiledExecution(schema: GraphQLSchema, options: { maxCompiled?: number } = {}): CompiledExecution {
  const maxCompiled = options.maxCompiled ?? MAX_COMPILED_QUERIES;
  const compiled = new Map<string, Compiled>();
  // The data of a result a compiled query produced → that query's serializer. Apollo hands
  // `stringifyResult` a new object around the very same `data`; weak, so a result never stays.
  const serializers = new WeakMap<object, (result: FormattedExecutionResult) => string>();

  function stringifyResult(result: FormattedExecutionResult): string {
    const stringify = result.errors === undefined && result.extensions === undefined && result.data ? serializers.get(result.data) : undefined;
    return (stringify ? stringify(result) : JSON.stringify(result)) + '\n';
  }

  function compiledFor(key: string, document: DocumentNode, operationName: string | undefined): Compiled {
    let entry = compiled.get(key);
    if (entry !== undefined) return entry;
    entry = compile(schema, document, operationName);
    if (compiled.size >= maxCompiled) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, entry);
    return entry;
  }

  const executor: Executor = async (requestContext: ExecutorContext) => {
    const { document, operation, request, context } = requestContext;
    const interpreted = () => execute({ schema, document, contextValue: context, variableValues: request.variables, operationName: request.operationName }) as Promise<ExecutionResult> | ExecutionResult;
    if (!operation || operation.operation !== 'query') return interpreted();
    if (operation.variableDefinitions && operation.variableDefinitions.length > 0) {
      const coerced = getVariableValues(schema, operation.variableDefinitions, request.variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    const entry = compiledFor(`${requestContext.queryHash}\u0000${request.operationName ?? ''}`, document, request.operationName ?? undefined);
    if (!entry) return interpreted();
    const result = await entry.query.query(undefined, context, request.variables);
    if (result.errors) return { ...result, errors: result.errors.map(asGraphQLJsError) };
    if (entry.stringify && result.data) serializers.set(result.data, entry.stringify);
    return result;
  };

  const listeners = new Set<Parameters<Gateway['onSchemaLoadOrUpdate']>[0]>();
  const gateway: Gateway = {
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async load() {
      // The schema never changes: Apollo learns it once, before the first request.
      for (const listener of listeners) listener({ apiSchema: schema, coreSupergraphSdl: '' });
      return { executor };
    },
    async stop() {
      compiled.clear();
    },
  };
  return { gateway, stringifyResult };
}

/** The compiled query, or null for a document graphql-jit refuses or fails on: graphql-js then runs it and says what is wrong. */
function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Compiled {
  // graphql-jit's serializer knows only the built-in scalars: a selection of another one
  // fails to compile with it, and is compiled again without.
  if (!reachesAbstractType(schema, document)) {
    const query = compileOperation(schema, document, operationName, true);
    if (query) return { query, stringify: query.stringify as (result: FormattedExecutionResult) => string };
  }
  const query = compileOperation(schema, document, operationName);
  return query ? { query, stringify: undefined } : null;
}

/** graphql-jit's compiled operation (with its own serializer when asked), or null where it refuses or throws. */
export function compileOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, customJSONSerializer = false): CompiledQuery | null {
  try {
    const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true, customJSONSerializer });
    return isCompiledQuery(result) ? result : null;
  } catch {
    return null;
  }
}

/** Whether a field the document selects (in any of its operations or fragments) has an interface or union type. */
function reachesAbstractType(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const type = typeInfo.getType();
        if (type && isAbstractType(getNamedType(type))) found = true;
      },
    }),
  );
  return found;
}

/**
 * graphql-jit's error as graphql-js makes it: `locatedError` of what the
 * resolver threw, at the same path and locations. The errors the compiled
 * code raises itself (a null in a non-null field, a value a scalar cannot
 * serialize) carry only a message: graphql-js wraps a plain Error of it.
 */
export function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const cause: unknown = error.originalError ?? new Error(error.message);
  const located = locatedError(cause, [], error.path);
  // A located error the resolver threw is kept as it is, as graphql-js does.
  if (located !== cause && error.locations) Object.assign(located, { locations: error.locations });
  return located;
}
