// `npm run bench [-- --quick] [-- <name> ...]`: runs the selected benchmarks
// one after another, writes bench/results/<name>.json and SUMMARY.md, and
// prints the machine, the medians and the ratios.
import { parseArgs } from 'node:util';
import { rm } from 'node:fs/promises';
import { writeChart } from './chart.ts';
import { WORK_DIR } from './lib/paths.ts';
import { cleanPeerWork } from './lib/targets.ts';
import type { BenchOptions, BenchReport } from './lib/results.ts';
import { BENCH_ORDER, describeMachine, machine, reportMarkdown, writeReport, writeSummary } from './lib/results.ts';

// The soak runs only when named (`npm run bench -- soak`): it lasts ten minutes.
type BenchName = (typeof BENCH_ORDER)[number] | 'soak';

const BENCHES: Record<BenchName, () => Promise<{ run(options: BenchOptions): Promise<BenchReport> }>> = {
  'query-overhead': () => import('./query-overhead.ts'),
  'nested-query': () => import('./nested-query.ts'),
  upload: () => import('./upload.ts'),
  subscriptions: () => import('./subscriptions.ts'),
  ingestion: () => import('./ingestion.ts'),
  soak: () => import('./soak.ts'),
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write(`usage: npm run bench -- [--quick] [${BENCH_ORDER.join('|')}|soak ...]\n`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !(p in BENCHES));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${BENCH_ORDER.join(', ')}\n`);
  process.exit(2);
}
const selected: BenchName[] = positionals.length ? (positionals as BenchName[]) : [...BENCH_ORDER];
const quick = values.quick ?? false;
const m = machine();
process.stdout.write(`machine: ${describeMachine(m)}\nmode: ${quick ? 'quick' : 'full'}; benchmarks: ${selected.join(', ')}\n\n`);

let failures = 0;
for (const [index, name] of selected.entries()) {
  const startedAt = new Date().toISOString();
  // The first benchmark starts right after the header's record; the others get their own.
  const atStart = index === 0 ? m : machine();
  const log = (line: string) => process.stdout.write(`[${name}] ${line}\n`);
  try {
    const { run } = await BENCHES[name]();
    const report = await run({ quick, log });
    const recorded = { ...report, machine: atStart, mode: quick ? ('quick' as const) : ('full' as const), startedAt, finishedAt: new Date().toISOString() };
    const file = await writeReport(recorded);
    if (name === 'query-overhead') log(`chart: ${await writeChart(recorded)}`);
    process.stdout.write(`\n${reportMarkdown(recorded)}\n(${file})\n\n`);
  } catch (error) {
    failures++;
    process.stdout.write(`[${name}] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\n`);
  }
}
await rm(WORK_DIR, { recursive: true, force: true }).catch(() => undefined);
await cleanPeerWork();
process.stdout.write(`summary: ${await writeSummary()}\n`);
// Keep-alive sockets and timers of the servers' clients must not hold the process open.
process.exit(failures ? 1 : 0);
