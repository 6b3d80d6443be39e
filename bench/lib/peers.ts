// The peer gateways, installed by the benchmark itself into bench/.peers/
// (git-ignored), never into the project's package.json. Versions are pinned
// to releases that run on Node 20 (the @whatwg-node packages moved to
// Node >= 22.15 in later releases, so they are held back by overrides, as in
// the project's own package.json).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR } from './paths.ts';

const run = promisify(execFile);

export const PEERS_DIR = join(BENCH_DIR, '.peers');

const NODE20_OVERRIDES = {
  '@whatwg-node/fetch': '0.10.13',
  '@whatwg-node/node-fetch': '0.8.6',
  '@whatwg-node/disposablestack': '0.0.6',
  '@whatwg-node/promise-helpers': '1.3.2',
  'sync-fetch': '0.6.0',
};

export interface PeerSpec {
  readonly name: 'hive' | 'mesh';
  readonly label: string;
  readonly dependencies: Record<string, string>;
}

export const PEERS: Record<'hive' | 'mesh', PeerSpec> = {
  hive: {
    name: 'hive',
    label: 'Hive Gateway 2.15 + @omnigraph/openapi',
    dependencies: {
      '@graphql-hive/gateway': '2.15.1',
      '@graphql-mesh/compose-cli': '1.8.2',
      '@omnigraph/openapi': '0.112.4',
      '@graphql-mesh/transport-rest': '0.12.2',
      graphql: '16.15.0',
    },
  },
  mesh: {
    name: 'mesh',
    label: 'GraphQL Mesh v0 CLI 0.103 + @graphql-mesh/openapi',
    dependencies: {
      '@graphql-mesh/cli': '0.103.2',
      '@graphql-mesh/openapi': '0.112.4',
      graphql: '16.15.0',
    },
  },
};

/** Installs one peer into bench/.peers/<name> unless the same pinned set is already there. Returns its folder. */
export async function ensurePeer(spec: PeerSpec, log: (line: string) => void = () => undefined): Promise<string> {
  const dir = join(PEERS_DIR, spec.name);
  await mkdir(dir, { recursive: true });
  const manifest = {
    name: `aep-graphql-bench-peer-${spec.name}`,
    private: true,
    type: 'module',
    dependencies: spec.dependencies,
    overrides: NODE20_OVERRIDES,
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestPath = join(dir, 'package.json');
  const stampPath = join(dir, 'node_modules', '.bench-installed');
  const current = existsSync(manifestPath) ? await readFile(manifestPath, 'utf8') : '';
  if (current === text && existsSync(stampPath) && (await readFile(stampPath, 'utf8')) === text) return dir;
  await writeFile(manifestPath, text);
  log(`installing ${spec.label} into ${dir} (npm install; first run only)`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  await writeFile(stampPath, text);
  return dir;
}
