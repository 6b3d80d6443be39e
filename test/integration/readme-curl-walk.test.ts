// The README's curl walk through the tutorial, run as written: the block
// between the curl-walk markers goes to bash with AEP pointing at an emulator
// on port 0, in an empty folder. It must end with the batch at success and
// the downloaded file holding the Parquet bytes Data Access served.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';

const run = promisify(execFile);

function readmeCurlWalk(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- curl-walk:start -->\n```sh\n([\s\S]*?)```\n<!-- curl-walk:end -->/.exec(readme);
  if (!block?.[1]) throw new Error('README.md has no curl-walk block');
  return block[1];
}

describe('README curl walk', () => {
  it('creates a dataset and a batch, ingests the file and downloads it again', async () => {
    const emulator = await startEmulator();
    const folder = mkdtempSync(join(tmpdir(), 'aep-curl-walk-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    const { stdout } = await run('bash', ['-e', '-c', readmeCurlWalk()], {
      cwd: folder,
      env: { ...process.env, AEP: emulator.url },
      timeout: 60_000,
    });

    const schema = JSON.parse(stdout.split('\n')[0]!) as { title: string };
    expect(schema.title).toBe('Loyalty Members');
    expect(stdout).toMatch(/^batch \w+: success$/m);
    const downloaded = readFileSync(join(folder, 'members.parquet'));
    expect(downloaded.length).toBeGreaterThan(0);
    expect(downloaded.subarray(0, 4).toString()).toBe('PAR1');
  }, 90_000);
});
