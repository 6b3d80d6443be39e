// Tests that need a system service (Redis, Chromium) call these. Where the
// service is missing they skip with a printed reason; under CI=true a skip is
// not allowed, so they fail instead (.ci/run also refuses any skipped test).
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function tcpAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Returns null when the service is there, else the reason it is not. */
export async function redisMissing(): Promise<string | null> {
  const url = new URL(REDIS_URL);
  const ok = await tcpAnswers(url.hostname, Number(url.port || 6379));
  return ok ? null : `no Redis answers at ${REDIS_URL}`;
}

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

/**
 * Decides whether a suite runs: `describe.skipIf(skipReason)(...)` with the
 * reason printed. Under CI it throws, so that a missing service fails the run.
 */
export function serviceGate(reason: string | null, suite: string): boolean {
  if (reason === null) return false;
  if (process.env.CI) throw new Error(`${suite} needs a service that is missing in CI: ${reason}`);
  process.stdout.write(`skipping ${suite}: ${reason}\n`);
  return true;
}
