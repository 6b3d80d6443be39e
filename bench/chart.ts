// bench/results/query-overhead.svg from the query-overhead results: requests/s
// at 1 and 20 connections, and latency p50/p99 at 1 connection, per target.
// Hand-written SVG, no dependencies. Also runnable alone:
// `node --import tsx bench/chart.ts` redraws it from bench/results/query-overhead.json.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RESULTS_DIR } from './lib/paths.ts';
import type { RecordedReport } from './lib/results.ts';
import { describeMachine } from './lib/results.ts';

interface Summary {
  readonly target: string;
  readonly label: string;
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

const SHORT: Record<string, string> = { gateway: 'aep-graphql gateway', 'gateway-traced': 'gateway, tracing on', direct: 'direct REST (emulator)', hive: 'Hive Gateway 2.15', mesh: 'GraphQL Mesh v0 0.103' };
const COLORS: Record<string, string> = { gateway: '#2f6fdf', 'gateway-traced': '#8fb0ef', direct: '#7a7a7a', hive: '#e0a100', mesh: '#c2410c' };
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  readonly text: string;
}

/** One panel of horizontal bars, groups of bars under a heading each. */
function panel(x: number, y: number, width: number, title: string, groups: ReadonlyArray<{ heading: string; bars: readonly Bar[] }>): { svg: string; height: number } {
  const labelWidth = 190;
  const barArea = width - labelWidth - 90;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))));
  const parts = [`<text x="${x}" y="${y}" font-size="15" font-weight="bold">${escape(title)}</text>`];
  let cy = y + 12;
  for (const group of groups) {
    cy += 18;
    parts.push(`<text x="${x}" y="${cy}" font-size="12" fill="#444">${escape(group.heading)}</text>`);
    cy += 6;
    for (const bar of group.bars) {
      const w = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * barArea) : 0;
      parts.push(
        `<text x="${x + labelWidth - 6}" y="${cy + 13}" font-size="12" text-anchor="end">${escape(bar.label)}</text>`,
        `<rect x="${x + labelWidth}" y="${cy}" width="${w.toFixed(1)}" height="17" fill="${bar.color}" rx="2"/>`,
        `<text x="${x + labelWidth + w + 5}" y="${cy + 13}" font-size="12">${escape(bar.text)}</text>`,
      );
      cy += 21;
    }
  }
  return { svg: parts.join('\n'), height: cy - y };
}

export function renderChart(report: RecordedReport): string {
  const data = report.data as { summary: Summary[] };
  const summary = data.summary;
  const targets = [...new Set(summary.map((s) => s.target))];
  const width = 820;
  const pick = (c: number) => targets.map((t) => summary.find((s) => s.target === t && s.connections === c)).filter((s): s is Summary => Boolean(s));
  const throughput = panel(20, 90, width - 40, 'Requests per second (median, higher is better)', [20, 1].map((c) => ({
    heading: `${c} connection${c === 1 ? '' : 's'}`,
    bars: pick(c).map((s) => ({ label: SHORT[s.target] ?? s.label, value: s.requestsPerSecond, color: COLORS[s.target] ?? '#555', text: num(s.requestsPerSecond) })),
  })));
  const latencyY = 90 + throughput.height + 40;
  const latency = panel(20, latencyY, width - 40, 'Latency at 1 connection, ms (median of runs, lower is better)', [
    { heading: 'p50', bars: pick(1).map((s) => ({ label: SHORT[s.target] ?? s.label, value: s.latencyP50Ms, color: COLORS[s.target] ?? '#555', text: `${num(s.latencyP50Ms, 2)} ms` })) },
    { heading: 'p99', bars: pick(1).map((s) => ({ label: SHORT[s.target] ?? s.label, value: s.latencyP99Ms, color: COLORS[s.target] ?? '#555', text: `${num(s.latencyP99Ms, 2)} ms` })) },
  ]);
  const height = latencyY + latency.height + 50;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="30" font-size="18" font-weight="bold">dataset(id) { id name }: one upstream GET per query</text>
<text x="20" y="50" font-size="11" fill="#555">${escape(`${report.mode} run ${report.finishedAt.slice(0, 16).replace('T', ' ')} UTC; ${describeMachine(report.machine)}`)}</text>
${throughput.svg}
${latency.svg}
<text x="20" y="${height - 15}" font-size="11" fill="#555">Medians over interleaved rounds with fresh processes; load from autocannon in a separate process. See bench/results/SUMMARY.md.</text>
</svg>
`;
}

export async function writeChart(report: RecordedReport): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, 'query-overhead.svg');
  await writeFile(file, renderChart(report));
  return file;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = JSON.parse(await readFile(join(RESULTS_DIR, 'query-overhead.json'), 'utf8')) as RecordedReport;
  process.stdout.write(`${await writeChart(report)}\n`);
}
