// Load: 200 concurrent clients against one gateway and one emulator for
// LOAD_TEST_SECONDS (60 under CI=true, else 10), mixing queries (80 %),
// uploads (10 %, small files, half of them through ingestFiles) and
// subscriptions (10 %), with 5 % of the Catalog and Batch Ingestion calls
// failing upstream (503, 500 or a reset connection). The promises: no crash,
// no unhandled rejection, every error with a known code, every upload the
// gateway reported done stored byte-exact (sha256 of the emulator's copy),
// and the heap back near its baseline afterwards.
//
// Memory: gateway and emulator run in this process, so the heap can be
// measured after a full garbage collection (heapUsed, which RSS is not: the
// allocator keeps freed pages). `gc` is reached through V8's runtime flag,
// without a node option. The baseline is taken after a short warm-up (caches,
// connection pools, compiled code), and the end figure once every client is
// gone and the batch pollers have stopped.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES } from '../../src/gateway/errors.ts';
import { runLoadMix } from '../helpers/load-mix.ts';
import type { LoadReport } from '../helpers/load-mix.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';

const SECONDS = Number(process.env.LOAD_TEST_SECONDS ?? (process.env.CI === 'true' ? 60 : 10));
const CLIENTS = 200;
const HEAP_GROWTH_LIMIT = 30 * 1024 * 1024;
const MIB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterAll(() => void process.off('unhandledRejection', onUnhandled));

const emulator = await startEmulator({ faults: true, processingDelayMs: 50 });
const gw = await startGateway({ emulator, batchPollIntervalMs: 200, batchPollMaxIntervalMs: 400, maxFiles: 5 });
afterAll(() => gw.close());

function known(report: LoadReport): { unknown: string[] } {
  const codes: ReadonlySet<string> = new Set(GATEWAY_ERROR_CODES);
  return { unknown: Object.keys(report.errorsByCode).filter((code) => !codes.has(code)) };
}

describe('load', () => {
  it(`should serve ${CLIENTS} concurrent clients for ${SECONDS} s with 5 % upstream failures and lose nothing`, { timeout: (SECONDS + 180) * 1000 }, async () => {
    const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($s: ID!) { createDataset(input: { name: "load", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const datasetId = dataset.createDataset.dataset.id;
    const open = await gw.gqlOk<{ createBatch: { batch: { id: string } } }>('mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: datasetId });
    const common = { gatewayUrl: gw.url, headers: gw.defaultHeaders, emulatorDataDir: emulator.dataDir, datasetId, openBatchId: open.createBatch.batch.id };

    // Warm-up without faults, then the baseline.
    await runLoadMix({ ...common, clients: 20, seconds: 2 });
    const heapBefore = await settledHeap();
    const rssBefore = process.memoryUsage().rss;

    // About 5 % of Catalog and Batch Ingestion calls fail: three rules of 1.7 % each.
    const rate = 1 - Math.cbrt(0.95);
    const pathRegex = '^/data/foundation/(catalog|import)/';
    emulator.faults.set([
      { pathRegex, respond: 503, rate, retryAfterSeconds: 0 },
      { pathRegex, respond: 500, rate },
      { pathRegex, respond: 'reset', rate },
    ]);
    emulator.resetCounters();
    const report = await runLoadMix({ ...common, clients: CLIENTS, seconds: SECONDS });
    emulator.faults.clear();
    const upstreamCalls = Object.entries(emulator.counters()).filter(([route]) => /\/(catalog|import)\//.test(route)).reduce((sum, [, n]) => sum + n, 0);

    // Every subscription is over and every poller stopped: what is left is what the gateway keeps.
    await expect.poll(() => gw.gateway.batchWatch.stats().activeWatches, { timeout: 30_000 }).toBe(0);
    const heapAfter = await settledHeap();
    const rssAfter = process.memoryUsage().rss;

    const errors = Object.entries(report.errorsByCode).sort(([, a], [, b]) => b - a).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
    console.log(
      [
        `${CLIENTS} clients for ${SECONDS} s: ${report.operations} operations (${report.queries} queries, ${report.uploads} uploads, ${report.subscriptions} subscriptions, ${report.subscriptionEvents} events), ${report.ok} ok`,
        `upstream Catalog/Ingestion calls: ${upstreamCalls}, about 5 % failed by injection; errors by code: ${errors}`,
        `uploads: ${report.uploadsOk} ok, ${report.uploadsFailed} failed with a known code; ${report.uploadsByteExact} files reported done, all stored byte-exact: ${report.uploadsMismatched.length === 0}`,
        `heapUsed after GC: ${(heapBefore / MIB).toFixed(1)} MiB before, ${(heapAfter / MIB).toFixed(1)} MiB after (${((heapAfter - heapBefore) / MIB).toFixed(1)} MiB, limit 30); RSS ${(rssBefore / MIB).toFixed(0)} -> ${(rssAfter / MIB).toFixed(0)} MiB`,
        `unhandled rejections: ${unhandled.length}`,
      ].join('\n'),
    );

    expect(unhandled).toEqual([]);
    expect(known(report).unknown).toEqual([]);
    expect(report.errorsByCode.INTERNAL_SERVER_ERROR ?? 0).toBe(0);
    expect(report.uploadsMismatched).toEqual([]);
    expect(report.uploadsOk).toBeGreaterThan(0);
    expect(report.subscriptionEvents).toBeGreaterThan(0);
    expect(report.queries).toBeGreaterThan(report.uploads + report.subscriptions);
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT);
    // Still serving.
    expect(await gw.gqlOk('{ currentSandbox { name } }')).toEqual({ currentSandbox: { name: 'prod' } });
  });
});
