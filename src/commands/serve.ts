// `aep-graphql serve` (what `npm start` runs).
//
// Without Adobe credentials in the environment (AEP_CLIENT_ID,
// AEP_CLIENT_SECRET, AEP_ORG_ID), it starts the embedded emulator (seeded,
// data kept in AEP_DATA_DIR, default ./.aep-data, on EMULATOR_PORT, default
// 4001) and the gateway in front of it, in oauth mode against the emulator's
// IMS with the emulator's local credentials, so the real token path runs.
// The gateway then runs open (no gateway key) unless GATEWAY_API_KEYS is set,
// on a loopback HOST only.
//
// With those credentials, it serves the real Platform (https://platform.adobe.io
// unless PLATFORM_BASE_URL says otherwise) in oauth mode; clients then need a
// gateway key (GATEWAY_API_KEYS).
//
// SIGINT/SIGTERM stop the gateway (new requests refused with 503, subscriptions
// completed, running requests and uploads finish within SHUTDOWN_TIMEOUT_MS),
// then the emulator; the process then exits 0.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmulator } from '../emulator/server.ts';
import { loadConfig } from '../gateway/config.ts';
import type { Env } from '../gateway/config.ts';
import { createGateway } from '../gateway/server.ts';

/** The emulator's default local credentials (src/emulator/options.ts). */
const LOCAL = {
  clientId: 'aep-local',
  clientSecret: 'aep-local-secret',
  orgId: '0DEC0DE0000000000000000A@AdobeOrg',
};

const USAGE = `usage: aep-graphql serve [--port <gateway port>] [--emulator-port <port>] [--data-dir <dir>]

Environment: see docs/configuration.md. Without AEP_CLIENT_ID/AEP_CLIENT_SECRET/AEP_ORG_ID
the gateway runs on the embedded, seeded emulator.
`;

/** Past SHUTDOWN_TIMEOUT_MS, how long closing the pools and the emulator may take before the process exits anyway. */
const FORCE_EXIT_MARGIN_MS = 10_000;

function hasAdobeCredentials(env: Env): boolean {
  return Boolean(env.AEP_CLIENT_ID && env.AEP_CLIENT_SECRET && env.AEP_ORG_ID);
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new Error(`${name} must be a port number, got ${JSON.stringify(value)}`);
  return parsed;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'emulator-port': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }

  const env: Record<string, string | undefined> = { ...process.env, ...(values.port ? { PORT: values.port } : {}) };
  const local = !hasAdobeCredentials(env);
  let emulator: { url: string; close(): Promise<void> } | undefined;

  if (local) {
    const dataDir = resolve(values['data-dir'] ?? env.AEP_DATA_DIR ?? '.aep-data');
    emulator = await createEmulator({
      port: port(values['emulator-port'] ?? env.EMULATOR_PORT, 4001, 'EMULATOR_PORT'),
      host: '127.0.0.1',
      dataDir,
      seed: true,
    });
    Object.assign(env, {
      PLATFORM_BASE_URL: emulator.url,
      IMS_URL: emulator.url,
      AUTH_MODE: 'oauth',
      AEP_CLIENT_ID: LOCAL.clientId,
      AEP_CLIENT_SECRET: LOCAL.clientSecret,
      AEP_ORG_ID: LOCAL.orgId,
      GATEWAY_OPEN: env.GATEWAY_API_KEYS ? env.GATEWAY_OPEN : 'true',
      // The emulator moves a batch on every few hundred milliseconds, not minutes: poll it often.
      BATCH_POLL_INTERVAL_MS: env.BATCH_POLL_INTERVAL_MS ?? '250',
    });
    process.stderr.write(`emulator: ${emulator.url} (data in ${dataDir})\n`);
  } else {
    env.AUTH_MODE ??= 'oauth';
  }

  let gateway;
  let shutdownTimeoutMs: number;
  try {
    const config = loadConfig(env);
    shutdownTimeoutMs = config.shutdownTimeoutMs;
    gateway = createGateway(config, { playground: { emulator: local } });
    const url = await gateway.start();
    const keyHeader = env.GATEWAY_API_KEYS && !(local && env.GATEWAY_OPEN === 'true') ? ` -H 'x-gateway-api-key: <key>'` : '';
    process.stdout.write(`${url}\n`);
    if (config.playground) process.stdout.write(`playground: open ${url} in a browser (upload page: ${new URL('/playground/upload', url).href})\n`);
    process.stdout.write(`try: curl -s ${url} -H 'content-type: application/json'${keyHeader} -d '{"query":"{ schemas(first: 5) { nodes { id title } } }"}'\n`);
  } catch (error) {
    await emulator?.close();
    throw error;
  }

  const running = gateway;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    // The gateway cuts off what still runs at SHUTDOWN_TIMEOUT_MS; a stop that hangs even then ends the process anyway.
    const force = setTimeout(() => {
      process.stderr.write(`${signal}: not stopped ${FORCE_EXIT_MARGIN_MS} ms past SHUTDOWN_TIMEOUT_MS: exiting now\n`);
      process.exit(1);
    }, shutdownTimeoutMs + FORCE_EXIT_MARGIN_MS);
    force.unref();
    try {
      await running.stop();
      await emulator?.close();
    } finally {
      clearTimeout(force);
    }
  };
  // `on`, not `once`: a listener must stay installed, or a second signal (or a
  // loader's own handler) would end the process before the graceful stop is done.
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}
