// A page of 100 datasets with each one's schema title and last batch status:
// upstream calls per query, counted by the emulator (--faults turns its
// request counters on), and requests/s, through the gateway and through
// GraphQL Mesh v0 on the shape its generated schema allows.
import { measureLoad } from './lib/load.ts';
import type { LoadSpec, MeasuredLoad } from './lib/load.ts';
import { platformCalls, RestClient, startEmulatorProcess } from './lib/platform.ts';
import type { EmulatorProcess } from './lib/platform.ts';
import type { BenchOptions, BenchReport } from './lib/results.ts';
import { table } from './lib/results.ts';
import { atLeast, atMost, fmt, fmtRatio, median, NOISY_SPREAD, ratio, rotate, spread } from './lib/stats.ts';
import { buildMesh, graphql, startGatewayProcess, startMesh, TARGET_LABELS } from './lib/targets.ts';
import type { GatewayProcess, PeerBuild } from './lib/targets.ts';

const DATASETS = 100;
const EXTRA_SCHEMAS = ['Benchmark Members A', 'Benchmark Members B'];
const CONNECTIONS = [1, 20] as const;

export const GATEWAY_QUERY = '{ datasets(first: 100) { edges { node { id name schema { title } lastBatch { status } } } } }';
/** What Mesh's generated schema can answer in one request: the Catalog list, whose objects carry schemaRef.id and lastBatchStatus. */
export const MESH_QUERY = '{ listDatasets(limit: 100, properties: "name,schemaRef,lastBatchId,lastBatchStatus") }';

type Name = 'gateway' | 'mesh';

interface Run {
  readonly round: number;
  readonly target: Name;
  readonly connections: number;
  readonly load: MeasuredLoad;
  readonly upstreamCallsPerQuery: number;
}

function total(counters: Record<string, number>): number {
  return Object.values(platformCalls(counters)).reduce((a, b) => a + b, 0);
}

async function callsForOne(emulator: EmulatorProcess, send: () => Promise<void>): Promise<{ total: number; byRoute: Record<string, number> }> {
  await emulator.resetCounters();
  await send();
  const byRoute = platformCalls(await emulator.counters());
  return { total: total(byRoute), byRoute };
}

export async function run({ quick, log }: BenchOptions): Promise<BenchReport> {
  const rounds = quick ? 2 : 3;
  const warmupSeconds = quick ? 1 : 2;
  const durationSeconds = quick ? 3 : 5;
  const notes: string[] = [];
  const emulator = await startEmulatorProcess({ faults: true });
  try {
    const rest = new RestClient(emulator.url, emulator.headers);
    const schemaIds = [(await rest.loyaltySchema()).id];
    for (const title of EXTRA_SCHEMAS) schemaIds.push(await rest.createSchema(title));
    for (let i = 0; i < DATASETS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const n = i + j;
          const id = await rest.createDataset(`nested-${String(n).padStart(3, '0')}`, schemaIds[n % schemaIds.length]!);
          if (n % 2 === 0) await rest.createBatch(id, 'json');
        }),
      );
    }
    log(`emulator ${emulator.url}: ${DATASETS} datasets on ${schemaIds.length} schemas, a batch on every other one`);

    let meshBuild: PeerBuild | undefined;
    try {
      meshBuild = await buildMesh(emulator, ['catalog', 'schemaRegistry']);
    } catch (error) {
      notes.push(`Mesh could not be built from catalog.yaml and schema-registry.yaml: ${String(error).split('\n')[0]}`);
    }

    // What a Mesh client would need for schema titles: Query.retrieveSchema. Its generated operation sends
    // Accept: application/json, which the Schema Registry refuses; check that here rather than assume it.
    let meshSchemaLookup = 'not tried';

    const targets: Array<{ name: Name; start(): Promise<{ proc: GatewayProcess; spec: Omit<LoadSpec, 'connections' | 'durationSeconds'>; check(): Promise<void> }> }> = [
      {
        name: 'gateway',
        async start() {
          const proc = await startGatewayProcess(emulator);
          const check = async () => {
            const data = await graphql<{ datasets: { edges: Array<{ node: { schema: { title: string } | null; lastBatch: { status: string } | null } }> } }>(proc, GATEWAY_QUERY);
            const nodes = data.datasets.edges.map((e) => e.node);
            if (nodes.length !== DATASETS || nodes.some((n) => !n.schema?.title)) throw new Error(`gateway: unexpected answer ${JSON.stringify(data).slice(0, 300)}`);
          };
          return { proc, spec: { url: proc.graphqlUrl, method: 'POST', headers: { ...proc.headers }, body: JSON.stringify({ query: GATEWAY_QUERY }) }, check };
        },
      },
      ...(meshBuild
        ? [
            {
              name: 'mesh' as const,
              async start() {
                const proc = await startMesh(meshBuild!);
                const check = async () => {
                  const data = await graphql<{ listDatasets: Record<string, { lastBatchStatus?: string }> }>(proc, MESH_QUERY);
                  if (Object.keys(data.listDatasets).length !== DATASETS) throw new Error(`mesh: unexpected answer ${JSON.stringify(data).slice(0, 300)}`);
                  if (meshSchemaLookup === 'not tried') {
                    const id = encodeURIComponent(schemaIds[0]!);
                    try {
                      await graphql(proc, `{ retrieveSchema(CONTAINER_ID: "tenant", SCHEMA_ID: ${JSON.stringify(id)}, Accept: "application/vnd.adobe.xed+json; version=1") { title } }`);
                      meshSchemaLookup = 'works';
                    } catch (error) {
                      const text = String(error).replace(/\s+/g, ' ');
                      const status = /Upstream HTTP Error: (\d+)/.exec(text)?.[1];
                      const detail = /"detail":"([^"]+)"/.exec(text)?.[1];
                      meshSchemaLookup = `fails: ${status ? `upstream ${status}` : ''}${detail ? `, "${detail.slice(0, 300)}"` : ` ${text.slice(0, 400)}`}`;
                    }
                  }
                };
                return { proc, spec: { url: proc.graphqlUrl, method: 'POST' as const, headers: { ...proc.headers }, body: JSON.stringify({ query: MESH_QUERY }) }, check };
              },
            },
          ]
        : []),
    ];

    const runs: Run[] = [];
    const oneQuery: Partial<Record<Name, { total: number; byRoute: Record<string, number> }>> = {};
    for (let round = 0; round < rounds; round++) {
      for (const target of rotate(targets, round)) {
        const { proc, spec, check } = await target.start();
        try {
          await check();
          const one = await callsForOne(emulator, check);
          oneQuery[target.name] ??= one;
          for (const connections of CONNECTIONS) {
            await emulator.resetCounters();
            const load = await measureLoad({ ...spec, connections, durationSeconds }, warmupSeconds, { target: proc.pid, emulator: emulator.pid });
            // Counters cover warm-up and measured run alike.
            const calls = total(await emulator.counters());
            const perQuery = calls / (load.requests + load.warmupRequests);
            runs.push({ round, target: target.name, connections, load, upstreamCallsPerQuery: perQuery });
            log(`round ${round + 1}/${rounds} ${target.name.padEnd(7)} c=${String(connections).padEnd(2)} ${fmt(load.requestsPerSecond, 1).padStart(8)} req/s  p50 ${fmt(load.latencyP50Ms, 2)} ms  p99 ${fmt(load.latencyP99Ms, 2)} ms  cpu/req ${fmt(load.cpuUsPerRequest.target ?? Number.NaN)} us  upstream calls/query ${one.total} (${fmt(perQuery, 2)} under load)`);
          }
        } finally {
          await proc.stop();
        }
      }
    }

    const summary = targets.flatMap((t) =>
      CONNECTIONS.map((c) => {
        const mine = runs.filter((r) => r.target === t.name && r.connections === c);
        const rps = mine.map((r) => r.load.requestsPerSecond);
        if (spread(rps) > NOISY_SPREAD) notes.push(`Noisy: ${t.name} at c=${c}: req/s varied by ${fmt(spread(rps) * 100)}% between rounds.`);
        return {
          target: t.name,
          connections: c,
          requestsPerSecond: median(rps),
          spread: spread(rps),
          latencyP50Ms: median(mine.map((r) => r.load.latencyP50Ms)),
          latencyP99Ms: median(mine.map((r) => r.load.latencyP99Ms)),
          cpuUsPerRequest: median(mine.map((r) => r.load.cpuUsPerRequest.target ?? Number.NaN)),
          emulatorCpuUsPerRequest: median(mine.map((r) => r.load.cpuUsPerRequest.emulator ?? Number.NaN)),
          upstreamCallsPerQueryUnderLoad: median(mine.map((r) => r.upstreamCallsPerQuery)),
          failed: mine.reduce((s, r) => s + r.load.non2xx + r.load.errors + r.load.timeouts, 0),
        };
      }),
    );
    for (const s of summary) if (s.failed) notes.push(`${s.target} at c=${s.connections}: ${s.failed} requests failed.`);
    const expected = 1 + schemaIds.length + 1;
    const gwCalls = oneQuery.gateway?.total ?? Number.NaN;
    const get = (t: Name, c: number) => summary.find((s) => s.target === t && s.connections === c);
    const ratios: Record<string, number> = {};
    for (const c of CONNECTIONS) ratios[`gateway/mesh req/s c=${c}`] = ratio(get('gateway', c)?.requestsPerSecond ?? Number.NaN, get('mesh', c)?.requestsPerSecond ?? Number.NaN);

    notes.push(
      `Mesh shape: \`${MESH_QUERY}\` — one Catalog call that returns each dataset's schemaRef.id and lastBatchStatus as JSON. Mesh's generated schema has no link from a dataset to its schema or batches; a schema title needs a separate Query.retrieveSchema per schema id, which through Mesh ${meshSchemaLookup === 'works' ? 'works' : meshSchemaLookup === 'not tried' ? 'was not tried' : `${meshSchemaLookup.slice(0, 5)} (its generated operation sends Accept: application/json, which the Schema Registry refuses)`}. So Mesh answers less than the gateway here (no schema titles) in one upstream call; a client joining schema titles itself needs a second request and one schema lookup per distinct schema, or one per dataset when written field by field.`,
    );
    if (meshSchemaLookup.startsWith('fails')) notes.push(`Mesh retrieveSchema: ${meshSchemaLookup}`);

    return {
      name: 'nested-query',
      title: 'Nested query: 100 datasets with schema title and last batch status',
      conditions: [
        `${DATASETS} datasets on ${schemaIds.length} distinct schemas (the seeded Loyalty Members and ${EXTRA_SCHEMAS.length} more), every other dataset with a batch; one emulator with request counters (--faults)`,
        `${rounds} rounds, fresh gateway/Mesh process per round, interleaved; autocannon in its own process, ${warmupSeconds} s warm-up, ${durationSeconds} s measured, ${CONNECTIONS.join(' and ')} connections; medians`,
        'upstream calls per query: the emulator\'s request counters around one query (IMS and /__emulator excluded); the figure under load (in the JSON) also counts the calls of requests still in flight when autocannon stopped',
        `gateway query: \`${GATEWAY_QUERY}\``,
      ],
      markdown: [
        table(
          ['target', 'upstream calls per query', 'calls by route'],
          (Object.entries(oneQuery) as Array<[Name, { total: number; byRoute: Record<string, number> }]>).map(([name, q]) => [TARGET_LABELS[name], String(q.total), Object.entries(q.byRoute).map(([k, v]) => `${k}: ${v}`).join('; ')]),
        ),
        '',
        table(
          ['target', 'measured', 'met'],
          [
            [`upstream calls per query <= 1 + distinct schemas (${schemaIds.length}) + 1 = ${expected}`, fmt(gwCalls), atMost(gwCalls, expected)],
            ['req/s at 20 connections >= 2x Mesh (Mesh answering less: no schema titles)', fmtRatio(ratios['gateway/mesh req/s c=20'] ?? Number.NaN), atLeast(ratios['gateway/mesh req/s c=20'], 2)],
          ],
        ),
        '',
        table(
          ['target', 'connections', 'req/s (median)', 'p50 ms', 'p99 ms', 'CPU/req of target', 'emulator CPU/req'],
          summary.map((s) => [TARGET_LABELS[s.target], String(s.connections), fmt(s.requestsPerSecond, 1), fmt(s.latencyP50Ms, 2), fmt(s.latencyP99Ms, 2), `${fmt(s.cpuUsPerRequest)} us`, `${fmt(s.emulatorCpuUsPerRequest)} us`]),
        ),
        '',
        table(['ratio', 'value'], Object.entries(ratios).map(([k, v]) => [k, fmtRatio(v)])),
      ].join('\n'),
      notes,
      data: { datasets: DATASETS, distinctSchemas: schemaIds.length, expectedCalls: expected, oneQuery, runs, summary, ratios, meshSchemaLookup },
    };
  } finally {
    await emulator.close();
  }
}
