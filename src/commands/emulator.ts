// `aep-graphql emulator`: runs the local Platform until SIGINT/SIGTERM.
// The first stdout line is the base URL (tools read it); the credentials
// to use follow.
import { parseArgs } from 'node:util';
import { createEmulator } from '../emulator/server.ts';
import type { EmulatorOptions } from '../emulator/options.ts';

const USAGE = `usage: aep-graphql emulator [options]
  --port <n>                 listen port (default 4001; 0 = any free port)   env EMULATOR_PORT
  --host <host>              listen address (default 127.0.0.1)
  --data-dir <dir>           where data lives (default ./.aep-data/emulator)  env AEP_DATA_DIR
  --seed / --no-seed         seed the Loyalty Members schema (default on)
  --faults                   enable fault injection, request counters and /__emulator
  --processing-delay-ms <n>  delay between batch states (default 200)
  --small-file-limit <n>     bytes above which uploads need the large-file protocol
  --token-lifetime <s>       IMS token lifetime in seconds (default 86399)
  --log                      one line per request on stderr
env AEP_LOCAL_CLIENT_ID, AEP_LOCAL_CLIENT_SECRET, AEP_LOCAL_ORG_ID, AEP_LOCAL_TENANT_ID set the credentials.`;

function integer(name: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

/** Flags first, then the environment, then the defaults of options.ts. */
export function parseEmulatorArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      seed: { type: 'boolean' },
      faults: { type: 'boolean' },
      'processing-delay-ms': { type: 'string' },
      'small-file-limit': { type: 'string' },
      'token-lifetime': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const clientId = env.AEP_LOCAL_CLIENT_ID;
  const clientSecret = env.AEP_LOCAL_CLIENT_SECRET;
  return {
    port: integer('--port', values.port ?? env.EMULATOR_PORT) ?? 4001,
    host: values.host,
    dataDir: values['data-dir'] ?? env.AEP_DATA_DIR ?? './.aep-data/emulator',
    seed: values.seed ?? true,
    faults: values.faults ?? false,
    log: values.log ?? false,
    processingDelayMs: integer('--processing-delay-ms', values['processing-delay-ms']),
    smallFileLimit: integer('--small-file-limit', values['small-file-limit'], 1),
    tokenLifetimeSeconds: integer('--token-lifetime', values['token-lifetime'], 1),
    orgId: env.AEP_LOCAL_ORG_ID || undefined,
    tenantId: env.AEP_LOCAL_TENANT_ID || undefined,
    clients: clientId || clientSecret ? [{ clientId: clientId || 'aep-local', clientSecret: clientSecret || 'aep-local-secret' }] : undefined,
  };
}

export async function run(argv: string[]): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseEmulatorArgs(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Unset values must not override the defaults.
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as EmulatorOptions;
  let emulator: Awaited<ReturnType<typeof createEmulator>>;
  try {
    emulator = await createEmulator(defined);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? `port ${defined.port} is already in use` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`emulator: cannot start: ${reason}\n`);
    process.exitCode = 1;
    return;
  }
  const { settings } = emulator;
  const client = settings.clients[0];
  process.stdout.write(
    [
      emulator.url,
      `AEP emulator listening; data in ${settings.dataDir}`,
      `  IMS token URL:    ${emulator.url}/ims/token/v3`,
      `  client id:        ${client?.clientId ?? ''} (also the x-api-key)`,
      `  client secret:    ${client?.clientSecret ?? ''}`,
      `  org id:           ${settings.orgId}`,
      `  tenant id:        ${settings.tenantId}`,
      `  sandboxes:        prod (default), ${settings.devSandboxName}`,
      settings.faults ? `  fault injection:  ${emulator.url}/__emulator/faults` : '',
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
