// The GraphQL servers under test, each in its own process: this project's
// gateway (`aep-graphql serve` against a separate emulator), Hive Gateway
// (a supergraph composed by Mesh Compose from Adobe's catalog.yaml with
// @omnigraph/openapi) and the GraphQL Mesh v0 CLI (the openapi handler on the
// same document). The peers' configs are generated into bench/.peers/.
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePeer, PEERS, PEERS_DIR } from './peers.ts';
import type { EmulatorProcess } from './platform.ts';
import { LOCAL } from './platform.ts';
import { CLI, OPENAPI_DIR, ROOT_DIR } from './paths.ts';
import { cpuProfileArgs, freePort, runToEnd, spawnService } from './proc.ts';
import type { Service } from './proc.ts';

export type TargetName = 'gateway' | 'gateway-traced' | 'direct' | 'hive' | 'mesh';

export const TARGET_LABELS: Record<TargetName, string> = {
  gateway: 'aep-graphql gateway',
  'gateway-traced': 'aep-graphql gateway, tracing on',
  direct: 'direct REST (emulator)',
  hive: 'Hive Gateway 2.15 (@omnigraph/openapi)',
  mesh: 'GraphQL Mesh v0 CLI 0.103 (@graphql-mesh/openapi)',
};

/** The key the benchmarks present to the gateway (oauth mode needs one). */
export const BENCH_GATEWAY_KEY = 'bench-gateway-key-0123456789';

export interface GatewayProcess extends Service {
  /** The GraphQL endpoint. */
  readonly graphqlUrl: string;
  /** Headers every GraphQL request to it carries. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `aep-graphql serve` in oauth mode against `emulator` (tokens from the
 * emulator's IMS), NODE_ENV=production, request log off (LOG_LEVEL=warn:
 * the peers log no line per request either).
 */
export async function startGatewayProcess(emulator: { url: string }, env: Record<string, string> = {}, name = 'gateway'): Promise<GatewayProcess> {
  // BENCH_CPU_PROF_DIR: every gateway process writes a V8 CPU profile there when it exits (`--cpu-prof`).
  const service = await spawnService(name, process.execPath, [...cpuProfileArgs(process.env.BENCH_CPU_PROF_DIR), CLI, 'serve'], {
    cwd: ROOT_DIR,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      PLATFORM_BASE_URL: emulator.url,
      IMS_URL: emulator.url,
      AUTH_MODE: 'oauth',
      AEP_CLIENT_ID: LOCAL.clientId,
      AEP_CLIENT_SECRET: LOCAL.clientSecret,
      AEP_ORG_ID: LOCAL.orgId,
      GATEWAY_API_KEYS: BENCH_GATEWAY_KEY,
      ...env,
    },
  });
  const graphqlUrl = new URL(service.url).pathname.length > 1 ? service.url : new URL('/graphql', service.url).href;
  return Object.assign(Object.create(null) as object, service, {
    graphqlUrl,
    headers: { 'content-type': 'application/json', 'x-gateway-api-key': BENCH_GATEWAY_KEY },
  }) as GatewayProcess;
}

/**
 * Which of Adobe's OpenAPI documents a peer is generated from. Catalog and
 * Batch Ingestion cannot be combined: both define Mutation.createBatch with
 * different types, and neither Mesh nor Mesh Compose merges them.
 */
export type PeerSource = 'catalog' | 'ingestion' | 'schemaRegistry';
export type PeerSources = readonly PeerSource[];


const SOURCES = [
  { key: 'catalog', name: 'Catalog', file: 'catalog.yaml', base: '/data/foundation/catalog' },
  { key: 'ingestion', name: 'BatchIngestion', file: 'batch-ingestion.yaml', base: '/data/foundation/import' },
  { key: 'schemaRegistry', name: 'SchemaRegistry', file: 'schema-registry.yaml', base: '/data/foundation/schemaregistry' },
] as const;

function selected(sources: PeerSources) {
  return SOURCES.filter((s) => sources.includes(s.key));
}

/** The Platform headers as the OpenAPI documents name the header parameters, so the generated arguments default to them. */
function operationHeaders(emulator: EmulatorProcess): Record<string, string> {
  return {
    Authorization: emulator.headers.authorization ?? '',
    'x-api-key': LOCAL.clientId,
    'x-gw-ims-org-id': LOCAL.orgId,
    'x-sandbox-name': LOCAL.sandbox,
  };
}

let peerSeq = 0;

async function workDir(peer: 'hive' | 'mesh'): Promise<string> {
  const root = await ensurePeer(PEERS[peer]);
  const dir = join(root, `work-${process.pid}-${++peerSeq}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

export interface PeerBuild {
  readonly dir: string;
  readonly schemaFile: string;
}

/** Writes mesh.config.ts and composes supergraph.graphql (Mesh Compose + @omnigraph/openapi). */
export async function buildHive(emulator: EmulatorProcess, sources: PeerSources = ['catalog']): Promise<PeerBuild> {
  const dir = await workDir('hive');
  const list = selected(sources);
  for (const s of list) await copyFile(join(OPENAPI_DIR, s.file), join(dir, s.file));
  const headers = JSON.stringify(operationHeaders(emulator));
  const subgraphs = list
    .map(
      (s) => `    {
      sourceHandler: loadOpenAPISubgraph(${JSON.stringify(s.name)}, {
        source: ${JSON.stringify(`./${s.file}`)},
        endpoint: ${JSON.stringify(`${emulator.url}${s.base}`)},
        operationHeaders: ${headers},
      }),
    }`,
    )
    .join(',\n');
  await writeFile(
    join(dir, 'mesh.config.ts'),
    `// Generated by bench/lib/targets.ts.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
${subgraphs}
  ],
});
`,
  );
  await runToEnd(process.execPath, [join(dir, '..', 'node_modules', '@graphql-mesh', 'compose-cli', 'esm', 'bin.js'), '-o', 'supergraph.graphql'], { cwd: dir, timeoutMs: 300_000 });
  return { dir, schemaFile: join(dir, 'supergraph.graphql') };
}

export async function startHive(build: PeerBuild, name = 'hive'): Promise<GatewayProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const bin = join(build.dir, '..', 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
  const service = await spawnService(name, process.execPath, [bin, 'supergraph', build.schemaFile, '--port', String(port), '--host', '127.0.0.1', '--fork', '1', '--disable-websockets'], {
    cwd: build.dir,
    env: { NODE_ENV: 'production' },
    known: { url, readyUrl: `http://127.0.0.1:${port}/readiness` },
  });
  return Object.assign(Object.create(null) as object, service, { graphqlUrl: url, headers: { 'content-type': 'application/json' } }) as GatewayProcess;
}

/** Writes .meshrc.yaml and runs `mesh build`. */
export async function buildMesh(emulator: EmulatorProcess, sources: PeerSources = ['catalog']): Promise<PeerBuild> {
  const dir = await workDir('mesh');
  const list = selected(sources);
  for (const s of list) await copyFile(join(OPENAPI_DIR, s.file), join(dir, s.file));
  const headers = Object.entries(operationHeaders(emulator))
    .map(([k, v]) => `          ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  const yaml = `# Generated by bench/lib/targets.ts.
sources:
${list
  .map(
    (s) => `  - name: ${s.name}
    handler:
      openapi:
        source: ./${s.file}
        endpoint: ${emulator.url}${s.base}
        operationHeaders:
${headers}`,
  )
  .join('\n')}
serve:
  hostname: 127.0.0.1
  fork: 1
  browser: false
  playground: false
`;
  await writeFile(join(dir, '.meshrc.yaml'), yaml);
  await runToEnd(process.execPath, [join(dir, '..', 'node_modules', '@graphql-mesh', 'cli', 'cjs', 'bin.js'), 'build'], { cwd: dir, timeoutMs: 300_000, env: { NODE_ENV: 'production' } });
  return { dir, schemaFile: join(dir, '.mesh', 'schema.graphql') };
}

export async function startMesh(build: PeerBuild, name = 'mesh'): Promise<GatewayProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const service = await spawnService(name, process.execPath, [join(build.dir, '..', 'node_modules', '@graphql-mesh', 'cli', 'cjs', 'bin.js'), 'start', '--port', String(port)], {
    cwd: build.dir,
    env: { NODE_ENV: 'production' },
    known: { url, readyUrl: `http://127.0.0.1:${port}/healthcheck` },
  });
  return Object.assign(Object.create(null) as object, service, { graphqlUrl: url, headers: { 'content-type': 'application/json' } }) as GatewayProcess;
}

/** Removes the generated peer configs of this process (bench/.peers/<peer>/work-<pid>-*). */
export async function cleanPeerWork(): Promise<void> {
  for (const peer of ['hive', 'mesh'] as const) {
    const root = join(PEERS_DIR, peer);
    const entries = await readdir(root).catch(() => [] as string[]);
    await Promise.all(entries.filter((e) => e.startsWith(`work-${process.pid}-`)).map((e) => rm(join(root, e), { recursive: true, force: true })));
  }
}

/** One GraphQL request; throws on GraphQL errors. */
export async function graphql<T>(target: { graphqlUrl: string; headers: Readonly<Record<string, string>> }, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(target.graphqlUrl, { method: 'POST', headers: { ...target.headers }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  let body: { data?: T; errors?: unknown[] };
  try {
    body = JSON.parse(text) as { data?: T; errors?: unknown[] };
  } catch {
    throw new Error(`${target.graphqlUrl}: ${res.status} ${text.slice(0, 500)}`);
  }
  if (body.errors?.length || !body.data) throw new Error(`${target.graphqlUrl}: ${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 1000)}`);
  return body.data;
}
