// Scale-out: gateway processes (`aep-graphql serve`) sharing one real Redis
// and one emulator. Subscribers on every instance get every event, one
// instance polls the batch (the lease, which settles on the instance its
// rendezvous weight picks), the survivor takes over when the holder is
// killed, and a gateway started afterwards answers with the final state kept
// in Redis without polling.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rightfulHolder } from '../helpers/lease-rank.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { REDIS_URL, redisMissing, serviceGate } from '../helpers/services.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import type { TestEmulator } from '../helpers/start-emulator.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';
import type { Followed } from '../helpers/ws-client.ts';

const skip = serviceGate(await redisMissing(), 'subscriptions over Redis');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GATEWAY_KEY = 'redis-test-gateway-key-0123456789';
const HEADERS = { 'x-gateway-api-key': GATEWAY_KEY };
const BATCH_POLL = 'GET /data/foundation/catalog/batches/:ids';
const BATCH_STATUS = 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id status } previousStatus sequence terminal initial } }';

interface LogLine {
  msg?: string;
  watch?: string;
  /** The instance's name in the poll leases (batch watch lines). */
  instance?: string;
}

interface GatewayProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly exited: Promise<void>;
  /** Log lines of this process about one watched batch. */
  about(batchId: string, msg: string): number;
  /** Whether this process polls the batch now: pollers started minus pollers stopped. */
  polling(batchId: string): number;
}

const STARTED = 'batch watch poller started';
const STOPPED = 'batch watch poller stopped';
const HANDED_OVER = 'batch watch poller handed over: another instance polls now';


type StatusData = { batchStatus: { batch: { id: string; status: string }; previousStatus: string | null; sequence: number; terminal: boolean; initial: boolean } };

const running: GatewayProcess[] = [];

/** Starts `serve` in its own process and reads its URL from the first stdout line that is one. */
function startGatewayProcess(name: string, emulator: TestEmulator, prefix: string): Promise<GatewayProcess> {
  const client = emulator.settings.clients[0]!;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      PLATFORM_BASE_URL: emulator.url,
      IMS_URL: emulator.url,
      AEP_CLIENT_ID: client.clientId,
      AEP_CLIENT_SECRET: client.clientSecret,
      AEP_ORG_ID: emulator.settings.orgId,
      GATEWAY_API_KEYS: GATEWAY_KEY,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      BATCH_POLL_INTERVAL_MS: '200',
      BATCH_POLL_MAX_INTERVAL_MS: '400',
      LOG_LEVEL: 'debug',
      PLAYGROUND: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffered = '';
    let url: string | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('{')) {
          try {
            logs.push(JSON.parse(line) as LogLine);
          } catch {
            // Not a log line.
          }
        } else if (url === undefined && /^http:\/\/\S+\/graphql$/.test(line)) {
          url = line;
          const started: GatewayProcess = {
            name,
            url,
            child,
            logs,
            exited,
            about: (batchId, msg) => logs.filter((l) => l.msg === msg && l.watch?.endsWith(`:${batchId}`)).length,
            polling: (batchId) => started.about(batchId, STARTED) - started.about(batchId, STOPPED),
          };
          running.push(started);
          resolve(started);
        }
      }
    });
    void exited.then(() => {
      if (url === undefined) reject(new Error(`gateway ${name} exited before listening: ${stderr}`));
    });
  });
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...HEADERS }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const statuses = (stream: Followed<StatusData>) => stream.results.map((r) => r.data?.batchStatus.batch.status);

describe.skipIf(skip)('subscriptions over Redis with two gateway processes', () => {
  const prefix = `aep-graphql-test:${randomUUID()}:`;
  let emulator: TestEmulator;
  let first: GatewayProcess;
  let second: GatewayProcess;

  beforeAll(async () => {
    emulator = await startEmulator({ faults: true, processingDelayMs: 1_500 });
    [first, second] = await Promise.all([startGatewayProcess('first', emulator, prefix), startGatewayProcess('second', emulator, prefix)]);
  });

  afterAll(async () => {
    for (const gateway of running) {
      if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGTERM');
    }
    await Promise.all(running.map((gateway) => gateway.exited));
    const redis = new Redis(REDIS_URL);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('should fan events out to both instances, poll from one, and survive the loss of the poller', async () => {
    const schemas = await gql<{ schemas: { nodes: Array<{ id: string; title: string }> } }>(first.url, '{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gql<{ createDataset: { dataset: { id: string } } }>(first.url, 'mutation ($s: ID!) { createDataset(input: { name: "Scale-out", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const batch = await gql<{ createBatch: { batch: { id: string } } }>(second.url, 'mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', {
      d: dataset.createDataset.dataset.id,
    });
    const batchId = batch.createBatch.batch.id;
    const uploaded = await postMultipart(
      first.url,
      { query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName } } }', variables: { input: { batchId, file: null } } },
      [{ path: 'variables.input.file', name: 'm.json', content: JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'L-1', loyaltyLevel: 'gold', loyaltyPoints: 1 } } }) }],
      HEADERS,
    );
    expect(uploaded.errors).toBeUndefined();
    // From here on, every read of the batch is a poll.
    emulator.resetCounters();

    const onFirst = [0, 1, 2].map(() => follow<StatusData>(createTestClient(first.url, HEADERS), BATCH_STATUS, { id: batchId }));
    const onSecond = [0, 1, 2].map(() => follow<StatusData>(createTestClient(second.url, HEADERS), BATCH_STATUS, { id: batchId }));
    const all = [...onFirst, ...onSecond];
    await Promise.all(all.map((s) => s.atLeast(1)));
    for (const stream of all) expect(stream.results[0]?.data?.batchStatus).toMatchObject({ batch: { status: 'LOADING' }, initial: true });

    // One instance holds the lease and polls; the other only listens. The
    // first to ask may have taken it; at its next renewal it hands it to the
    // rightful holder, so the holder is known from the two instances' names.
    await expect.poll(() => first.about(batchId, STARTED) + second.about(batchId, STARTED), { timeout: 10_000 }).toBeGreaterThan(0);
    const lines = [...first.logs, ...second.logs].filter((l) => l.msg === STARTED && l.watch?.endsWith(`:${batchId}`));
    const watchKey = lines[0]!.watch!;
    const instanceOf = (gateway: GatewayProcess) => gateway.logs.find((l) => l.instance !== undefined)!.instance!;
    await expect.poll(() => first.logs.some((l) => l.instance) && second.logs.some((l) => l.instance), { timeout: 10_000 }).toBe(true);
    const holderIs = rightfulHolder([instanceOf(first), instanceOf(second)], watchKey);
    const [holder, survivor, survivorStreams] = instanceOf(first) === holderIs ? [first, second, onSecond] : [second, first, onFirst];
    await expect.poll(() => [holder.polling(batchId), survivor.polling(batchId)], { timeout: 10_000 }).toEqual([1, 0]);
    const survivorPolls = survivor.about(batchId, 'batch watch polled');
    const holderPolls = holder.about(batchId, 'batch watch polled');
    await expect.poll(() => holder.about(batchId, 'batch watch polled'), { timeout: 10_000 }).toBeGreaterThan(holderPolls + 1);
    expect(survivor.about(batchId, 'batch watch polled')).toBe(survivorPolls);

    const res = await fetch(`${emulator.url}/data/foundation/import/batches/${batchId}?action=COMPLETE`, { method: 'POST', headers: await emulator.headers() });
    expect(res.status).toBe(200);
    // Both instances' subscribers see the change the holder found.
    await Promise.all(all.map((s) => s.atLeast(2)));
    for (const stream of all) expect(statuses(stream)).toEqual(['LOADING', 'PROCESSING']);
    expect(survivor.about(batchId, 'batch watch polled')).toBe(survivorPolls);
    expect(survivor.polling(batchId)).toBe(0);
    const survivorStarted = survivor.about(batchId, STARTED);

    holder.child.kill('SIGKILL');
    await holder.exited;
    await Promise.all(survivorStreams.map((s) => s.ended));
    for (const stream of survivorStreams) {
      expect(stream.errors).toBeUndefined();
      expect(stream.completed).toBe(true);
      expect(statuses(stream)).toEqual(['LOADING', 'PROCESSING', 'SUCCESS']);
      expect(stream.results.map((r) => r.data?.batchStatus.sequence)).toEqual([1, 2, 3]);
    }
    expect(survivor.about(batchId, STARTED)).toBe(survivorStarted + 1);
    expect(survivor.about(batchId, 'batch watch polled')).toBeGreaterThan(survivorPolls);

    // Every read of the batch came from the one poller of the moment (the
    // killed holder, and a poller that handed its lease over, may each have
    // had one read on its way, never logged).
    survivor.child.kill('SIGTERM');
    await survivor.exited;
    const logged = holder.about(batchId, 'batch watch polled') + survivor.about(batchId, 'batch watch polled');
    const handedOver = holder.about(batchId, HANDED_OVER) + survivor.about(batchId, HANDED_OVER);
    const reads = emulator.counters()[BATCH_POLL] ?? 0;
    expect(reads).toBeGreaterThanOrEqual(logged);
    expect(reads).toBeLessThanOrEqual(logged + 1 + handedOver);

    // A gateway started afterwards answers from the state kept in Redis, without a poll.
    const restarted = await startGatewayProcess('restarted', emulator, prefix);
    const again = follow<StatusData>(createTestClient(restarted.url, HEADERS), BATCH_STATUS, { id: batchId });
    await again.ended;
    expect(again.completed).toBe(true);
    expect(again.results.map((r) => r.data?.batchStatus)).toMatchObject([{ batch: { status: 'SUCCESS' }, terminal: true, initial: true, sequence: 3 }]);
    expect(emulator.counters()[BATCH_POLL] ?? 0).toBe(reads);
  });
  it('should spread the pollers of many batches over the instances, whichever saw them first', async () => {
    const [left, right] = await Promise.all([startGatewayProcess('left', emulator, prefix), startGatewayProcess('right', emulator, prefix)]);
    const schemas = await gql<{ schemas: { nodes: Array<{ id: string; title: string }> } }>(left.url, '{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gql<{ createDataset: { dataset: { id: string } } }>(left.url, 'mutation ($s: ID!) { createDataset(input: { name: "Spread", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const batchIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const created = await gql<{ createBatch: { batch: { id: string } } }>(left.url, 'mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: dataset.createDataset.dataset.id });
      batchIds.push(created.createBatch.batch.id);
    }
    // Every batch is seen by `left` first, so `left` takes every lease.
    const onLeft = batchIds.map((id) => follow<StatusData>(createTestClient(left.url, HEADERS), BATCH_STATUS, { id }));
    await Promise.all(onLeft.map((s) => s.atLeast(1)));
    await expect.poll(() => batchIds.every((id) => left.polling(id) === 1), { timeout: 10_000 }).toBe(true);
    const onRight = batchIds.map((id) => follow<StatusData>(createTestClient(right.url, HEADERS), BATCH_STATUS, { id }));
    await Promise.all(onRight.map((s) => s.atLeast(1)));

    // At its renewals `left` hands each lease whose rightful holder is `right` over, and `right` takes it.
    const instanceOf = (gateway: GatewayProcess) => gateway.logs.find((l) => l.instance !== undefined)!.instance!;
    const watchKeyOf = (id: string) => left.logs.find((l) => l.msg === STARTED && l.watch?.endsWith(`:${id}`))!.watch!;
    const expected = batchIds.map((id) => (rightfulHolder([instanceOf(left), instanceOf(right)], watchKeyOf(id)) === instanceOf(left) ? 'left' : 'right'));
    const pollers = () => batchIds.map((id) => `${left.polling(id)}${right.polling(id)}`);
    await expect.poll(pollers, { timeout: 10_000 }).toEqual(expected.map((side) => (side === 'left' ? '10' : '01')));
    // Settled: no lease moves while the instances that want them stay the same.
    const moves = () => batchIds.reduce((n, id) => n + left.about(id, HANDED_OVER) + right.about(id, HANDED_OVER), 0);
    const settledMoves = moves();
    const leftPolls = () => batchIds.reduce((n, id) => n + left.about(id, 'batch watch polled'), 0);
    const before = leftPolls();
    await expect.poll(leftPolls, { timeout: 10_000 }).toBeGreaterThan(before + 2 * expected.filter((side) => side === 'left').length);
    expect(moves()).toBe(settledMoves);
    expect(pollers()).toEqual(expected.map((side) => (side === 'left' ? '10' : '01')));

    // The subscribers of `right` leave: it stops asking, and `left` takes every lease back.
    for (const stream of onRight) stream.stop();
    await expect.poll(pollers, { timeout: 10_000 }).toEqual(batchIds.map(() => '10'));
    for (const stream of onLeft) stream.stop();
  });
});
