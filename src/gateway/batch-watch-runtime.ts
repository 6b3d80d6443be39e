// Builds the process's batch watch from the configuration: everything in
// memory for one instance, or, with REDIS_URL, the Redis pubsub, poll lease
// and state store shared by every instance. Two Redis connections: one for
// commands (PUBLISH, the lease, the states: one connection, so that a state
// written and then published is written before any instance hears of it),
// one in subscriber mode.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PlatformClient } from '../platform/client.ts';
import { createBatchWatch } from './batch-watch.ts';
import type { BatchWatch, WatchTopics } from './batch-watch.ts';
import type { GatewayConfig } from './config.ts';
import { createRedisLease } from './poll-lease.ts';
import { createRedisPubSub } from './pubsub.ts';
import { createRedisStateStore } from './watch-state-store.ts';

export interface BatchWatchRuntime {
  readonly batchWatch: BatchWatch;
  /** Whether events and pollers are shared through Redis. */
  readonly shared: boolean;
  /** Ends every stream, stops the pollers, closes the Redis connections. */
  close(): Promise<void>;
}

/**
 * The poll lease outlives a few renewals (at a third of its life) so that a
 * busy event loop does not lose it, and is short enough for a survivor to
 * take over within one poll interval: 2 s to 30 s, the interval in between.
 */
export function leaseTtlFor(intervalMs: number): number {
  return Math.max(2_000, Math.min(intervalMs, 30_000));
}

export function createBatchWatchFor(
  config: Pick<GatewayConfig, 'redisUrl' | 'redisKeyPrefix' | 'batchPollIntervalMs' | 'batchPollMaxIntervalMs'>,
  deps: { readonly platformClient: PlatformClient; readonly logger: Logger },
): BatchWatchRuntime {
  const logger = deps.logger.child({ component: 'batch-watch' });
  const common = { platform: deps.platformClient, intervalMs: config.batchPollIntervalMs, maxIntervalMs: config.batchPollMaxIntervalMs, logger };
  if (!config.redisUrl) {
    const batchWatch = createBatchWatch(common);
    return { batchWatch, shared: false, close: () => batchWatch.close() };
  }

  // The instance's name in the poll leases, and in its batch watch's log lines, so that an operator can tell which instance polls what.
  const instance = randomUUID();
  const sharedLogger = logger.child({ instance });
  const prefix = config.redisKeyPrefix;
  const commands = new Redis(config.redisUrl, { lazyConnect: false });
  const subscriber = commands.duplicate();
  // ioredis reconnects by itself; without a listener an error event would crash the process.
  for (const connection of [commands, subscriber]) connection.on('error', (error: unknown) => sharedLogger.warn({ err: error }, 'redis connection error'));

  const pubsub = createRedisPubSub<WatchTopics>({ publisher: commands, subscriber, prefix, logger: sharedLogger });
  const batchWatch = createBatchWatch({
    ...common,
    logger: sharedLogger,
    pubsub,
    lease: createRedisLease({ redis: commands, prefix, ttlMs: leaseTtlFor(config.batchPollIntervalMs), owner: instance }),
    stateStore: createRedisStateStore({ redis: commands, prefix }),
  });
  sharedLogger.info({ prefix }, 'batch watch shares pollers, events and states through Redis');
  let closing: Promise<void> | undefined;
  return {
    batchWatch,
    shared: true,
    close() {
      closing ??= (async () => {
        await batchWatch.close();
        await pubsub.close().catch((error: unknown) => sharedLogger.warn({ err: error }, 'redis pubsub close failed'));
        await Promise.all([commands, subscriber].map((connection) => connection.quit().catch(() => connection.disconnect())));
      })();
      return closing;
    },
  };
}
