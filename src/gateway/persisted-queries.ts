// Apollo's `persistedQueries` option from the configuration: automatic
// persisted queries with the server's in-memory cache by default, with a
// Redis cache when REDIS_URL is set (every instance finds what one
// registered), or the persisted-documents allow-list (PERSISTED_DOCUMENTS),
// which then also refuses every other document.
import type { ApolloServerOptions } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import { ErrorsAreMissesCache } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import type { GatewayError } from './errors.ts';
import { loadPersistedDocuments } from './persisted-documents.ts';
import { RedisKeyValueCache } from './redis-kv-cache.ts';

export interface PersistedQueries {
  /** Apollo's `persistedQueries` option. */
  readonly option: ApolloServerOptions<GatewayContext>['persistedQueries'];
  /** With an allow-list: the rule that refuses unlisted documents over HTTP. */
  readonly validationRules: readonly ValidationRule[];
  /** With an allow-list: the refusal of an unlisted document (for the WebSocket path). */
  refusal(source: string): GatewayError | undefined;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
}

/** Where APQ entries go under REDIS_KEY_PREFIX (Apollo adds its own `apq:` after it). */
export const APQ_KEY_SEGMENT = 'persisted-queries:';
/**
 * How long Redis keeps a registered query. Redis is not bounded like the
 * in-memory LRU, so entries expire: a client whose hash has expired gets
 * PERSISTED_QUERY_NOT_FOUND once and registers it again.
 */
export const REDIS_APQ_TTL_SECONDS = 86_400; // 24 hours
/** A Redis APQ lookup slower than this counts as a miss: the client then sends the query. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

export function createPersistedQueries(
  config: Pick<GatewayConfig, 'persistedQueries' | 'persistedDocumentsPath' | 'redisUrl' | 'redisKeyPrefix'>,
  deps: { readonly logger: Logger },
): PersistedQueries {
  if (config.persistedDocumentsPath !== undefined) {
    const documents = loadPersistedDocuments(config.persistedDocumentsPath);
    deps.logger.info({ documents: documents.size }, 'persisted documents only');
    return { option: { cache: documents.cache, ttl: null }, validationRules: [documents.validationRule], refusal: documents.refusal, close: async () => {} };
  }
  if (!config.persistedQueries) return { option: false, validationRules: [], refusal: () => undefined, close: async () => {} };
  if (!config.redisUrl) {
    // Apollo's default: its bounded in-memory LRU cache.
    return { option: {}, validationRules: [], refusal: () => undefined, close: async () => {} };
  }

  const redis = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
  // ioredis reconnects by itself; without a listener an error event would crash the process.
  redis.on('error', (error: unknown) => deps.logger.warn({ err: error, component: 'persisted-queries' }, 'redis connection error'));
  let closing: Promise<void> | undefined;
  return {
    // A Redis outage turns lookups into misses instead of failed requests.
    option: { cache: new ErrorsAreMissesCache(new RedisKeyValueCache(redis, config.redisKeyPrefix + APQ_KEY_SEGMENT)), ttl: REDIS_APQ_TTL_SECONDS },
    validationRules: [],
    refusal: () => undefined,
    close: () => (closing ??= redis.quit().then(() => undefined, () => redis.disconnect())),
  };
}
