// The context of one subscription: small while its stream waits.
//
// A subscription lives for minutes or hours, and most of that time it only
// waits for its watch's next event. Its stream needs the caller's scope and
// the shared batch watch; only a resolver under an event (a batch's dataset,
// files or rows) needs the platform client, the loaders or a logger. So the
// request context that the gateway's own factory builds (credentials,
// sandbox and key grants checked exactly as over HTTP) is used to check the
// subscription and then let go; it is built again, once, the first time a
// resolver asks for one of those parts.
import type { Logger } from 'pino';
import type { ScopedPlatform } from '../platform/client.ts';
import type { PlatformScope } from '../platform/types.ts';
import type { BatchWatch } from './batch-watch.ts';
import type { GatewayConfig } from './config.ts';
import type { ContextFactory, GatewayContext, HeadersRecord, RequestRecord } from './context.ts';
import type { Loaders } from './loaders.ts';

/**
 * The same text as one flat string. `randomUUID()` builds its text by
 * concatenation, which V8 keeps as a tree of some twenty pieces (about 500
 * bytes) until something reads it whole; a request id held for a stream's
 * life is worth copying once (about 60 bytes).
 */
export function flatString(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

class SubscriptionContext implements GatewayContext {
  readonly requestId: string;
  readonly scope: PlatformScope;
  readonly config: GatewayConfig;
  readonly batchWatch: BatchWatch;
  readonly #factory: ContextFactory;
  readonly #headers: HeadersRecord;
  #record: RequestRecord | undefined;
  #full: GatewayContext | undefined;

  constructor(factory: ContextFactory, headers: HeadersRecord, checked: GatewayContext) {
    this.requestId = checked.requestId;
    this.scope = checked.scope;
    this.config = checked.config;
    this.batchWatch = checked.batchWatch;
    this.#factory = factory;
    this.#headers = headers;
    // The grants access control attaches under symbol keys (what a key may do) travel with the context.
    for (const key of Object.getOwnPropertySymbols(checked)) {
      Object.defineProperty(this, key, { value: (checked as unknown as Record<symbol, unknown>)[key], enumerable: true });
    }
  }

  get record(): RequestRecord {
    this.#record ??= { errorCount: 0 };
    return this.#record;
  }

  get platform(): ScopedPlatform {
    return this.#requestContext().platform;
  }

  get loaders(): Loaders {
    return this.#requestContext().loaders;
  }

  get logger(): Logger {
    return this.#requestContext().logger;
  }

  /** The request context of this subscription, built once on first use, with the same id and record. */
  #requestContext(): GatewayContext {
    this.#full ??= this.#factory(this.#headers, { requestId: this.requestId, record: this.record });
    return this.#full;
  }
}

/**
 * Checks a subscription with the gateway's context factory (throws what it
 * throws: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT) and returns its small
 * context. `headers` are kept to build the full context again when needed.
 */
export function createSubscriptionContext(factory: ContextFactory, headers: HeadersRecord, requestId: string): GatewayContext {
  const checked = factory(headers, { requestId: flatString(requestId) });
  return new SubscriptionContext(factory, headers, checked);
}
