// Follows one batch's status over graphql-ws on the GraphQL endpoint's own URL.
// Headers travel as connectionParams: a WebSocket has no per-request headers.
import { createClient } from 'graphql-ws';
import { webSocketUrl } from '../page-config.ts';
import { describeErrors } from './graphql-http.ts';
import type { GraphQLError } from './graphql-http.ts';
import { BATCH_STATUS_SUBSCRIPTION } from './operations.ts';
import type { BatchStatusEvent } from './operations.ts';

export interface BatchWatchSink {
  next(event: BatchStatusEvent): void;
  error(message: string): void;
  /** The server ended the subscription (the batch reached a terminal status). */
  complete(): void;
}

function describeSocketError(error: unknown): string {
  if (Array.isArray(error)) return describeErrors(error as readonly GraphQLError[]);
  if (typeof CloseEvent !== 'undefined' && error instanceof CloseEvent) {
    return `the subscription socket closed (${error.code}${error.reason ? ` ${error.reason}` : ''})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Starts the subscription; the returned function stops it. */
export function watchBatch(
  endpoint: string,
  headers: Readonly<Record<string, string>>,
  batchId: string,
  sink: BatchWatchSink,
): () => void {
  const client = createClient({ url: webSocketUrl(endpoint), connectionParams: { ...headers }, retryAttempts: 0 });
  const unsubscribe = client.subscribe<{ batchStatus: BatchStatusEvent }>(
    { query: BATCH_STATUS_SUBSCRIPTION, variables: { id: batchId } },
    {
      next(result) {
        if (result.errors?.length) sink.error(describeErrors(result.errors));
        else if (result.data) sink.next(result.data.batchStatus);
      },
      error(error) {
        sink.error(describeSocketError(error));
        void client.dispose();
      },
      complete() {
        sink.complete();
        void client.dispose();
      },
    },
  );
  return () => {
    unsubscribe();
    void client.dispose();
  };
}
