import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchToken, startEmulator, tempDataDir } from '../helpers/start-emulator.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'emulator', ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${stderr}`)));
  });
  // Runs that are expected to fail never print a line; only awaiting callers see the rejection.
  firstLine.catch(() => undefined);
  return { child, exited, firstLine, stderr: () => stderr };
}

describe('aep-graphql emulator (CLI)', async () => {
  const taken = await startEmulator();

  it('should print the URL first, serve requests, and exit cleanly on SIGTERM', async () => {
    const dataDir = tempDataDir();
    const cli = spawnCli(['--port', '0', '--data-dir', dataDir, '--no-seed'], { AEP_LOCAL_TENANT_ID: 'clitenant' });
    const url = await cli.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await fetchToken(url);
    const stats = await fetch(`${url}/data/foundation/schemaregistry/stats`, {
      headers: { authorization: `Bearer ${token}`, 'x-api-key': 'aep-local', 'x-gw-ims-org-id': '0DEC0DE0000000000000000A@AdobeOrg' },
    });
    expect(await stats.json()).toMatchObject({ tenantId: 'clitenant', counts: { schemas: 0, mixins: 0 } });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('should exit with code 1 and say why when the port is taken', async () => {
    const cli = spawnCli(['--port', String(taken.port), '--data-dir', tempDataDir()]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain(`port ${taken.port} is already in use`);
  });

  it('should refuse unknown flags and bad numbers with exit code 2', async () => {
    const unknown = spawnCli(['--nope']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain('usage');
    const badPort = spawnCli(['--port', 'abc']);
    expect(await badPort.exited).toBe(2);
  });
});
