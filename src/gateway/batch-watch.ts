// Batch status subscriptions: one poller per watched object (a batch, or the
// batch list of a dataset) per (org, sandbox, id), shared by every subscriber
// of it, whatever instance they are connected to.
//
// How an event travels: the instance that holds the poll lease for a watch
// calls the Platform (`getBatch`, or `listBatches` for a dataset) on a
// schedule, compares with the last state, stores the new state and publishes
// the change on the watch's topic; every instance with subscribers of that
// watch listens to the topic and hands the events to its subscribers. With
// one instance the lease is always held and the topic is in-process; with
// Redis both are shared, so N instances poll once per watch per interval.
//
// Rules, per subscriber: the current state comes at once (from memory, from
// the state store, or from the first poll), then one event per change of
// status, metrics or errors, each with the previous status; events carry a
// per-batch sequence number, so a subscriber never gets the same state twice
// (after a lease takeover, say). A batch stream ends after its terminal
// status; a dataset stream only ends when the client leaves. A failed poll
// (429, 5xx, reset, timeout) is retried with backoff and never ends a stream;
// a missing batch or dataset ends it with NOT_FOUND.
//
// Credentials: pollers call the Platform with the scope of a subscriber they
// serve. In pass-through mode each distinct caller credential is checked once
// per watch with its own read before it may share the watch, so nobody sees a
// batch through someone else's token; a credential that the Platform refuses
// while polling ends only the streams that came with it.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PlatformClient, ScopedPlatform } from '../platform/client.ts';
import { PlatformError } from '../platform/errors.ts';
import type { Batch, PlatformScope } from '../platform/types.ts';
import { codeForPlatformError, notFound } from './errors.ts';
import { createEventQueue } from './event-queue.ts';
import type { EventQueue } from './event-queue.ts';
import { createLocalLease } from './poll-lease.ts';
import type { LeaseRenewal, PollLease } from './poll-lease.ts';
import { createMemoryPubSub, topicName, topicPart } from './pubsub.ts';
import type { PubSub, Unsubscribe } from './pubsub.ts';
import { createMemoryStateStore } from './watch-state-store.ts';
import type { WatchStateStore } from './watch-state-store.ts';

/** Statuses after which a batch does not change any more (platform-api.md §4.7), in the Platform's words. */
export const TERMINAL_BATCH_STATUSES: ReadonlySet<string> = new Set(['success', 'active', 'failed', 'failure', 'aborted', 'abandoned', 'inactive', 'deleted']);

export function isTerminalStatus(raw: string | undefined): boolean {
  return TERMINAL_BATCH_STATUSES.has(raw?.toLowerCase() ?? '');
}

/** One observed state of a batch, as subscribers receive it. */
export interface BatchStatusEvent {
  /** The batch as the Platform returned it. */
  readonly batch: Batch;
  /** The Platform's status word before this change; null for the first state seen. */
  readonly previousStatus: string | null;
  /** False when only metrics or errors changed, and for the first state seen. */
  readonly statusChanged: boolean;
  /** The batch reached a terminal status: no event follows for it. */
  readonly terminal: boolean;
  /** 1 for the first state seen of this batch, then +1 per change. */
  readonly sequence: number;
  /** When the gateway saw this state (epoch ms). */
  readonly observedAt: number;
  /** True for what a subscriber gets when it subscribes (the current state), false for changes seen since. */
  readonly initial: boolean;
}

/** What a watch remembers between polls: the last event of each batch it follows. */
export interface WatchState {
  readonly events: Readonly<Record<string, BatchStatusEvent>>;
}

/** What travels on a watch's topic. */
export type WatchMessage =
  | {
      readonly type: 'events';
      readonly events: readonly BatchStatusEvent[];
      readonly state: WatchState;
      readonly terminal: boolean;
      /** The batch watch (one per gateway process) that polled it, which has handed it to its own subscribers already. */
      readonly origin?: string;
    }
  | { readonly type: 'missing' };

export type WatchTopics = { batch: WatchMessage; datasetBatches: WatchMessage };

export interface PollInfo {
  readonly kind: WatchKindName;
  readonly outcome: 'changed' | 'unchanged' | 'missing' | 'error';
  readonly durationMs: number;
}

export interface BatchWatchHooks {
  /** After every poll, for metrics. */
  onPoll?(info: PollInfo): void;
}

export interface BatchWatchOptions {
  /** The process's Platform client; pollers call `scoped(scope).catalog` directly (no request loader: it would cache a stale status). */
  readonly platform: PlatformClient;
  /** Where events go. @default an in-process engine */
  readonly pubsub?: PubSub<WatchTopics>;
  /** Who polls a watch. @default this instance, always */
  readonly lease?: PollLease;
  /**
   * Last known states. A state is written and its event published without
   * waiting in between: with Redis, the store and the pubsub's publisher must
   * use one connection, whose order guarantees that an instance hearing the
   * event finds the state written. @default in memory
   */
  readonly stateStore?: WatchStateStore;
  /** First delay between polls, and the delay after a change. The Platform's guide polls every 2 minutes. @default 120_000 // 2 minutes */
  readonly intervalMs?: number;
  /** Longest delay between polls. @default 4 * intervalMs */
  readonly maxIntervalMs?: number;
  /** The delay grows by this factor while nothing changes and after a failed poll. @default 1.5 */
  readonly backoffFactor?: number;
  /** Each retry delay (after a failed poll or publish, or while the lease is taken) is shortened by up to this share, at random, so that retries of pollers that failed together drift apart. Steady polls keep a spread cadence of their own instead. @default 0.1 */
  readonly jitter?: number;
  /** How long a state is kept after its last poll (at least three longest intervals). @default 600_000 // 10 minutes */
  readonly stateTtlMs?: number;
  /** How often an instance without the lease tries to take it. @default min(intervalMs, lease.ttlMs / 2) */
  readonly leaseRetryMs?: number;
  /** Batches per `listBatches` poll of a dataset (newest first). @default 50 */
  readonly datasetPageSize?: number;
  readonly logger?: Logger;
  readonly hooks?: BatchWatchHooks;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface BatchWatchStats {
  /** Open subscriber streams in this instance. */
  readonly activeSubscriptions: number;
  /** Watched objects with subscribers in this instance. */
  readonly activeWatches: number;
  /** Watches this instance polls (holds the lease of). */
  readonly activePollers: number;
  readonly pollsTotal: number;
  readonly pollErrorsTotal: number;
  /** Polls (failed ones included) in the last 60 seconds. */
  readonly pollsLastMinute: number;
}

export interface BatchWatch {
  /** The state of one batch now, then each change; ends after a terminal status. */
  watch(scope: PlatformScope, batchId: string): AsyncIterableIterator<BatchStatusEvent>;
  /** The unfinished batches of a dataset now, then every new batch and every change of its batches. */
  datasetBatches(scope: PlatformScope, datasetId: string): AsyncIterableIterator<BatchStatusEvent>;
  stats(): BatchWatchStats;
  /** Completes every stream and stops every poller (shutdown). */
  close(): Promise<void>;
}

type WatchKindName = 'batch' | 'datasetBatches';

/** What differs between watching one batch and watching a dataset's batches. */
interface WatchKind {
  readonly name: WatchKindName;
  /** For NOT_FOUND messages. */
  readonly what: string;
  /** The batches as they are now; null when the watched object does not exist. `first`: no state is known yet. */
  poll(platform: ScopedPlatform, id: string, first: boolean, signal: AbortSignal): Promise<Batch[] | null>;
  /** Whether these credentials can see the object. */
  exists(platform: ScopedPlatform, id: string, signal: AbortSignal): Promise<boolean>;
  /** On the first poll, which batches are news. */
  includeFirst(batch: Batch): boolean;
  /** The events a new subscriber gets at once. */
  snapshot(state: WatchState): BatchStatusEvent[];
  /** Whether the stream is over. */
  ends(state: WatchState): boolean;
}

function batchKind(): WatchKind {
  return {
    name: 'batch',
    what: 'Batch',
    async poll(platform, id, _first, signal) {
      const batch = await platform.catalog.getBatch(id, { signal });
      return batch ? [batch] : null;
    },
    async exists(platform, id, signal) {
      return (await platform.catalog.getBatch(id, { signal })) !== null;
    },
    includeFirst: () => true,
    snapshot: (state) => Object.values(state.events),
    ends: (state) => Object.values(state.events).some((event) => event.terminal),
  };
}

function datasetKind(pageSize: number): WatchKind {
  const datasetExists = async (platform: ScopedPlatform, id: string, signal: AbortSignal) =>
    (await platform.catalog.getDataSets([id], { signal, properties: ['name'] })).has(id);
  return {
    name: 'datasetBatches',
    what: 'Dataset',
    async poll(platform, id, first, signal) {
      if (first && !(await datasetExists(platform, id, signal))) return null;
      const page = await platform.catalog.listBatches({ filters: { dataSet: id }, orderBy: 'desc:created', limit: pageSize, signal });
      return page.items;
    },
    exists: datasetExists,
    // Batches already finished when the watch starts are history, not news.
    includeFirst: (batch) => !isTerminalStatus(batch.status),
    snapshot: (state) => Object.values(state.events).filter((event) => !event.terminal),
    ends: () => false,
  };
}

/** JSON with sorted keys: equal values give equal strings. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** What counts as a change: status, metrics and errors (not `updated` or `version`, which move on every write). */
function fingerprint(batch: Batch): string {
  return stableJson([batch.status ?? null, batch.metrics ?? null, batch.errors ?? null, batch.recordCount ?? null, batch.failedRecordCount ?? null]);
}

/** From the last state and a poll: the next state and the events it makes. Batches absent from the poll are dropped. */
export function reduceWatch(kind: Pick<WatchKind, 'includeFirst'>, previous: WatchState | undefined, polled: readonly Batch[], now: number): { state: WatchState; events: BatchStatusEvent[] } {
  const events: BatchStatusEvent[] = [];
  const next: Record<string, BatchStatusEvent> = {};
  for (const batch of polled) {
    const last = previous?.events[batch.id];
    if (last && fingerprint(last.batch) === fingerprint(batch)) {
      next[batch.id] = last;
      continue;
    }
    const event: BatchStatusEvent = {
      batch,
      previousStatus: last ? (last.batch.status ?? null) : null,
      statusChanged: last !== undefined && last.batch.status !== batch.status,
      terminal: isTerminalStatus(batch.status),
      sequence: (last?.sequence ?? 0) + 1,
      observedAt: now,
      initial: false,
    };
    next[batch.id] = event;
    if (previous !== undefined || kind.includeFirst(batch)) events.push(event);
  }
  return { state: { events: next }, events };
}

interface Subscriber {
  readonly scope: PlatformScope;
  /** Identifies the caller's credential in pass-through mode; '' when the gateway's own credentials are used. */
  readonly credential: string;
  readonly queue: EventQueue<BatchStatusEvent>;
  /** Last sequence delivered, per batch id. */
  readonly delivered: Map<string, number>;
  initialDone: boolean;
}

interface Watch {
  /** `<kind>:<org>:<sandbox>:<id>`: the watch's key here, and its lease and state key in the shared stores. */
  readonly mapKey: string;
  /** The topic id: `<org>:<sandbox>:<id>`. */
  readonly topicId: string;
  readonly leaseKey: string;
  readonly kind: WatchKind;
  readonly id: string;
  readonly subscribers: Set<Subscriber>;
  /** Credentials already checked against this watch. */
  readonly verified: Set<string>;
  joining: number;
  state: WatchState | undefined;
  missing: boolean;
  role: 'idle' | 'contender' | 'holder';
  delayMs: number;
  /** When the next poll is due on this holder's cadence; undefined until the first poll after taking the lease, and after a failed poll. */
  dueAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  renewTimer: NodeJS.Timeout | undefined;
  /** Aborts the poll in flight when this instance stops polling. */
  abort: AbortController;
  /** Aborted when the watch is torn down. */
  readonly lifetime: AbortController;
  ready: Promise<void>;
  unsubscribe: Unsubscribe | undefined;
  closed: boolean;
}

function credentialOf(scope: PlatformScope): string {
  const auth = scope.forwardedAuth;
  if (!auth) return '';
  return createHash('sha256').update(auth.authorization).update('\n').update(auth.apiKey).digest('hex');
}

/** The parts of a scope a poller needs (no per-request trace context). */
function pollScopeOf(scope: PlatformScope): PlatformScope {
  return { orgId: scope.orgId, sandbox: scope.sandbox, ...(scope.forwardedAuth ? { forwardedAuth: scope.forwardedAuth } : {}) };
}

function isCredentialError(error: unknown): boolean {
  if (!(error instanceof PlatformError)) return false;
  const code = codeForPlatformError(error);
  return code === 'UNAUTHENTICATED' || code === 'FORBIDDEN';
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof PlatformError)) return false;
  const code = codeForPlatformError(error);
  return code === 'UPSTREAM_RATE_LIMITED' || code === 'UPSTREAM_UNAVAILABLE' || code === 'UPSTREAM_TIMEOUT';
}

/** Resolves after ms, or at once when the signal aborts; never rejects. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function createBatchWatch(options: BatchWatchOptions): BatchWatch {
  const platform = options.platform;
  const pubsub = options.pubsub ?? createMemoryPubSub<WatchTopics>({ logger: options.logger });
  const lease = options.lease ?? createLocalLease();
  const store = options.stateStore ?? createMemoryStateStore();
  const intervalMs = options.intervalMs ?? 120_000;
  const maxIntervalMs = Math.max(intervalMs, options.maxIntervalMs ?? 4 * intervalMs);
  const factor = Math.max(1, options.backoffFactor ?? 1.5);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.1));
  const stateTtlMs = Math.max(options.stateTtlMs ?? 600_000, 3 * maxIntervalMs);
  const leaseRetryMs = options.leaseRetryMs ?? Math.max(1, Math.min(intervalMs, lease.ttlMs / 2));
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const kinds = { batch: batchKind(), datasetBatches: datasetKind(options.datasetPageSize ?? 50) };
  /** Marks the events this instance publishes, so that it skips their echo. */
  const origin = randomUUID();

  const watches = new Map<string, Watch>();
  const cleanups = new Set<Promise<unknown>>();
  let closed = false;
  let activeSubscriptions = 0;
  let activePollers = 0;
  let pollsTotal = 0;
  let pollErrorsTotal = 0;
  // Polls per second over the last minute, as a ring of 60 one-second buckets.
  const buckets = new Array<number>(60).fill(0);
  const bucketSecond = new Array<number>(60).fill(0);

  function countPoll(kind: WatchKind, outcome: PollInfo['outcome'], startedAt: number): void {
    pollsTotal++;
    if (outcome === 'error') pollErrorsTotal++;
    const second = Math.floor(now() / 1000);
    const slot = second % 60;
    if (bucketSecond[slot] !== second) {
      bucketSecond[slot] = second;
      buckets[slot] = 0;
    }
    buckets[slot] = (buckets[slot] ?? 0) + 1;
    options.hooks?.onPoll?.({ kind: kind.name, outcome, durationMs: now() - startedAt });
  }

  function track(work: Promise<unknown>): void {
    const settled = work.catch((error: unknown) => logger?.warn({ err: error }, 'batch watch cleanup failed'));
    cleanups.add(settled);
    void settled.finally(() => cleanups.delete(settled));
  }

  function deliver(subscriber: Subscriber, events: readonly BatchStatusEvent[]): void {
    const initial = !subscriber.initialDone;
    subscriber.initialDone = true;
    for (const event of events) {
      const last = subscriber.delivered.get(event.batch.id) ?? 0;
      if (event.sequence <= last) continue;
      subscriber.delivered.set(event.batch.id, event.sequence);
      subscriber.queue.push(initial ? { ...event, initial: true } : event);
    }
  }

  function maybeTeardown(watch: Watch): void {
    if (watch.subscribers.size === 0 && watch.joining === 0) teardown(watch);
  }

  function stopHolding(watch: Watch): void {
    clearTimeout(watch.timer);
    clearInterval(watch.renewTimer);
    watch.timer = undefined;
    watch.renewTimer = undefined;
    if (watch.role === 'holder') {
      logger?.debug({ watch: watch.mapKey }, 'batch watch poller stopped');
      activePollers--;
      watch.abort.abort();
      watch.abort = new AbortController();
      track(lease.release(watch.leaseKey));
    }
    watch.role = 'idle';
  }

  function teardown(watch: Watch): void {
    if (watch.closed) return;
    watch.closed = true;
    watches.delete(watch.mapKey);
    // A contender stops asking for the lease (a holder gives it back in stopHolding).
    if (watch.role === 'contender') track(lease.release(watch.leaseKey));
    stopHolding(watch);
    watch.lifetime.abort();
    track(watch.ready.then(() => watch.unsubscribe?.()));
  }

  /** What the watch's topic brings: events another instance polled (this one's own it handed out when it polled them). */
  function onMessage(watch: Watch, message: WatchMessage): void {
    if (message.type === 'events' && message.origin === origin) return;
    handOut(watch, message);
  }

  /** Gives a message to this instance's subscribers of the watch. */
  function handOut(watch: Watch, message: WatchMessage): void {
    if (watch.closed) return;
    if (message.type === 'missing') {
      watch.missing = true;
      for (const subscriber of [...watch.subscribers]) subscriber.queue.fail(notFound(watch.kind.what, watch.id));
      return;
    }
    // The holder already has the newest state; a late message must not take it back.
    if (watch.role !== 'holder') watch.state = message.state;
    for (const subscriber of watch.subscribers) deliver(subscriber, message.events);
    if (message.terminal) for (const subscriber of [...watch.subscribers]) subscriber.queue.complete();
  }

  /** Runs a step after `ms`, shortened at random by up to the jitter (retries, lease attempts). */
  function schedule(watch: Watch, ms: number, run: (watch: Watch) => Promise<void>): void {
    arm(watch, ms <= 0 ? 0 : ms * (1 - jitter * random()), run);
  }

  /** The watch's one timer: the next step, replacing any step still waiting. */
  function arm(watch: Watch, delayMs: number, run: (watch: Watch) => Promise<void>): void {
    clearTimeout(watch.timer);
    watch.timer = setTimeout(() => {
      watch.timer = undefined;
      run(watch).catch((error: unknown) => logger?.error({ err: error, watch: watch.mapKey }, 'batch watch step failed'));
    }, delayMs);
  }

  function start(watch: Watch): void {
    if (watch.closed || watch.role !== 'idle' || closed) return;
    watch.role = 'contender';
    schedule(watch, 0, contend);
  }

  async function contend(watch: Watch): Promise<void> {
    if (watch.closed || watch.role !== 'contender') return;
    let acquired = false;
    try {
      acquired = await lease.acquire(watch.leaseKey);
    } catch (error) {
      logger?.warn({ err: error, watch: watch.mapKey }, 'poll lease could not be taken');
    }
    if (watch.closed || watch.role !== 'contender') {
      if (acquired) track(lease.release(watch.leaseKey));
      return;
    }
    if (!acquired) {
      schedule(watch, leaseRetryMs, contend);
      return;
    }
    watch.role = 'holder';
    activePollers++;
    watch.delayMs = intervalMs;
    watch.dueAt = undefined;
    logger?.debug({ watch: watch.mapKey }, 'batch watch poller started');
    if (Number.isFinite(lease.ttlMs)) {
      watch.renewTimer = setInterval(() => void renew(watch), Math.max(1, lease.ttlMs / 3));
    }
    // A takeover continues from what the previous holder published.
    if (!watch.state) {
      try {
        watch.state = await store.get<WatchState>(watch.mapKey);
      } catch (error) {
        logger?.warn({ err: error, watch: watch.mapKey }, 'watch state could not be read');
      }
    }
    if (watch.role === 'holder' && !watch.closed) schedule(watch, 0, pollOnce);
  }

  async function renew(watch: Watch): Promise<void> {
    if (watch.role !== 'holder') return;
    let renewal: LeaseRenewal = 'lost';
    try {
      renewal = await lease.renew(watch.leaseKey);
    } catch (error) {
      logger?.warn({ err: error, watch: watch.mapKey }, 'poll lease could not be renewed');
    }
    if (renewal === 'kept' || watch.role !== 'holder' || watch.closed) return;
    if (renewal === 'handed-over') logger?.debug({ watch: watch.mapKey }, 'batch watch poller handed over: another instance polls now');
    else logger?.warn({ watch: watch.mapKey }, 'poll lease lost: another instance polls now');
    stopHolding(watch);
    watch.role = 'contender';
    schedule(watch, leaseRetryMs, contend);
  }

  /** The subscriber whose credentials the next poll uses: the longest-standing one. */
  function pollingSubscriber(watch: Watch): Subscriber | undefined {
    for (const subscriber of watch.subscribers) if (subscriber.queue.open) return subscriber;
    return undefined;
  }

  function nextDelay(current: number, error?: unknown): number {
    let delay = Math.min(maxIntervalMs, Math.max(intervalMs, current * factor));
    if (error instanceof PlatformError && error.retryAfterSeconds !== undefined) delay = Math.max(delay, error.retryAfterSeconds * 1000);
    return delay;
  }

  async function pollOnce(watch: Watch): Promise<void> {
    if (watch.closed || watch.role !== 'holder') return;
    const subscriber = pollingSubscriber(watch);
    if (!subscriber) {
      schedule(watch, watch.delayMs, pollOnce);
      return;
    }
    const signal = watch.abort.signal;
    const startedAt = now();
    let polled: Batch[] | null;
    try {
      polled = await watch.kind.poll(platform.scoped(subscriber.scope), watch.id, watch.state === undefined, signal);
    } catch (error) {
      if (signal.aborted || watch.closed || watch.role !== 'holder') return;
      countPoll(watch.kind, 'error', startedAt);
      if (subscriber.credential !== '' && isCredentialError(error)) {
        // That caller's credential no longer works: end its streams, poll on with another's.
        watch.verified.delete(subscriber.credential);
        for (const other of [...watch.subscribers]) if (other.credential === subscriber.credential) other.queue.fail(error);
        if (!watch.closed && watch.role === 'holder') schedule(watch, 0, pollOnce);
        return;
      }
      watch.delayMs = nextDelay(watch.delayMs, error);
      watch.dueAt = undefined;
      logger?.warn({ err: error, watch: watch.mapKey, retryInMs: watch.delayMs }, 'batch poll failed; retrying');
      schedule(watch, watch.delayMs, pollOnce);
      return;
    }
    if (signal.aborted || watch.closed || watch.role !== 'holder') return;

    if (polled === null) {
      countPoll(watch.kind, 'missing', startedAt);
      stopHolding(watch);
      try {
        await pubsub.publish(watch.kind.name, watch.topicId, { type: 'missing' });
      } catch (error) {
        logger?.warn({ err: error, watch: watch.mapKey }, 'batch watch could not publish a missing object');
        handOut(watch, { type: 'missing' });
      }
      return;
    }

    const previous = watch.state;
    const { state, events } = reduceWatch(watch.kind, previous, polled, now());
    const ends = watch.kind.ends(state);
    countPoll(watch.kind, events.length > 0 ? 'changed' : 'unchanged', startedAt);
    logger?.debug({ watch: watch.mapKey, changes: events.length, status: polled.length === 1 ? polled[0]?.status : undefined }, 'batch watch polled');
    watch.state = state;
    if (events.length > 0 || previous === undefined) {
      watch.delayMs = intervalMs;
      const message: WatchMessage = { type: 'events', events, state, terminal: ends, origin };
      // Stored, then published: a subscriber that arrives in between reads
      // the new state, and drops the published copy by its sequence. Both
      // are sent before waiting for either (with Redis, on one connection,
      // which keeps their order), so that other instances start their share
      // of the fan-out while this one hands the events to its own subscribers
      // at once, without waiting for Redis or the echo of its publish.
      const stored = store.set(watch.mapKey, state, stateTtlMs);
      const published = pubsub.publish(watch.kind.name, watch.topicId, message);
      handOut(watch, message);
      try {
        await Promise.all([stored, published]);
      } catch (error) {
        // Not published: forget it, so the next poll finds the change again
        // (this instance's subscribers drop it then by its sequence).
        watch.state = previous;
        watch.delayMs = nextDelay(watch.delayMs, error);
        watch.dueAt = undefined;
        logger?.warn({ err: error, watch: watch.mapKey }, 'batch event could not be published; retrying');
        if (!watch.closed && watch.role === 'holder') schedule(watch, watch.delayMs, pollOnce);
        return;
      }
    } else {
      watch.delayMs = nextDelay(watch.delayMs);
      track(store.touch(watch.mapKey, stateTtlMs));
    }
    if (ends) {
      stopHolding(watch);
      return;
    }
    if (!watch.closed && watch.role === 'holder') scheduleNextPoll(watch);
  }

  /**
   * Polls keep a cadence of their own: the next one is due one delay after
   * this one was due, not after this one finished. Timed from when a poll
   * finished, pollers whose polls were held up together (a busy event loop, a
   * slow publish) would come out of it in step, and stay so: their changes
   * would be seen, and fanned out to every subscriber, in one burst. For the
   * same reason the first poll after taking a lease (which answers the first
   * subscribers at once) is followed by one at a random point of the next
   * interval, so that watches started together poll spread over it.
   */
  function scheduleNextPoll(watch: Watch): void {
    const at = now();
    let dueAt = watch.dueAt === undefined ? at + watch.delayMs * random() : watch.dueAt + watch.delayMs;
    // A whole delay behind (a poll slower than the interval): start the cadence again from now.
    if (dueAt + watch.delayMs <= at) dueAt = at + watch.delayMs;
    watch.dueAt = dueAt;
    arm(watch, Math.max(0, dueAt - at), pollOnce);
  }

  /** Checks a new pass-through credential with its own read; transient failures are retried while the subscriber waits. */
  async function verify(watch: Watch, subscriber: Subscriber): Promise<boolean> {
    let delay = intervalMs;
    const signal = watch.lifetime.signal;
    while (subscriber.queue.open && !watch.closed) {
      try {
        if (await watch.kind.exists(platform.scoped(subscriber.scope), watch.id, signal)) {
          watch.verified.add(subscriber.credential);
          return true;
        }
        subscriber.queue.fail(notFound(watch.kind.what, watch.id));
        return false;
      } catch (error) {
        if (signal.aborted) return false;
        if (!isTransient(error)) {
          subscriber.queue.fail(error);
          return false;
        }
        await pause(delay, signal);
        delay = nextDelay(delay, error);
      }
    }
    return false;
  }

  async function join(watch: Watch, subscriber: Subscriber): Promise<void> {
    await watch.ready;
    if (subscriber.credential !== '' && !watch.verified.has(subscriber.credential)) {
      if (!(await verify(watch, subscriber))) return;
    }
    if (!subscriber.queue.open || watch.closed) return;
    if (watch.missing) {
      subscriber.queue.fail(notFound(watch.kind.what, watch.id));
      return;
    }
    watch.subscribers.add(subscriber);
    if (!watch.state) {
      const stored = await store.get<WatchState>(watch.mapKey);
      if (stored && !watch.state) watch.state = stored;
    }
    if (watch.state) {
      deliver(subscriber, watch.kind.snapshot(watch.state));
      if (watch.kind.ends(watch.state)) {
        subscriber.queue.complete();
        return;
      }
    }
    start(watch);
  }

  function createWatch(kind: WatchKind, scope: PlatformScope, id: string): Watch {
    const topicId = [scope.orgId, scope.sandbox, id].map(topicPart).join(':');
    const mapKey = topicName(kind.name, topicId);
    const watch: Watch = {
      mapKey,
      topicId,
      leaseKey: mapKey,
      kind,
      id,
      subscribers: new Set(),
      verified: new Set(),
      joining: 0,
      state: undefined,
      missing: false,
      role: 'idle',
      delayMs: intervalMs,
      dueAt: undefined,
      timer: undefined,
      renewTimer: undefined,
      abort: new AbortController(),
      lifetime: new AbortController(),
      ready: Promise.resolve(),
      unsubscribe: undefined,
      closed: false,
    };
    watch.ready = pubsub.subscribe(kind.name, topicId, (message) => onMessage(watch, message)).then((unsubscribe) => {
      watch.unsubscribe = unsubscribe;
    });
    watches.set(mapKey, watch);
    return watch;
  }

  function open(kind: WatchKind, scope: PlatformScope, id: string): AsyncIterableIterator<BatchStatusEvent> {
    const topicId = [scope.orgId, scope.sandbox, id].map(topicPart).join(':');
    const watch = watches.get(topicName(kind.name, topicId)) ?? createWatch(kind, scope, id);
    activeSubscriptions++;
    const subscriber: Subscriber = {
      scope: pollScopeOf(scope),
      credential: credentialOf(scope),
      delivered: new Map(),
      initialDone: false,
      queue: createEventQueue<BatchStatusEvent>(() => {
        activeSubscriptions--;
        watch.subscribers.delete(subscriber);
        maybeTeardown(watch);
      }),
    };
    if (closed) {
      subscriber.queue.complete();
      return subscriber.queue.iterator;
    }
    watch.joining++;
    join(watch, subscriber)
      .catch((error: unknown) => subscriber.queue.fail(error))
      .finally(() => {
        watch.joining--;
        // Shut down while it was joining: end its stream too.
        if (watch.closed && !watch.subscribers.has(subscriber)) subscriber.queue.complete();
        maybeTeardown(watch);
      });
    return subscriber.queue.iterator;
  }

  return {
    watch: (scope, batchId) => open(kinds.batch, scope, batchId),
    datasetBatches: (scope, datasetId) => open(kinds.datasetBatches, scope, datasetId),
    stats() {
      const second = Math.floor(now() / 1000);
      let pollsLastMinute = 0;
      for (let slot = 0; slot < 60; slot++) if (second - (bucketSecond[slot] ?? 0) < 60) pollsLastMinute += buckets[slot] ?? 0;
      return { activeSubscriptions, activeWatches: watches.size, activePollers, pollsTotal, pollErrorsTotal, pollsLastMinute };
    },
    async close() {
      closed = true;
      for (const watch of [...watches.values()]) {
        for (const subscriber of [...watch.subscribers]) subscriber.queue.complete();
        teardown(watch);
      }
      while (cleanups.size > 0) await Promise.all([...cleanups]);
    },
  };
}
