// One query, one upstream call: `{ dataset(id) { id name } }` through the
// gateway, the same GET /data/foundation/catalog/dataSets/{id} straight to the
// emulator (same headers), and the same lookup through Hive Gateway and the
// GraphQL Mesh v0 CLI generated from Adobe's catalog.yaml. The gateway runs
// twice: as deployed by default (tracing off) and with OpenTelemetry tracing
// on, exporting to a sink in this process that discards the spans, so that
// what tracing costs, and that off costs nothing, is measured. One emulator;
// every other target a fresh process per round; the targets interleaved (the
// order rotates every round); load from autocannon in its own process.
import { measureLoad } from './lib/load.ts';
import type { LoadSpec, MeasuredLoad } from './lib/load.ts';
import { startOtlpSink } from './lib/otlp-sink.ts';
import { RestClient, startEmulatorProcess } from './lib/platform.ts';
import type { BenchOptions, BenchReport } from './lib/results.ts';
import { table } from './lib/results.ts';
import { atLeast, atMost, fmt, fmtRatio, median, NOISY_SPREAD, ratio, rotate, spread } from './lib/stats.ts';
import { buildHive, buildMesh, graphql, startGatewayProcess, startHive, startMesh, TARGET_LABELS } from './lib/targets.ts';
import type { GatewayProcess, PeerBuild, TargetName } from './lib/targets.ts';

export const CONNECTIONS = [1, 20] as const;

export interface RunFigures {
  readonly round: number;
  readonly target: TargetName;
  readonly connections: number;
  readonly load: MeasuredLoad;
}

export interface TargetSummary {
  readonly target: TargetName;
  readonly label: string;
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly requestsPerSecondSpread: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** CPU time of the process under test per request (the emulator itself for direct REST). */
  readonly cpuUsPerRequest: number;
  readonly cpuUsPerRequestSpread: number;
  /** CPU time of the emulator per request (the upstream work every target causes). */
  readonly emulatorCpuUsPerRequest: number;
  readonly failedRequests: number;
}

interface Target {
  readonly name: TargetName;
  start(): Promise<{ spec: Omit<LoadSpec, 'connections' | 'durationSeconds'>; pid: number; stop(): Promise<void> }>;
}

function gqlSpec(proc: GatewayProcess, query: string): Omit<LoadSpec, 'connections' | 'durationSeconds'> {
  return { url: proc.graphqlUrl, method: 'POST', headers: { ...proc.headers }, body: JSON.stringify({ query }) };
}

export function summarize(runs: readonly RunFigures[], targets: readonly TargetName[]): TargetSummary[] {
  const out: TargetSummary[] = [];
  for (const target of targets) {
    for (const connections of CONNECTIONS) {
      const mine = runs.filter((r) => r.target === target && r.connections === connections).map((r) => r.load);
      if (mine.length === 0) continue;
      const rps = mine.map((l) => l.requestsPerSecond);
      const cpu = mine.map((l) => l.cpuUsPerRequest[target === 'direct' ? 'emulator' : 'target'] ?? Number.NaN);
      out.push({
        target,
        label: TARGET_LABELS[target],
        connections,
        requestsPerSecond: median(rps),
        requestsPerSecondSpread: spread(rps),
        latencyP50Ms: median(mine.map((l) => l.latencyP50Ms)),
        latencyP99Ms: median(mine.map((l) => l.latencyP99Ms)),
        cpuUsPerRequest: median(cpu),
        cpuUsPerRequestSpread: spread(cpu),
        emulatorCpuUsPerRequest: median(mine.map((l) => l.cpuUsPerRequest.emulator ?? Number.NaN)),
        failedRequests: mine.reduce((sum, l) => sum + l.non2xx + l.errors + l.timeouts, 0),
      });
    }
  }
  return out;
}

export async function run({ quick, log }: BenchOptions): Promise<BenchReport> {
  const rounds = quick ? 2 : 3;
  const warmupSeconds = quick ? 1 : 2;
  const durationSeconds = quick ? 3 : 5;
  const notes: string[] = [];

  const emulator = await startEmulatorProcess({ name: 'emulator' });
  const cleanups: Array<() => Promise<void>> = [() => emulator.close()];
  try {
    const rest = new RestClient(emulator.url, emulator.headers);
    const schema = await rest.loyaltySchema();
    const datasetId = await rest.createDataset('Loyalty Members benchmark dataset', schema.id);
    log(`emulator ${emulator.url} (pid ${emulator.pid}), dataset ${datasetId}`);

    const gatewayQuery = `{ dataset(id: ${JSON.stringify(datasetId)}) { id name } }`;
    const peerQuery = `{ retrieveDataset(DATASET_ID: ${JSON.stringify(datasetId)}) }`;

    const builds: Partial<Record<'hive' | 'mesh', PeerBuild>> = {};
    for (const peer of ['hive', 'mesh'] as const) {
      try {
        log(`generating the ${peer} config from catalog.yaml`);
        builds[peer] = peer === 'hive' ? await buildHive(emulator) : await buildMesh(emulator);
      } catch (error) {
        notes.push(`${TARGET_LABELS[peer]} could not be built, so it was left out: ${String(error).split('\n')[0]}`);
      }
    }

    const checkPeer = async (proc: GatewayProcess) => {
      const data = await graphql<{ retrieveDataset: Record<string, { name?: string }> }>(proc, peerQuery);
      if (data.retrieveDataset[datasetId]?.name === undefined) throw new Error(`${proc.name}: unexpected answer ${JSON.stringify(data).slice(0, 300)}`);
    };

    const sink = await startOtlpSink();
    cleanups.push(() => sink.close());
    // Spans that reached the sink from the traced gateway, and the requests it answered meanwhile.
    const traced = { spans: 0, exports: 0, requests: 0 };

    const startGateway = async (name: 'gateway' | 'gateway-traced', env: Record<string, string>) => {
      const proc = await startGatewayProcess(emulator, env, name);
      const data = await graphql<{ dataset: { id: string; name: string } | null }>(proc, gatewayQuery);
      if (data.dataset?.id !== datasetId) {
        await proc.stop();
        throw new Error(`${name}: unexpected answer ${JSON.stringify(data)}`);
      }
      return proc;
    };

    const targets: Target[] = [
      {
        name: 'gateway',
        async start() {
          const proc = await startGateway('gateway', {});
          return { spec: gqlSpec(proc, gatewayQuery), pid: proc.pid, stop: () => proc.stop() };
        },
      },
      {
        name: 'gateway-traced',
        async start() {
          const before = sink.counts();
          const proc = await startGateway('gateway-traced', { OTEL_ENABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'aep-graphql-bench' });
          traced.requests += 1;
          return {
            spec: gqlSpec(proc, gatewayQuery),
            pid: proc.pid,
            async stop() {
              // The gateway exports what it still holds as it stops.
              await proc.stop();
              const after = sink.counts();
              traced.spans += after.spans - before.spans;
              traced.exports += after.exports - before.exports;
            },
          };
        },
      },
      {
        name: 'direct',
        async start() {
          const url = `${emulator.url}/data/foundation/catalog/dataSets/${datasetId}`;
          const res = await fetch(url, { headers: emulator.headers });
          if (res.status !== 200) throw new Error(`direct: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
          return { spec: { url, method: 'GET', headers: { ...emulator.headers } }, pid: emulator.pid, stop: async () => undefined };
        },
      },
      ...(['hive', 'mesh'] as const)
        .filter((peer) => builds[peer])
        .map(
          (peer): Target => ({
            name: peer,
            async start() {
              const build = builds[peer]!;
              const proc = peer === 'hive' ? await startHive(build) : await startMesh(build);
              try {
                await checkPeer(proc);
              } catch (error) {
                await proc.stop();
                throw error;
              }
              return { spec: gqlSpec(proc, peerQuery), pid: proc.pid, stop: () => proc.stop() };
            },
          }),
        ),
    ];

    const runs: RunFigures[] = [];
    const failed = new Set<TargetName>();
    for (let round = 0; round < rounds; round++) {
      for (const target of rotate(targets, round)) {
        if (failed.has(target.name)) continue;
        let started;
        try {
          started = await target.start();
        } catch (error) {
          failed.add(target.name);
          notes.push(`${TARGET_LABELS[target.name]} did not start or answer, so it was left out: ${String(error).split('\n').slice(0, 3).join(' ')}`);
          continue;
        }
        try {
          for (const connections of CONNECTIONS) {
            const watch: Record<string, number> = target.name === 'direct' ? { emulator: emulator.pid } : { target: started.pid, emulator: emulator.pid };
            const load = await measureLoad({ ...started.spec, connections, durationSeconds }, warmupSeconds, watch);
            runs.push({ round, target: target.name, connections, load });
            if (target.name === 'gateway-traced') traced.requests += load.requests + load.warmupRequests;
            log(
              `round ${round + 1}/${rounds} ${target.name.padEnd(7)} c=${String(connections).padEnd(2)} ${fmt(load.requestsPerSecond).padStart(7)} req/s  p50 ${fmt(load.latencyP50Ms, 2)} ms  p99 ${fmt(load.latencyP99Ms, 2)} ms  cpu/req ${fmt(load.cpuUsPerRequest[target.name === 'direct' ? 'emulator' : 'target'] ?? Number.NaN)} us` +
                (load.non2xx + load.errors ? `  (${load.non2xx} non-2xx, ${load.errors} errors)` : ''),
            );
          }
        } finally {
          await started.stop();
        }
      }
    }

    const names = targets.map((t) => t.name).filter((n) => !failed.has(n));
    const summary = summarize(runs, names);
    const get = (target: TargetName, c: number) => summary.find((s) => s.target === target && s.connections === c);
    const ratios: Record<string, number> = {};
    for (const c of CONNECTIONS) {
      const gw = get('gateway', c);
      const gwTraced = get('gateway-traced', c);
      if (gw && gwTraced) {
        ratios[`tracing on/off req/s c=${c}`] = ratio(gwTraced.requestsPerSecond, gw.requestsPerSecond);
        ratios[`tracing on/off CPU per request c=${c}`] = ratio(gwTraced.cpuUsPerRequest, gw.cpuUsPerRequest);
      }
      for (const other of ['direct', 'hive', 'mesh'] as const) {
        const o = get(other, c);
        if (!gw || !o) continue;
        ratios[`gateway/${other} req/s c=${c}`] = ratio(gw.requestsPerSecond, o.requestsPerSecond);
        if (other !== 'direct') ratios[`${other}/gateway CPU per request c=${c}`] = ratio(o.cpuUsPerRequest, gw.cpuUsPerRequest);
      }
    }
    const gw1 = get('gateway', 1);
    const direct1 = get('direct', 1);
    const addedLatencyMs = gw1 && direct1 ? gw1.latencyP50Ms - direct1.latencyP50Ms : Number.NaN;

    for (const s of summary) {
      if (s.requestsPerSecondSpread > NOISY_SPREAD) notes.push(`Noisy: ${s.label} at c=${s.connections}: req/s varied by ${fmt(s.requestsPerSecondSpread * 100)}% between rounds (CPU per request varied by ${fmt(s.cpuUsPerRequestSpread * 100)}%).`);
      if (s.failedRequests > 0) notes.push(`${s.label} at c=${s.connections}: ${s.failedRequests} requests failed (non-2xx, errors or timeouts).`);
    }
    notes.push('Hive Gateway and Mesh answer `retrieveDataset(DATASET_ID)` with the JSON scalar their generated schemas give the Catalog response (a map keyed by id, no selectable fields); the gateway answers `dataset(id) { id name }`. Each makes the same single upstream GET.');
    const tracingCost = CONNECTIONS.map((c) => {
      const off = get('gateway', c);
      const on = get('gateway-traced', c);
      return off && on ? `${fmt(on.cpuUsPerRequest - off.cpuUsPerRequest)} us CPU per request and ${fmt((1 - on.requestsPerSecond / off.requestsPerSecond) * 100)}% of req/s at c=${c}` : undefined;
    }).filter(Boolean);
    if (tracingCost.length > 0) {
      notes.push(
        `Tracing on (OTEL_ENABLED=true, OTLP/HTTP JSON to a sink in the benchmark process that discards it; one SERVER span per operation and one CLIENT span per upstream attempt, batched by the SDK's BatchSpanProcessor) cost ${tracingCost.join('; ')}. ` +
          `The sink received ${fmt(traced.spans)} spans in ${fmt(traced.exports)} exports for ${fmt(traced.requests)} requests (${fmt(traced.requests > 0 ? traced.spans / traced.requests : Number.NaN, 2)} per request: 2 when none is dropped, a little more with the IMS token calls; fewer means the SDK dropped spans, which it does when its queue of 2048 is full).`,
      );
    }
    notes.push(
      'Tracing off, the default and the "aep-graphql gateway" rows: nothing of tracing is installed. Without OTEL_ENABLED or OTEL_EXPORTER_OTLP_ENDPOINT, tracingOptionsFromConfig (src/gateway/tracing.ts) returns undefined, so createGateway (src/gateway/server.ts) adds no Apollo plugin and gives the platform client no trace hook, and the OpenTelemetry SDK is never imported (it is loaded only by Tracing.start). What remains per request: the optional call `trace?.(…)` on an absent hook per upstream attempt in src/platform/http.ts, and the forwarding of a caller\'s own `traceparent` header (read and checked in src/gateway/context.ts), which is there with tracing on or off.',
    );

    const markdown = [
      table(
        ['target', 'connections', 'req/s (median)', 'p50 ms', 'p99 ms', 'CPU/req of target', 'emulator CPU/req'],
        summary.map((s) => [s.label, String(s.connections), fmt(s.requestsPerSecond), fmt(s.latencyP50Ms, 2), fmt(s.latencyP99Ms, 2), `${fmt(s.cpuUsPerRequest)} us`, `${fmt(s.emulatorCpuUsPerRequest)} us`]),
      ),
      '',
      table(
        ['ratio', 'value'],
        Object.entries(ratios).map(([k, v]) => [k, fmtRatio(v)]),
      ),
      '',
      table(
        ['target', 'measured', 'met'],
        [
          ['req/s at 20 connections >= 2.5x Hive Gateway', fmtRatio(ratios['gateway/hive req/s c=20'] ?? Number.NaN), atLeast(ratios['gateway/hive req/s c=20'], 2.5)],
          ['req/s at 20 connections >= 1.5x Mesh', fmtRatio(ratios['gateway/mesh req/s c=20'] ?? Number.NaN), atLeast(ratios['gateway/mesh req/s c=20'], 1.5)],
          ['req/s at 20 connections >= 25% of direct REST', fmtRatio(ratios['gateway/direct req/s c=20'] ?? Number.NaN), atLeast(ratios['gateway/direct req/s c=20'], 0.25)],
          ['added median latency at 1 connection <= 1.0 ms', `${fmt(addedLatencyMs, 3)} ms`, atMost(addedLatencyMs, 1.0)],
        ],
      ),
    ].join('\n');

    return {
      name: 'query-overhead',
      title: 'Query overhead: one dataset lookup through the gateway, direct REST, Hive Gateway and Mesh',
      conditions: [
        `${rounds} rounds, targets interleaved (order rotated each round), a fresh process per target per round; one emulator process for all`,
        `load: autocannon in its own process, ${warmupSeconds} s warm-up then ${durationSeconds} s measured, at ${CONNECTIONS.join(' and ')} connections; medians over rounds`,
        'CPU/req: user+system CPU time of the process under test (from /proc/<pid>/stat) over the measured run, divided by the requests it served; for direct REST, the emulator',
        'gateway: `aep-graphql serve`, oauth mode against the emulator IMS, NODE_ENV=production, LOG_LEVEL=warn; peers: NODE_ENV=production, one process (no fork), Platform headers as operation headers',
        'gateway, tracing on: the same with OTEL_ENABLED=true and OTEL_EXPORTER_OTLP_ENDPOINT at an OTLP/HTTP sink in the benchmark process that counts the spans it receives and discards them',
        `gateway query: ${gatewayQuery}; peers: ${peerQuery}; direct: GET /data/foundation/catalog/dataSets/{id} with the four Platform headers`,
      ],
      markdown,
      notes,
      data: { datasetId, rounds, warmupSeconds, durationSeconds, runs, summary, ratios, addedLatencyMs },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
