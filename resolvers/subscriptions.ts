// Batch status subscriptions: thin. The shared pollers live in
// src/gateway/batch-watch.ts; each subscription only asks for a stream in its
// own scope (org, sandbox, credentials) and adapts the events.
import type { BatchStatusEvent } from '../src/gateway/batch-watch.ts';
import { GatewayError } from '../src/gateway/errors.ts';
import type { Resolvers } from '../src/generated/resolvers-types.ts';
import { batchStatus } from './batches.ts';

/**
 * The event a subscription stream produced. Over HTTP, graphql runs a
 * subscription operation like a query, with no event: say where they are served.
 */
function eventOrRefusal(event: BatchStatusEvent | undefined): BatchStatusEvent {
  if (event === undefined || event === null) {
    throw new GatewayError('BAD_REQUEST', 'Subscriptions are served over WebSocket (graphql-ws, graphql-transport-ws protocol) on this same URL, not over HTTP');
  }
  return event;
}

export const subscriptionResolvers: Resolvers = {
  Subscription: {
    batchStatus: {
      subscribe: (_root, { id }, { batchWatch, scope }) => batchWatch.watch(scope, id),
      resolve: eventOrRefusal,
    },
    datasetBatches: {
      subscribe: (_root, { datasetId }, { batchWatch, scope }) => batchWatch.datasetBatches(scope, datasetId),
      resolve: eventOrRefusal,
    },
  },

  BatchStatusEvent: {
    batch: (event) => event.batch,
    previousStatus: (event) => (event.previousStatus === null ? null : batchStatus(event.previousStatus)),
    previousRawStatus: (event) => event.previousStatus,
    statusChanged: (event) => event.statusChanged,
    terminal: (event) => event.terminal,
    initial: (event) => event.initial,
    sequence: (event) => event.sequence,
    observedAt: (event) => event.observedAt,
  },
};
