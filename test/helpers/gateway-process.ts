// A gateway in its own process (`aep-graphql serve`, what `npm start` runs)
// in front of a test emulator: for tests that send it signals (SIGTERM,
// SIGKILL) or watch it exit. Its URL is the first stdout line that is one;
// its JSON log lines and stderr are kept for the test to read.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { TestEmulator } from './start-emulator.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const PROCESS_GATEWAY_KEY = 'process-test-gateway-key-0123456789';

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<GatewayProcess>();
afterAll(async () => {
  for (const gateway of running) if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
  await Promise.all([...running].map((gateway) => gateway.exited));
  running.clear();
});

export function startGatewayProcess(emulator: TestEmulator, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<GatewayProcess> {
  const client = emulator.settings.clients[0]!;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      PLATFORM_BASE_URL: emulator.url,
      IMS_URL: emulator.url,
      AEP_CLIENT_ID: client.clientId,
      AEP_CLIENT_SECRET: client.clientSecret,
      AEP_ORG_ID: emulator.settings.orgId,
      GATEWAY_API_KEYS: PROCESS_GATEWAY_KEY,
      BATCH_POLL_INTERVAL_MS: '200',
      BATCH_POLL_MAX_INTERVAL_MS: '400',
      LOG_LEVEL: 'info',
      PLAYGROUND: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let buffered = '';
    let url: string | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('{')) {
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // Not a log line.
          }
        } else if (url === undefined && /^http:\/\/\S+\/graphql$/.test(line)) {
          url = line;
          const started: GatewayProcess = { url, child, logs, stderr: () => stderr, exited };
          running.add(started);
          resolve(started);
        }
      }
    });
    void exited.then(({ code, signal }) => {
      if (url === undefined) reject(new Error(`the gateway exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}

/** A GraphQL request to a gateway process with its key; throws on errors. */
export async function gqlTo<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-api-key': PROCESS_GATEWAY_KEY }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}
