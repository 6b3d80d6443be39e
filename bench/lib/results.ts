// What every benchmark hands back, the machine it ran on, and the files it
// writes: bench/results/<name>.json and bench/results/SUMMARY.md (rebuilt
// from every JSON present, so running one benchmark keeps the others' part).
import { cpus, freemem, loadavg, totalmem, availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_DIR } from './paths.ts';
import { fmtBytes } from './stats.ts';

export interface BenchOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

export interface BenchReport {
  readonly name: string;
  readonly title: string;
  /** How it was run: rounds, durations, sizes, settings. */
  readonly conditions: readonly string[];
  /** Tables and ratios, as markdown. */
  readonly markdown: string;
  /** Caveats: noisy figures, what a peer cannot express, what did not run. */
  readonly notes: readonly string[];
  /** Every measured figure, for the JSON file. */
  readonly data: unknown;
}

export interface RecordedReport extends BenchReport {
  readonly machine: Machine;
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly memory: string;
  readonly loadAverageAtStart: readonly number[];
  /** Milliseconds the speed check took at the start (lower is faster); absent in results written before it existed. */
  readonly speedCheckMs?: number;
}

/** A Catalog page of 100 datasets, as the nested-query benchmark's gateway receives one. */
const SPEED_CHECK_PAGE = JSON.stringify(
  Object.fromEntries(
    Array.from({ length: 100 }, (_, i) => [
      `6b0c1f50be8096c554d8${String(i).padStart(4, '0')}`,
      { name: `Dataset ${i}`, schemaRef: { id: `https://ns.adobe.com/aeplocal/schemas/${i % 3}`, contentType: 'application/vnd.adobe.xed-full+json;version=1' }, lastBatchId: `01JBATCH${i}`, lastBatchStatus: 'success' },
    ]),
  ),
);

/**
 * One core's speed, for comparing runs on different machines (or on one
 * machine whose host is busier some days than others): the milliseconds
 * this process takes to parse and write the page above 2,000 times (the best
 * of three passes), when no benchmark is running. The absolute figures of a
 * run scale roughly with it, the ratios much less.
 */
export function speedCheck(): number {
  // The best of three: the first pass of a process also pays for growing its heap.
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    let length = 0;
    const started = performance.now();
    for (let i = 0; i < 2000; i++) length += JSON.stringify(JSON.parse(SPEED_CHECK_PAGE)).length;
    best = Math.min(best, performance.now() - started);
    if (length !== 2000 * SPEED_CHECK_PAGE.length) throw new Error('speed check: the page did not round-trip');
  }
  return Math.round(best);
}

/** The machine as a benchmark starts: call it before the benchmark runs, not after. */
export function machine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memory: `${fmtBytes(totalmem())} total, ${fmtBytes(freemem())} free`,
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    speedCheckMs: speedCheck(),
  };
}

export function describeMachine(m: Machine): string {
  const speed = m.speedCheckMs !== undefined ? `, speed check ${m.speedCheckMs} ms (one core, lower is faster)` : '';
  return `${m.cores} cores, ${m.cpuModel}, Node ${m.node}, ${m.platform}, ${m.memory}, load average at start ${m.loadAverageAtStart.join(' ')}${speed}`;
}

export async function writeReport(report: RecordedReport): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${report.name}.json`);
  await writeFile(file, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return file;
}

export function reportMarkdown(report: RecordedReport): string {
  return [
    `## ${report.title}`,
    '',
    `Run: ${report.mode}, ${report.startedAt} to ${report.finishedAt}. Machine: ${describeMachine(report.machine)}.`,
    '',
    ...report.conditions.map((line) => `- ${line}`),
    '',
    report.markdown.trim(),
    '',
    ...(report.notes.length ? ['Notes:', '', ...report.notes.map((line) => `- ${line}`), ''] : []),
  ].join('\n');
}

export const BENCH_ORDER = ['query-overhead', 'nested-query', 'upload', 'subscriptions', 'ingestion'] as const;

/** Rebuilds SUMMARY.md from every bench/results/<name>.json. */
export async function writeSummary(): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const files = existsSync(RESULTS_DIR) ? (await readdir(RESULTS_DIR)).filter((f) => f.endsWith('.json')) : [];
  const reports: RecordedReport[] = [];
  for (const f of files) {
    try {
      reports.push(JSON.parse(await readFile(join(RESULTS_DIR, f), 'utf8')) as RecordedReport);
    } catch {
      // not one of ours
    }
  }
  const rank = (name: string) => {
    const i = (BENCH_ORDER as readonly string[]).indexOf(name);
    return i === -1 ? BENCH_ORDER.length : i;
  };
  reports.sort((a, b) => rank(a.name) - rank(b.name));
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); every figure below was measured in the run named under its heading.',
    'How to run and what each figure means: docs/benchmarks.md.',
    '',
    ...(existsSync(join(RESULTS_DIR, 'query-overhead.svg')) ? ['![query overhead](query-overhead.svg)', ''] : []),
    ...reports.map(reportMarkdown),
  ].join('\n');
  const file = join(RESULTS_DIR, 'SUMMARY.md');
  await writeFile(file, text);
  return file;
}

/** A markdown table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
