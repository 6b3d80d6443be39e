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
}

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memory: `${fmtBytes(totalmem())} total, ${fmtBytes(freemem())} free`,
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cores} cores, ${m.cpuModel}, Node ${m.node}, ${m.platform}, ${m.memory}, load average at start ${m.loadAverageAtStart.join(' ')}`;
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
