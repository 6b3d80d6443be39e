// Batch status subscriptions: thin. The shared pollers live in
// src/gateway/batch-watch.ts; each subscription only asks for a stream in its
// own scope (org, sandbox, credentials) and adapts the events.
import type { BatchStatusEvent } from '../src/gateway/batch-watch.ts';
import type { Resolvers } from '../src/generated/resolvers-types.ts';
import { batchStatus } from './batches.ts';

export const subscriptionResolvers: Resolvers = {
  Subscription: {
    batchStatus: {
      subscribe: (_root, { id }, { batchWatch, scope }) => batchWatch.watch(scope, id),
      resolve: (event: BatchStatusEvent) => event,
    },
    datasetBatches: {
      subscribe: (_root, { datasetId }, { batchWatch, scope }) => batchWatch.datasetBatches(scope, datasetId),
      resolve: (event: BatchStatusEvent) => event,
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
