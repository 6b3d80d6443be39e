// GraphQL subscriptions from tests, with the real graphql-ws client over the
// ws package: clients are disposed in afterAll, and `follow` collects a
// subscription's results so a test can wait for the n-th one or for the end.
import { createClient } from 'graphql-ws';
import type { Client, ClientOptions } from 'graphql-ws';
import type { ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { afterAll } from 'vitest';
import WebSocket from 'ws';

/** http://host/graphql → ws://host/graphql */
export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

const clients = new Set<Client>();
// Registered when a test file imports this module: closes what its tests opened.
afterAll(async () => {
  await Promise.all([...clients].map((client) => client.dispose()));
  clients.clear();
});

/** A client that never retries (a refused or lost connection must show); closed after the test file. */
export function createTestClient(httpUrl: string, connectionParams: Record<string, unknown>, options: Partial<ClientOptions> = {}): Client {
  const client = createClient({ url: wsUrl(httpUrl), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true, ...options });
  clients.add(client);
  return client;
}

export interface Followed<T> {
  readonly results: Array<FormattedExecutionResult<T>>;
  /** The errors of an `error` message, when the server sent one. */
  readonly errors: readonly GraphQLFormattedError[] | undefined;
  /** Resolves when the stream completes or errors. */
  readonly ended: Promise<void>;
  readonly completed: boolean;
  /** Resolves once at least n results arrived (or the stream ended). */
  atLeast(n: number): Promise<void>;
  /** Stops the subscription from the client side. */
  stop(): void;
}

export function follow<T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown> = {}, extensions?: Record<string, unknown>): Followed<T> {
  const results: Array<FormattedExecutionResult<T>> = [];
  let errors: readonly GraphQLFormattedError[] | undefined;
  let completed = false;
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const wake = (finished = false) => {
    for (const waiter of [...waiters]) {
      if (finished || results.length >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const stop = client.subscribe<T>(
    { query, variables, ...(extensions ? { extensions } : {}) },
    {
      next(result: ExecutionResult<T> | FormattedExecutionResult<T>) {
        results.push(result as FormattedExecutionResult<T>);
        wake();
      },
      error(error: unknown) {
        errors = Array.isArray(error) ? (error as GraphQLFormattedError[]) : [{ message: error instanceof Error ? error.message : String(error) }];
        end();
        wake(true);
      },
      complete() {
        completed = true;
        end();
        wake(true);
      },
    },
  );
  return {
    results,
    get errors() {
      return errors;
    },
    get completed() {
      return completed;
    },
    ended,
    atLeast(n) {
      if (results.length >= n || completed || errors) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    stop,
  };
}
