import { GraphQLError, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createEventQueue } from '../../../src/gateway/event-queue.ts';
import type { EventQueue } from '../../../src/gateway/event-queue.ts';
import { subscribeStream } from '../../../src/gateway/subscription-stream.ts';

let queue: EventQueue<number>;
let closed = 0;

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      count: {
        type: GraphQLInt,
        args: { times: { type: GraphQLInt } },
        subscribe: () => {
          queue = createEventQueue<number>(() => closed++);
          return queue.iterator;
        },
        // Each event times the argument; 13 cannot be shown.
        resolve: (event: number, { times }: { times?: number | null }) => {
          if (event === 13) throw new Error('unlucky');
          return event * (times ?? 1);
        },
      },
      refused: {
        type: GraphQLInt,
        subscribe: () => {
          throw new GraphQLError('not for you');
        },
      },
    },
  }),
});

async function stream(query: string, variableValues?: Record<string, unknown>) {
  const result = await subscribeStream({ schema, document: parse(query), variableValues, contextValue: {} });
  if (!(Symbol.asyncIterator in result)) throw new Error(`no stream: ${JSON.stringify(result)}`);
  return result;
}

describe('subscribeStream', () => {
  it('should execute each source event with the operation, its variables and context', async () => {
    const responses = await stream('subscription ($t: Int) { count(times: $t) }', { t: 3 });
    queue.push(1);
    queue.push(2);
    expect(await responses.next()).toEqual({ value: { data: { count: 3 } }, done: false });
    expect(await responses.next()).toEqual({ value: { data: { count: 6 } }, done: false });
    queue.complete();
    expect(await responses.next()).toEqual({ value: undefined, done: true });
  });

  it('should give the errors of a refused subscription as a result, not a stream', async () => {
    const result = (await subscribeStream({ schema, document: parse('subscription { refused }') })) as ExecutionResult;
    expect(Symbol.asyncIterator in result).toBe(false);
    expect(result.errors?.map((e) => e.message)).toEqual(['not for you']);
  });

  it('should report a field error of one event in its response and go on', async () => {
    const responses = await stream('subscription { count }');
    const before = closed;
    queue.push(13);
    queue.push(2);
    const first = (await responses.next()).value as ExecutionResult;
    // As graphql-js makes it: the field is null, the error located at it, carrying what the resolver threw.
    expect(first.data).toEqual({ count: null });
    expect(first.errors?.map((e) => e.toJSON())).toEqual([{ message: 'unlucky', path: ['count'], locations: [{ line: 1, column: 16 }] }]);
    expect(first.errors?.[0]?.originalError?.message).toBe('unlucky');
    expect(await responses.next()).toEqual({ value: { data: { count: 2 } }, done: false });
    expect(closed).toBe(before);
  });

  it('should reject next() with the error that fails the source', async () => {
    const responses = await stream('subscription { count }');
    queue.fail(new Error('gone'));
    await expect(responses.next()).rejects.toThrow('gone');
  });

  it('should end the source once when the consumer returns, and answer done afterwards', async () => {
    const responses = await stream('subscription { count }');
    const before = closed;
    const waiting = responses.next();
    expect(await responses.return(undefined)).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await responses.next()).toEqual({ value: undefined, done: true });
    expect(closed - before).toBe(1);
  });

  it('should end the source and rethrow when the consumer throws into it', async () => {
    const responses = await stream('subscription { count }');
    const before = closed;
    await expect(responses.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(closed - before).toBe(1);
    expect(responses[Symbol.asyncIterator]()).toBe(responses);
  });
});
