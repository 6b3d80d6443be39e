// Soak: the load test's mixed workload (test/helpers/load-mix.ts: 80 %
// queries, 10 % uploads, 10 % subscriptions, 5 % injected upstream failures)
// for much longer, in rounds of 60 s, with the heap measured after a full
// garbage collection at the end of each round: a leak shows as a rising line
// where a healthy gateway stays flat. Gateway and emulator run in this
// process, so that heapUsed after GC can be read (RSS keeps freed pages).
// Not part of `npm test`: `npm run bench -- soak` (SOAK_SECONDS, default 600;
// 120 with --quick; SOAK_CLIENTS, default 200).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEmulator } from '../src/emulator/server.ts';
import { GATEWAY_ERROR_CODES } from '../src/gateway/errors.ts';
import { loadConfig } from '../src/gateway/config.ts';
import { createGateway } from '../src/gateway/server.ts';
import { runLoadMix } from '../test/helpers/load-mix.ts';
import type { LoadReport } from '../test/helpers/load-mix.ts';
import type { BenchOptions, BenchReport } from './lib/results.ts';
import { table } from './lib/results.ts';

const MIB = 1024 * 1024;
const ROUND_SECONDS = 60;
const GATEWAY_KEY = 'soak-gateway-key-0123456789';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

interface Round {
  readonly round: number;
  readonly operations: number;
  readonly ok: number;
  readonly errors: number;
  readonly uploadsOk: number;
  readonly uploadsFailed: number;
  readonly uploadsMismatched: number;
  readonly heapAfterGcBytes: number;
  readonly rssBytes: number;
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const seconds = Number(process.env.SOAK_SECONDS ?? (options.quick ? 120 : 600));
  const clients = Number(process.env.SOAK_CLIENTS ?? 200);
  const rounds = Math.max(1, Math.round(seconds / ROUND_SECONDS));
  const dataDir = await mkdtemp(join(tmpdir(), 'aep-soak-'));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);

  const emulator = await createEmulator({ dataDir, faults: true, processingDelayMs: 50 });
  const client = emulator.settings.clients[0]!;
  const gateway = createGateway(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      PLATFORM_BASE_URL: emulator.url,
      IMS_URL: emulator.url,
      AUTH_MODE: 'oauth',
      AEP_CLIENT_ID: client.clientId,
      AEP_CLIENT_SECRET: client.clientSecret,
      AEP_ORG_ID: emulator.settings.orgId,
      GATEWAY_API_KEYS: GATEWAY_KEY,
      BATCH_POLL_INTERVAL_MS: '200',
      BATCH_POLL_MAX_INTERVAL_MS: '400',
      MAX_FILES: '5',
    }),
  );
  const url = await gateway.start();
  const headers = { 'x-gateway-api-key': GATEWAY_KEY };
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };

  const results: Round[] = [];
  const totals: Record<string, number> = {};
  try {
    const schemas = await gql<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const datasetId = (await gql<{ createDataset: { dataset: { id: string } } }>('mutation ($s: ID!) { createDataset(input: { name: "soak", schemaId: $s }) { dataset { id } } }', { s: schemaId })).createDataset.dataset.id;
    const openBatchId = (await gql<{ createBatch: { batch: { id: string } } }>('mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: datasetId })).createBatch.batch.id;
    const common = { gatewayUrl: url, headers, emulatorDataDir: dataDir, datasetId, openBatchId };

    await runLoadMix({ ...common, clients: 20, seconds: 2 });
    const baseline = await settledHeap();
    options.log(`baseline heapUsed after GC ${(baseline / MIB).toFixed(1)} MiB; ${rounds} round(s) of ${ROUND_SECONDS} s with ${clients} clients`);
    const rate = 1 - Math.cbrt(0.95);
    const pathRegex = '^/data/foundation/(catalog|import)/';
    emulator.faults.set([
      { pathRegex, respond: 503, rate, retryAfterSeconds: 0 },
      { pathRegex, respond: 500, rate },
      { pathRegex, respond: 'reset', rate },
    ]);
    for (let round = 1; round <= rounds; round++) {
      const report: LoadReport = await runLoadMix({ ...common, clients, seconds: ROUND_SECONDS });
      for (const [code, n] of Object.entries(report.errorsByCode)) totals[code] = (totals[code] ?? 0) + n;
      const heap = await settledHeap();
      const errors = Object.values(report.errorsByCode).reduce((a, b) => a + b, 0);
      results.push({ round, operations: report.operations, ok: report.ok, errors, uploadsOk: report.uploadsOk, uploadsFailed: report.uploadsFailed, uploadsMismatched: report.uploadsMismatched.length, heapAfterGcBytes: heap, rssBytes: process.memoryUsage().rss });
      options.log(`round ${round}: ${report.operations} operations, ${errors} errors, uploads ${report.uploadsOk} ok / ${report.uploadsFailed} failed / ${report.uploadsMismatched.length} mismatched, heap ${(heap / MIB).toFixed(1)} MiB`);
    }
    emulator.faults.clear();
    const known: ReadonlySet<string> = new Set(GATEWAY_ERROR_CODES);
    const unknownCodes = Object.keys(totals).filter((code) => !known.has(code));
    const last = results[results.length - 1]!;
    return {
      name: 'soak',
      title: 'Soak: mixed load with upstream failures, heap per round',
      conditions: [
        `${clients} concurrent clients, ${rounds} round(s) of ${ROUND_SECONDS} s; 80 % queries, 10 % uploads (small files, half through ingestFiles), 10 % subscriptions`,
        'about 5 % of Catalog and Batch Ingestion calls fail by injection (503, 500, reset), after a 2 s warm-up without faults',
        'gateway and emulator in this process; heapUsed read after a full garbage collection at the end of each round',
      ],
      markdown: table(
        ['round', 'operations', 'ok', 'errors', 'uploads ok', 'uploads failed', 'stored bytes differ', 'heap after GC', 'RSS'],
        results.map((r) => [String(r.round), String(r.operations), String(r.ok), String(r.errors), String(r.uploadsOk), String(r.uploadsFailed), String(r.uploadsMismatched), `${(r.heapAfterGcBytes / MIB).toFixed(1)} MiB`, `${(r.rssBytes / MIB).toFixed(0)} MiB`]),
      ),
      notes: [
        `heap after GC: baseline ${(baseline / MIB).toFixed(1)} MiB, last round ${(last.heapAfterGcBytes / MIB).toFixed(1)} MiB (${((last.heapAfterGcBytes - baseline) / MIB).toFixed(1)} MiB)`,
        `errors by code over all rounds: ${Object.entries(totals).map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}; codes not in the error table: ${unknownCodes.join(', ') || 'none'}`,
        `unhandled rejections: ${unhandled.length}`,
      ],
      data: { baselineHeapBytes: baseline, rounds: results, errorsByCode: totals, unknownCodes, unhandledRejections: unhandled.length },
    };
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await gateway.stop();
    await emulator.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
