// Scheduling rules of the batch watch, against a scripted in-process batch
// source (only the Catalog reads a poller makes). The HTTP path, the real
// emulator and Redis are covered by test/integration/subscriptions*.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatchWatch, reduceWatch } from '../../src/gateway/batch-watch.ts';
import type { WatchTopics } from '../../src/gateway/batch-watch.ts';
import { createMemoryPubSub } from '../../src/gateway/pubsub.ts';
import type { PubSub } from '../../src/gateway/pubsub.ts';
import type { BatchStatusEvent, BatchWatch } from '../../src/gateway/batch-watch.ts';
import type { PlatformClient } from '../../src/platform/client.ts';
import { PlatformError } from '../../src/platform/errors.ts';
import type { Batch, PlatformScope } from '../../src/platform/types.ts';

type Step = Partial<Batch> | Error | null;

interface ScriptedSource {
  readonly client: PlatformClient;
  /** getBatch calls, with the Authorization they were made with. */
  readonly calls: Array<{ id: string; authorization: string | undefined }>;
  listCalls: number;
}

/** getBatch answers the script in order, then repeats its last step; listBatches answers `listing()`. */
function scriptedSource(script: Step[], options: { listing?: () => Batch[]; refuse?: (authorization: string | undefined) => Error | null } = {}): ScriptedSource {
  const source: ScriptedSource = {
    calls: [],
    listCalls: 0,
    client: {
      scoped(scope: PlatformScope) {
        const authorization = scope.forwardedAuth?.authorization;
        return {
          scope,
          catalog: {
            async getBatch(id: string) {
              source.calls.push({ id, authorization });
              const refused = options.refuse?.(authorization);
              if (refused) throw refused;
              const step = script[Math.min(source.calls.filter((c) => c.id === id).length - 1, script.length - 1)];
              if (step instanceof Error) throw step;
              return step === null || step === undefined ? null : ({ id, ...step } as Batch);
            },
            async listBatches() {
              source.listCalls++;
              return { items: options.listing?.() ?? [], start: 0, hasMore: false };
            },
            async getDataSets(ids: readonly string[]) {
              return new Map(ids.filter((id) => id === 'ds1').map((id) => [id, { id }]));
            },
          },
        } as unknown as ReturnType<PlatformClient['scoped']>;
      },
      async close() {},
    },
  };
  return source;
}

const scope: PlatformScope = { orgId: 'ORG@AdobeOrg', sandbox: 'prod' };

function passThrough(token: string): PlatformScope {
  return { ...scope, forwardedAuth: { authorization: `Bearer ${token}`, apiKey: 'key' } };
}

function unavailable(status: number, retryAfterSeconds?: number): PlatformError {
  return new PlatformError(`upstream ${status}`, { kind: 'http', api: 'catalog', status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
}

function fastWatch(source: ScriptedSource, extra: Partial<Parameters<typeof createBatchWatch>[0]> = {}): BatchWatch {
  return createBatchWatch({ platform: source.client, intervalMs: 2, maxIntervalMs: 8, jitter: 0, ...extra });
}

async function collect(stream: AsyncIterableIterator<BatchStatusEvent>): Promise<BatchStatusEvent[]> {
  const events: BatchStatusEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const statuses = (events: BatchStatusEvent[]) => events.map((event) => event.batch.status);

describe('batch watch', () => {
  it('should share one poller among subscribers and stop at a terminal status', async () => {
    const source = scriptedSource([{ status: 'loading' }, { status: 'loading' }, { status: 'processing' }, { status: 'success', metrics: { recordsWritten: 3 } }]);
    const watch = fastWatch(source);
    const streams = Array.from({ length: 5 }, () => collect(watch.watch(scope, 'b1')));
    const results = await Promise.all(streams);
    for (const events of results) {
      expect(statuses(events)).toEqual(['loading', 'processing', 'success']);
      expect(events.map((e) => e.previousStatus)).toEqual([null, 'loading', 'processing']);
      expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
      expect(events[0]!.initial).toBe(true);
      expect(events.at(-1)).toMatchObject({ terminal: true, statusChanged: true, batch: { metrics: { recordsWritten: 3 } } });
    }
    // One poll per step of the script, for five subscribers.
    expect(source.calls).toHaveLength(4);
    expect(watch.stats()).toMatchObject({ activeSubscriptions: 0, activeWatches: 0, activePollers: 0, pollsTotal: 4 });
    await watch.close();
  });

  it('should pass unknown statuses through without ending the stream', async () => {
    const source = scriptedSource([{ status: 'loading' }, { status: 'quarantined' }, { status: 'retrying' }, { status: 'failed', errors: [{ code: 'X' }] }]);
    const watch = fastWatch(source);
    const events = await collect(watch.watch(scope, 'b1'));
    expect(statuses(events)).toEqual(['loading', 'quarantined', 'retrying', 'failed']);
    expect(events.map((e) => e.terminal)).toEqual([false, false, false, true]);
    await watch.close();
  });

  it('should send an event when only the metrics change', async () => {
    const source = scriptedSource([{ status: 'processing', metrics: { a: 1 } }, { status: 'processing', metrics: { a: 2 } }, { status: 'success', metrics: { a: 2 } }]);
    const watch = fastWatch(source);
    const events = await collect(watch.watch(scope, 'b1'));
    expect(events.map((e) => [e.batch.status, e.statusChanged])).toEqual([
      ['processing', false],
      ['processing', false],
      ['success', true],
    ]);
    await watch.close();
  });

  it('should retry failed polls with backoff and never lose or repeat the terminal event', async () => {
    const source = scriptedSource([{ status: 'loading' }, unavailable(503), unavailable(429, 0), { status: 'processing' }, unavailable(503), { status: 'success' }]);
    const watch = fastWatch(source);
    const events = await collect(watch.watch(scope, 'b1'));
    expect(statuses(events)).toEqual(['loading', 'processing', 'success']);
    expect(source.calls).toHaveLength(6);
    expect(watch.stats()).toMatchObject({ pollsTotal: 6, pollErrorsTotal: 3 });
    await watch.close();
  });

  it('should give a late subscriber the current state at once, then the changes', async () => {
    const steps: Step[] = [{ status: 'loading' }, { status: 'processing' }];
    const source = scriptedSource(steps);
    const watch = fastWatch(source);
    const first = watch.watch(scope, 'b1');
    expect((await first.next()).value).toMatchObject({ batch: { status: 'loading' }, initial: true });
    expect((await first.next()).value).toMatchObject({ batch: { status: 'processing' }, initial: false });
    // The batch stays in processing: the late subscriber gets that state without a new poll.
    const pollsBefore = source.calls.length;
    const late = watch.watch(scope, 'b1');
    const lateFirst = await late.next();
    expect(lateFirst.value).toMatchObject({ batch: { status: 'processing' }, previousStatus: 'loading', initial: true, sequence: 2 });
    expect(source.calls.length - pollsBefore).toBeLessThanOrEqual(1);
    steps.push({ status: 'success' });
    const [rest1, rest2] = await Promise.all([collect(first), collect(late)]);
    expect(statuses(rest1)).toEqual(['success']);
    expect(statuses(rest2)).toEqual(['success']);
    await watch.close();
  });

  it('should stop polling when the last subscriber leaves', async () => {
    const source = scriptedSource([{ status: 'loading' }]);
    const watch = fastWatch(source);
    const a = watch.watch(scope, 'b1');
    const b = watch.watch(scope, 'b1');
    await a.next();
    await b.next();
    await a.return!();
    expect(watch.stats().activePollers).toBe(1);
    await b.return!();
    expect(watch.stats()).toMatchObject({ activeSubscriptions: 0, activeWatches: 0, activePollers: 0 });
    const calls = source.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(source.calls.length).toBe(calls);
    await watch.close();
  });

  it('should end with NOT_FOUND when the batch does not exist', async () => {
    const source = scriptedSource([null]);
    const watch = fastWatch(source);
    await expect(collect(watch.watch(scope, 'nope'))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(watch.stats().activeWatches).toBe(0);
    await watch.close();
  });

  it('should serve a subscriber that comes after the end from the stored final state', async () => {
    const source = scriptedSource([{ status: 'success' }]);
    const watch = fastWatch(source);
    expect(statuses(await collect(watch.watch(scope, 'b1')))).toEqual(['success']);
    const late = await collect(watch.watch(scope, 'b1'));
    expect(late).toMatchObject([{ batch: { status: 'success' }, initial: true, terminal: true }]);
    expect(source.calls).toHaveLength(1);
    await watch.close();
  });

  it('should keep watches of different sandboxes apart', async () => {
    const source = scriptedSource([{ status: 'success' }]);
    const watch = fastWatch(source);
    await Promise.all([collect(watch.watch(scope, 'b1')), collect(watch.watch({ ...scope, sandbox: 'dev' }, 'b1'))]);
    expect(source.calls).toHaveLength(2);
    await watch.close();
  });

  it('should check each pass-through credential with its own read and end only the streams of a refused one', async () => {
    const refusedToken = 'Bearer expired';
    let refuse = false;
    const source = scriptedSource([{ status: 'loading' }], {
      refuse: (authorization) => (refuse && authorization === refusedToken ? unavailable(401) : null),
    });
    const watch = fastWatch(source);
    const good = watch.watch(passThrough('good'), 'b1');
    await good.next();
    const bad = watch.watch(passThrough('expired'), 'b1');
    await bad.next();
    // Its own read (the check), besides the poller's reads with the first credential.
    expect(source.calls.filter((c) => c.authorization === refusedToken)).toHaveLength(1);
    await good.return!();
    // Now the poller reads with the remaining credential, which the Platform refuses.
    refuse = true;
    await expect(bad.next()).rejects.toMatchObject({ status: 401 });
    await watch.close();
  });

  it('should complete open streams on close', async () => {
    const source = scriptedSource([{ status: 'loading' }]);
    const watch = fastWatch(source);
    const stream = watch.watch(scope, 'b1');
    await stream.next();
    await watch.close();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('should follow the new batches of a dataset and their changes', async () => {
    let listing: Batch[] = [
      { id: 'old', status: 'success' },
      { id: 'running', status: 'processing' },
    ];
    const source = scriptedSource([], { listing: () => listing });
    const watch = fastWatch(source);
    const stream = watch.datasetBatches(scope, 'ds1');
    expect((await stream.next()).value).toMatchObject({ batch: { id: 'running' }, initial: true });
    listing = [{ id: 'new', status: 'loading' }, ...listing];
    expect((await stream.next()).value).toMatchObject({ batch: { id: 'new', status: 'loading' }, initial: false, previousStatus: null });
    listing = [{ id: 'new', status: 'success' }, listing[1]!, { id: 'running', status: 'failed' }];
    const changes = [(await stream.next()).value, (await stream.next()).value] as BatchStatusEvent[];
    expect(changes.map((e) => `${e.batch.id}:${e.previousStatus}->${e.batch.status}`).sort()).toEqual(['new:loading->success', 'running:processing->failed']);
    await stream.return!();
    await watch.close();
  });

  it('should end a dataset stream with NOT_FOUND for an unknown dataset', async () => {
    const watch = fastWatch(scriptedSource([]));
    await expect(watch.datasetBatches(scope, 'missing').next()).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await watch.close();
  });
});

describe('poll cadence', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A batch whose metrics move on every poll, so every poll publishes; records when each batch was polled, from the first poll of all. */
  function changingSource(): { client: PlatformClient; polledAt: Map<string, number[]> } {
    const polledAt = new Map<string, number[]>();
    let firstPollAt: number | undefined;
    const client = {
      scoped: (s: PlatformScope) => ({
        scope: s,
        catalog: {
          async getBatch(id: string) {
            const times = polledAt.get(id) ?? [];
            firstPollAt ??= Date.now();
            polledAt.set(id, [...times, Date.now() - firstPollAt]);
            return { id, status: 'processing', metrics: { polls: times.length + 1 } } as Batch;
          },
        },
      }),
      async close() {},
    } as unknown as PlatformClient;
    return { client, polledAt };
  }

  /** Publishing takes 300 ms: a slow Redis, or a busy event loop. */
  function slowPubSub(): PubSub<WatchTopics> {
    const inner = createMemoryPubSub<WatchTopics>();
    return {
      ...inner,
      async publish(routingKey, id, payload) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await inner.publish(routingKey, id, payload);
      },
    };
  }

  it('should spread watches started together over the interval and keep each one on its cadence however long publishing takes', async () => {
    const { client, polledAt } = changingSource();
    const phases = [0.125, 0.375, 0.625, 0.875];
    let draws = 0;
    const watch = createBatchWatch({ platform: client, pubsub: slowPubSub(), intervalMs: 1000, maxIntervalMs: 1000, jitter: 0, random: () => phases[draws++ % phases.length]! });
    const ids = ['b1', 'b2', 'b3', 'b4'];
    const streams = ids.map((id) => collect(watch.watch(scope, id)));
    await vi.advanceTimersByTimeAsync(3_500);
    // All four start at once; each first publish ends at 300 ms, and the next
    // polls keep to 300 ms + phase + n seconds, though each publish takes 300 ms.
    expect(ids.map((id) => polledAt.get(id))).toEqual([
      [0, 425, 1425, 2425, 3425],
      [0, 675, 1675, 2675],
      [0, 925, 1925, 2925],
      [0, 1175, 2175, 3175],
    ]);
    await watch.close();
    await Promise.all(streams);
  });

  it("should hand a change to the polling instance's subscribers before its publish is done, and only once", async () => {
    const { client } = changingSource();
    const watch = createBatchWatch({ platform: client, pubsub: slowPubSub(), intervalMs: 1000, maxIntervalMs: 1000, jitter: 0, random: () => 0.5 });
    const received: Array<{ sequence: number; at: number }> = [];
    const stream = watch.watch(scope, 'b1');
    const reading = (async () => {
      for await (const event of stream) received.push({ sequence: event.sequence, at: Date.now() });
    })();
    // Polls at 1 and 801 (the first publish ends at 301, then half an interval);
    // each publish, and so its echo, comes 300 ms after the poll.
    await vi.advanceTimersByTimeAsync(1_700);
    expect(received.map((r) => r.sequence)).toEqual([1, 2]);
    // At the polls, not 300 ms later when the publish is done.
    expect(received.map((r) => r.at)).toEqual([1, 801]);
    await watch.close();
    await reading;
  });

  it('should start the cadence again from now when a poll falls a whole interval behind', async () => {
    const { client, polledAt } = changingSource();
    const slow = {
      scoped: (s: PlatformScope) => {
        const scoped = client.scoped(s);
        return {
          ...scoped,
          catalog: {
            async getBatch(id: string) {
              const batch = await scoped.catalog.getBatch(id);
              // The second poll takes 2.5 intervals to answer.
              if ((polledAt.get(id)?.length ?? 0) === 2) await new Promise((resolve) => setTimeout(resolve, 2_500));
              return batch;
            },
          },
        };
      },
      async close() {},
    } as unknown as PlatformClient;
    const watch = createBatchWatch({ platform: slow, intervalMs: 1000, maxIntervalMs: 1000, jitter: 0, random: () => 0.5 });
    const stream = collect(watch.watch(scope, 'b1'));
    await vi.advanceTimersByTimeAsync(5_000);
    // Polls at 0 and 500; the second answers at 3000, far past its successor's
    // due time (1500): no burst of catch-up polls, the next one is at 4000.
    expect(polledAt.get('b1')).toEqual([0, 500, 4000]);
    await watch.close();
    await stream;
  });
});

describe('reduceWatch', () => {
  it('should ignore changes of fields that move on every write', () => {
    const first = reduceWatch({ includeFirst: () => true }, undefined, [{ id: 'b', status: 'loading', updated: 1, version: '1.0.0' }], 1);
    const second = reduceWatch({ includeFirst: () => true }, first.state, [{ id: 'b', status: 'loading', updated: 2, version: '1.0.1' }], 2);
    expect(second.events).toEqual([]);
    expect(first.events).toHaveLength(1);
  });
});
