// Load from a separate process (autocannon in bench/lib/load-worker.ts), and
// the CPU time the target process spent while it ran.
import { join } from 'node:path';
import { runToEnd, treeCpuTimeMs } from './proc.ts';
import { BENCH_DIR } from './paths.ts';

export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyAvgMs: number;
}

export interface MeasuredLoad extends LoadResult {
  /** CPU time of each watched process per completed request, in microseconds. */
  readonly cpuUsPerRequest: Record<string, number>;
  /** Requests completed during the warm-up (not in the figures). */
  readonly warmupRequests: number;
}

const WORKER = join(BENCH_DIR, 'lib', 'load-worker.ts');

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const out = await runToEnd(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(spec)], { timeoutMs: (spec.durationSeconds + 60) * 1000 });
  const line = out.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as LoadResult;
}

/**
 * A warm-up run (not recorded), then the measured run with the CPU time of
 * each watched process (name -> pid; its descendants included) read before
 * and after.
 */
export async function measureLoad(spec: LoadSpec, warmupSeconds: number, watch: Record<string, number>): Promise<MeasuredLoad> {
  const warmup = warmupSeconds > 0 ? await runLoad({ ...spec, durationSeconds: warmupSeconds }) : undefined;
  const before = Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, treeCpuTimeMs(pid)]));
  const result = await runLoad(spec);
  const cpuUsPerRequest: Record<string, number> = {};
  for (const [name, pid] of Object.entries(watch)) {
    const spent = treeCpuTimeMs(pid) - (before[name] ?? 0);
    cpuUsPerRequest[name] = result.requests > 0 ? (spent * 1000) / result.requests : Number.NaN;
  }
  return { ...result, cpuUsPerRequest, warmupRequests: warmup?.requests ?? 0 };
}
