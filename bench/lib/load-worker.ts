// The load generator, in its own process: `node --import tsx bench/lib/load-worker.ts '<json LoadSpec>'`.
// Runs autocannon's programmatic API and prints one JSON line with its result.
import { createRequire } from 'node:module';
import type { LoadSpec } from './load.ts';

interface AutocannonHistogram {
  readonly average: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly total?: number;
}

interface AutocannonResult {
  readonly requests: AutocannonHistogram & { readonly total: number };
  readonly latency: AutocannonHistogram;
  readonly throughput: AutocannonHistogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
}

interface AutocannonInstance extends Promise<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): void;
}

type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const instance = autocannon({
  url: spec.url,
  method: spec.method,
  headers: spec.headers,
  body: spec.body,
  connections: spec.connections,
  duration: spec.durationSeconds,
  pipelining: 1,
  timeout: 30,
});
// autocannon's own histogram keeps whole milliseconds; sub-millisecond
// latencies need the exact response times of the 2xx responses.
const times: number[] = [];
instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
  if (statusCode >= 200 && statusCode < 300) times.push(responseTimeMs);
});
const result = await instance;
const sorted = Float64Array.from(times).sort();
const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]! : Number.NaN);
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50Ms: at(0.5),
    latencyP99Ms: at(0.99),
    latencyAvgMs: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN,
  })}\n`,
);
