// Subscribers in their own process: `node --import tsx bench/lib/ws-worker.ts '<json WsWorkerSpec>'`.
// Opens one graphql-ws (graphql-transport-ws) connection per subscriber, each
// subscribing to one batch; prints `{"type":"ready"}` once every subscriber
// has its initial event, then `{"type":"done", ...}` with the delivery
// latencies once every stream completed, or when "report" arrives on stdin.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

export interface WsWorkerSpec {
  /**
   * GraphQL endpoints (ws:// or http://). Subscriber i watches batch i mod
   * batches and connects to endpoint floor(i / batches) mod endpoints, so that
   * every batch has subscribers on every endpoint: events cross instances.
   */
  readonly urls: readonly string[];
  readonly batchIds: readonly string[];
  readonly subscribers: number;
  readonly connectionParams: Record<string, string>;
  /** Connections opened at once. @default 200 */
  readonly openConcurrency?: number;
}

export interface WsWorkerReport {
  readonly type: 'done';
  readonly subscribers: number;
  readonly connected: number;
  readonly completed: number;
  readonly errors: number;
  readonly events: number;
  /** ms from the batch's `updated` (the emulator's status change) to delivery, for events with statusChanged. */
  readonly fromChangeMs: number[];
  /** ms from the event's observedAt (the gateway's poll that saw it) to delivery. */
  readonly fromPollMs: number[];
  readonly firstErrors: string[];
}

const QUERY = 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id status updated } statusChanged terminal initial sequence observedAt } }';

interface Next {
  batchStatus: { batch: { id: string; status: string; updated: string | null }; statusChanged: boolean; terminal: boolean; initial: boolean; sequence: number; observedAt: string };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as WsWorkerSpec;
const wsUrls = spec.urls.map((u) => u.replace(/^http/, 'ws'));
const now = () => performance.timeOrigin + performance.now();

let connected = 0;
let initial = 0;
let completed = 0;
let errors = 0;
let events = 0;
const fromChangeMs: number[] = [];
const fromPollMs: number[] = [];
const firstErrors: string[] = [];
const sockets: WebSocket[] = [];
let readySent = false;
let doneSent = false;

function error(message: string) {
  errors++;
  if (firstErrors.length < 5) firstErrors.push(message.slice(0, 300));
}

function report() {
  if (doneSent) return;
  doneSent = true;
  const out: WsWorkerReport = { type: 'done', subscribers: spec.subscribers, connected, completed, errors, events, fromChangeMs, fromPollMs, firstErrors };
  process.stdout.write(`${JSON.stringify(out)}\n`, () => {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  });
}

function checkProgress() {
  if (!readySent && initial + errors >= spec.subscribers) {
    readySent = true;
    process.stdout.write(`${JSON.stringify({ type: 'ready', connected, initial, errors, firstErrors })}\n`);
  }
  if (readySent && completed + errors >= spec.subscribers) report();
}

function open(index: number): Promise<void> {
  return new Promise((resolve) => {
    // The subscribers stand in for browsers on other machines, yet share the
    // cores with the instances measured: they do no work a measurement does
    // not need (no compression offered, no UTF-8 check of the gateway's JSON).
    const socket = new WebSocket(wsUrls[Math.floor(index / spec.batchIds.length) % wsUrls.length]!, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(socket);
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: spec.connectionParams })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
      switch (message.type) {
        case 'connection_ack':
          connected++;
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: { id: spec.batchIds[index % spec.batchIds.length] } } }));
          settle();
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next': {
          const received = now();
          const payload = message.payload as { data?: Next; errors?: unknown[] };
          const event = payload.data?.batchStatus;
          if (!event) {
            error(`next without data: ${JSON.stringify(payload).slice(0, 200)}`);
            break;
          }
          events++;
          if (event.initial) {
            initial++;
            checkProgress();
          } else if (event.statusChanged) {
            if (event.batch.updated) fromChangeMs.push(received - Date.parse(event.batch.updated));
            fromPollMs.push(received - Date.parse(event.observedAt));
          }
          break;
        }
        case 'error':
          error(`subscription error: ${JSON.stringify(message.payload).slice(0, 200)}`);
          checkProgress();
          break;
        case 'complete':
          completed++;
          checkProgress();
          break;
      }
    });
    socket.on('error', (e) => {
      error(`socket: ${e.message}`);
      settle();
      checkProgress();
    });
    socket.on('close', (code, reason) => {
      if (code !== 1000 && !doneSent) error(`closed ${code} ${String(reason)}`);
      settle();
    });
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'report') report();
});

const concurrency = spec.openConcurrency ?? 200;
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, spec.subscribers) }, async () => {
    while (next < spec.subscribers) await open(next++);
  }),
);
checkProgress();
