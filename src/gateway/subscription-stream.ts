// graphql's subscribe(), with the mapping from source events to responses
// done by one small object per stream.
//
// graphql-js maps a source stream through `mapAsyncIterator`: five closures
// and an async function that stays suspended in `await iterator.next()` for
// as long as the stream waits for its next event. An idle subscriber holds
// all of that for its whole life. Here the same steps are a class whose
// `next()` chains on the source's promise: while waiting, a stream holds the
// source, the execution arguments and one pending reaction.
//
// Behaviour is graphql-js 16's: the source stream comes from
// createSourceEventStream (or the ExecutionResult of its errors); each event
// is executed with the event as rootValue; an error thrown by the source
// rejects `next()`; an error thrown by executing an event closes the source
// (its own failure to close is ignored) and rejects `next()`.
//
// Events are executed by the operation compiled once per document
// (graphql-jit, as queries over HTTP: compiled-execution.ts): one status
// change is executed for every subscriber of the batch at once, and graphql-js
// would coerce the variables and walk the selection anew each time. Errors
// come back shaped as graphql-js makes them; a document graphql-jit refuses
// or throws on while compiling runs with graphql-js.
import { createSourceEventStream, execute } from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { asGraphQLJsError, compileOperation } from './compiled-execution.ts';

type Response = ExecutionResult;

/** Compiled operations by document (shared by every subscription that sends the same text) and operation name; null: not compilable. */
const compiledByDocument = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

function compiledFor(args: ExecutionArgs): CompiledQuery | null {
  let byName = compiledByDocument.get(args.document);
  if (!byName) compiledByDocument.set(args.document, (byName = new Map()));
  const name = args.operationName ?? '';
  let compiled = byName.get(name);
  if (compiled === undefined) {
    compiled = compileOperation(args.schema, args.document, args.operationName ?? undefined);
    byName.set(name, compiled);
  }
  return compiled;
}

async function executeEvent(args: ExecutionArgs, compiled: CompiledQuery | null, event: unknown): Promise<Response> {
  if (!compiled) return execute({ ...args, rootValue: event });
  const result = await compiled.query(event, args.contextValue, args.variableValues ?? {});
  return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
}

class ResponseStream implements AsyncGenerator<Response, undefined> {
  readonly #source: AsyncIterator<unknown>;
  readonly #args: ExecutionArgs;
  readonly #compiled: CompiledQuery | null;

  constructor(source: AsyncIterator<unknown>, args: ExecutionArgs) {
    this.#source = source;
    this.#args = args;
    this.#compiled = compiledFor(args);
  }

  next(): Promise<IteratorResult<Response, undefined>> {
    return this.#source.next().then((result) => this.#respond(result));
  }

  return(): Promise<IteratorResult<Response, undefined>> {
    if (typeof this.#source.return !== 'function') return Promise.resolve({ value: undefined, done: true });
    return this.#source.return().then((result) => this.#respond(result));
  }

  async throw(error: unknown): Promise<IteratorResult<Response, undefined>> {
    if (typeof this.#source.throw === 'function') return this.#respond(await this.#source.throw(error));
    await this.#closeSource();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async #respond(result: IteratorResult<unknown>): Promise<IteratorResult<Response, undefined>> {
    if (result.done) return { value: undefined, done: true };
    try {
      return { value: await executeEvent(this.#args, this.#compiled, result.value), done: false };
    } catch (error) {
      await this.#closeSource();
      throw error;
    }
  }

  async #closeSource(): Promise<void> {
    try {
      await this.#source.return?.();
    } catch {
      // Keep the original error when closing the source also fails.
    }
  }
}

/** As graphql's `subscribe`: the response stream, or the ExecutionResult of errors found before any event. */
export async function subscribeStream(args: ExecutionArgs): Promise<AsyncGenerator<Response, undefined> | Response> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  return new ResponseStream(source[Symbol.asyncIterator](), args);
}
