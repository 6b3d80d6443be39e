// `npm start` as a user runs it: without Adobe credentials it starts the
// seeded emulator and the gateway in front of it, prints the GraphQL URL as
// the first line starting with http, answers queries, keeps its data in
// AEP_DATA_DIR across restarts, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/start-emulator.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = tempDataDir();
const running = new Set<ChildProcessWithoutNullStreams>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly stdout: () => string;
}

/** Starts `aep-graphql serve` the way `npm start` does, resolving with the URL it prints. */
function serve(): Promise<Started> {
  const env: Record<string, string | undefined> = { ...process.env, PORT: '0', EMULATOR_PORT: '0', AEP_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PLAYGROUND: 'false' };
  for (const name of ['AEP_CLIENT_ID', 'AEP_CLIENT_SECRET', 'AEP_ORG_ID', 'AUTH_MODE', 'GATEWAY_API_KEYS', 'NODE_ENV']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { cwd: ROOT, env });
  running.add(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = out.split('\n').find((line) => line.startsWith('http'));
      // The curl example is the last line printed at start.
      if (url && out.includes('curl')) resolve({ child, url: url.trim(), stdout: () => out });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing a URL:\n${out}\n${err}`)));
  });
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

async function query<T>(url: string, body: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe('the serve command without Adobe credentials', () => {
  it('should serve the seeded emulator, keep its data across restarts and stop on SIGTERM', async () => {
    const first = await serve();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(first.stdout().split('\n')[0]).toBe(first.url);

    const schemas = await query<{ data: { schemas: { nodes: Array<{ id: string; title: string }> } } }>(first.url, { query: '{ schemas(first: 10) { nodes { id title } } }' });
    const loyalty = schemas.data.schemas.nodes.find((s) => s.title === 'Loyalty Members');
    expect(loyalty).toBeDefined();
    const created = await query<{ data: { createDataset: { dataset: { id: string } } } }>(first.url, {
      query: 'mutation ($schemaId: ID!) { createDataset(input: { name: "kept", schemaId: $schemaId }) { dataset { id } } }',
      variables: { schemaId: loyalty!.id },
    });
    const id = created.data.createDataset.dataset.id;
    expect(await stop(first.child)).toBe(0);

    const second = await serve();
    const again = await query<{ data: { dataset: { name: string } | null } }>(second.url, { query: 'query ($id: ID!) { dataset(id: $id) { name } }', variables: { id } });
    expect(again.data.dataset?.name).toBe('kept');
    expect(await stop(second.child)).toBe(0);
  });
});
