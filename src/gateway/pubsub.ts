// Typed publish/subscribe for subscription events. A topic is
// `<routingKey>:<id>` (e.g. `batch:<org>:<sandbox>:<batchId>`), and the
// payload type is fixed per routing key, so publishers and listeners agree at
// compile time. Two engines: in-process (the default: one gateway instance),
// and Redis (REDIS_URL: every instance hears every event, so a batch polled by
// one instance reaches subscribers connected to any of them).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type Listener<T> = (payload: T) => void;

/** Stops one listener; resolves once the engine no longer delivers to it. */
export type Unsubscribe = () => Promise<void>;

export interface PubSub<TTopics extends Record<string, unknown>> {
  publish<K extends keyof TTopics & string>(routingKey: K, id: string, payload: TTopics[K]): Promise<void>;
  /** Resolves once the listener is registered (with Redis: once the channel is subscribed). */
  subscribe<K extends keyof TTopics & string>(routingKey: K, id: string, listener: Listener<TTopics[K]>): Promise<Unsubscribe>;
  close(): Promise<void>;
}

/** `:` separates the parts of a topic, so it is escaped inside a part (with `%` itself). */
export function topicPart(value: string): string {
  return value.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export function topicName(routingKey: string, id: string): string {
  return `${routingKey}:${id}`;
}

/** A registry of listeners per topic; both engines deliver through it. */
function createListenerRegistry(logger: Logger | undefined) {
  const byTopic = new Map<string, Set<Listener<unknown>>>();
  return {
    /** Returns true when this is the topic's first listener. */
    add(topic: string, listener: Listener<unknown>): boolean {
      let listeners = byTopic.get(topic);
      const first = listeners === undefined;
      if (!listeners) byTopic.set(topic, (listeners = new Set()));
      listeners.add(listener);
      return first;
    },
    /** Returns true when the topic has no listener left. */
    remove(topic: string, listener: Listener<unknown>): boolean {
      const listeners = byTopic.get(topic);
      if (!listeners?.delete(listener)) return false;
      if (listeners.size > 0) return false;
      byTopic.delete(topic);
      return true;
    },
    deliver(topic: string, payload: unknown): void {
      const listeners = byTopic.get(topic);
      if (!listeners) return;
      for (const listener of [...listeners]) {
        try {
          listener(payload);
        } catch (error) {
          // One faulty listener must not starve the others.
          logger?.error({ err: error, topic }, 'pubsub listener failed');
        }
      }
    },
    topics: () => [...byTopic.keys()],
    clear: () => byTopic.clear(),
  };
}

export interface MemoryPubSubOptions {
  readonly logger?: Logger;
}

/** One process: listeners are called synchronously, in publish order. */
export function createMemoryPubSub<TTopics extends Record<string, unknown>>(options: MemoryPubSubOptions = {}): PubSub<TTopics> {
  const registry = createListenerRegistry(options.logger);
  return {
    async publish(routingKey, id, payload) {
      registry.deliver(topicName(routingKey, id), payload);
    },
    async subscribe(routingKey, id, listener) {
      const topic = topicName(routingKey, id);
      registry.add(topic, listener as Listener<unknown>);
      return async () => {
        registry.remove(topic, listener as Listener<unknown>);
      };
    },
    async close() {
      registry.clear();
    },
  };
}

export interface RedisPubSubOptions {
  /** Runs PUBLISH (a connection in subscriber mode cannot). */
  readonly publisher: Redis;
  /** Dedicated to SUBSCRIBE; the engine adds its own message listener. */
  readonly subscriber: Redis;
  /** Put before every channel name, so that several deployments (or test runs) can share one Redis. @default 'aep-graphql:' */
  readonly prefix?: string;
  readonly logger?: Logger;
}

/**
 * Payloads travel as JSON. Channel subscriptions are reference counted: the
 * first local listener of a topic subscribes the channel, the last one
 * unsubscribes it. Commands go out in call order on one connection, so an
 * unsubscribe followed by a subscribe of the same channel ends subscribed.
 */
export function createRedisPubSub<TTopics extends Record<string, unknown>>(options: RedisPubSubOptions): PubSub<TTopics> {
  const { publisher, subscriber, logger } = options;
  const prefix = options.prefix ?? 'aep-graphql:';
  const registry = createListenerRegistry(logger);

  const onMessage = (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch (error) {
      logger?.warn({ err: error, channel }, 'pubsub message is not JSON');
      return;
    }
    registry.deliver(channel.slice(prefix.length), payload);
  };
  subscriber.on('message', onMessage);

  return {
    async publish(routingKey, id, payload) {
      await publisher.publish(prefix + topicName(routingKey, id), JSON.stringify(payload));
    },
    async subscribe(routingKey, id, listener) {
      const topic = topicName(routingKey, id);
      if (registry.add(topic, listener as Listener<unknown>)) await subscriber.subscribe(prefix + topic);
      return async () => {
        if (registry.remove(topic, listener as Listener<unknown>)) await subscriber.unsubscribe(prefix + topic);
      };
    },
    async close() {
      subscriber.off('message', onMessage);
      const channels = registry.topics().map((topic) => prefix + topic);
      registry.clear();
      if (channels.length > 0 && subscriber.status === 'ready') await subscriber.unsubscribe(...channels);
    },
  };
}
