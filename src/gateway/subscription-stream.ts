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
import { createSourceEventStream, execute } from 'graphql';
import type { ExecutionArgs, ExecutionResult } from 'graphql';

type Response = ExecutionResult;

class ResponseStream implements AsyncGenerator<Response, undefined> {
  readonly #source: AsyncIterator<unknown>;
  readonly #args: ExecutionArgs;

  constructor(source: AsyncIterator<unknown>, args: ExecutionArgs) {
    this.#source = source;
    this.#args = args;
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
      return { value: await execute({ ...this.#args, rootValue: result.value }), done: false };
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
