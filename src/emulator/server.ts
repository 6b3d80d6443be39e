// The local Platform: one node:http server, a find-my-way router, the
// gateway checks, and the route modules, over one SQLite database.
//
// What route modules can rely on (keep stable):
// - routes/types.ts: `register(routes: RouteTable, ctx: EmulatorContext)`;
//   `routes.platform(method, fullPath, handler, { sandboxOptional? })` runs the
//   gateway checks first and sets `req.scope` ({ orgId, clientId, sandbox:
//   { name, id, type } }); `routes.open(...)` has no checks.
// - ctx: { settings, db, filesDir, now(), track(promise) }.
// - store/paths.ts: `safeRelativePath(name): string` and
//   `resolveUnder(root, ...names): string` (400 on unsafe names).
// - schema-registry/index.ts: `createSchemaRegistryStore(ctx): SchemaRegistryStore`
//   (one instance per ctx) with
//     `resolveSchema(scope: RequestScope, schemaId: string): ResolvedSchema | null`
//       (schemaId = $id or meta:altId; the xed-full view: properties merged,
//       meta:xdmType on every field, `required` kept), and
//     `markSchemaInUse(scope: RequestScope, schemaId: string): void`
//       (after data was ingested: from then on only additive changes).
// - Throw EmulatorError (errors.ts) for any Platform error; anything else is a 500.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import FindMyWay from 'find-my-way';
import { createTokenStore } from './auth.ts';
import { EmulatorError, legacyError } from './errors.ts';
import { createFaultController, createRequestCounters, faultError } from './faults.ts';
import type { FaultController } from './faults.ts';
import { createGatewayCheck } from './gateway-checks.ts';
import { sendJson } from './http.ts';
import type { EmulatorRequest, RequestScope, RouteHandler } from './http.ts';
import { resolveEmulatorOptions } from './options.ts';
import type { EmulatorOptions, EmulatorSettings } from './options.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { register as registerCatalogBatchRoutes } from './routes/catalog-batches.ts';
import { register as registerCatalogRoutes } from './routes/catalog.ts';
import { register as registerDataAccessRoutes } from './routes/data-access.ts';
import { register as registerIngestionRoutes } from './routes/ingestion.ts';
import { createImsRoutes } from './routes/ims.ts';
import { registerOpenApiRoutes } from './routes/openapi.ts';
import { createSandboxRoutes } from './routes/sandboxes.ts';
import { createSchemaRegistryRoutes } from './routes/schema-registry.ts';
import type { EmulatorContext, Method, PlatformRouteOptions, RegisterRoutes, RouteTable } from './routes/types.ts';
import { openStorage } from './store/db.ts';
import type { EmulatorStorage } from './store/db.ts';
import { createSandboxReset } from './store/sandbox-reset.ts';
import { createSandboxStore } from './store/sandboxes.ts';
import { createSchemaRegistryStore } from './schema-registry/index.ts';
import type { SchemaRegistryStore } from './schema-registry/index.ts';

export interface Emulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly settings: EmulatorSettings;
  /** Fault rules; they only take effect when settings.faults is on. */
  readonly faults: FaultController;
  /** Requests per route pattern and method ('GET /data/foundation/catalog/dataSets/:id'); empty unless settings.faults. */
  counters(): Record<string, number>;
  resetCounters(): void;
  /** The Schema Registry store, for in-process tests and tools (the same instance the routes use). */
  readonly schemaRegistry: SchemaRegistryStore;
  /** The scope a request from the first configured client in `sandbox` gets (for in-process calls into stores). */
  scopeFor(sandbox?: string): RequestScope;
  /** Stops accepting connections, lets in-flight requests and tracked work finish, closes the database. */
  close(): Promise<void>;
}

/** The Platform rejects longer request URLs with 414. */
const MAX_URL_LENGTH = 2000;
/** Keep-alive connections that still have a request running get this long to finish at close. */
const CLOSE_GRACE_MS = 5_000;

interface RouteStore {
  readonly key: string;
  readonly handler: RouteHandler;
  readonly gateway: boolean;
  readonly sandboxOptional: boolean;
}

const EMPTY_QUERY = '';

function writeError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    // Half a response cannot be fixed: cut the connection so the client sees the failure.
    res.destroy();
    return;
  }
  // Refused before its body was read to the end (a file over the size limit, say): the rest of the
  // body would be read as the next request. Close the connection after this answer, as servers do,
  // rather than read what could be gigabytes only to drop them.
  if (!req.complete) res.setHeader('connection', 'close');
  if (error instanceof EmulatorError) {
    sendJson(res, error.status, error.body, error.headers);
    return;
  }
  process.stderr.write(`emulator: unhandled error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  const internal = legacyError(500, 'An internal error occurred');
  sendJson(res, 500, internal.body);
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveEmulatorOptions(options);
  const storage = openStorage(settings.dataDir);
  const inFlightWork = new Set<Promise<unknown>>();
  const ctx: EmulatorContext = {
    settings,
    db: storage.db,
    filesDir: storage.filesDir,
    now: Date.now,
    track(work) {
      inFlightWork.add(work);
      const forget = () => inFlightWork.delete(work);
      work.then(forget, forget);
    },
  };

  try {
    return await start(settings, storage, ctx, inFlightWork);
  } catch (error) {
    // A port in use or a failing module must not leave the database open.
    storage.close();
    throw error;
  }
}

async function start(
  settings: EmulatorSettings,
  storage: EmulatorStorage,
  ctx: EmulatorContext,
  inFlightWork: Set<Promise<unknown>>,
): Promise<Emulator> {
  const tokens = createTokenStore(storage.db, settings, ctx.now);
  const sandboxes = createSandboxStore(storage.db, settings, ctx.now);
  const checkGateway = createGatewayCheck(tokens, sandboxes, settings);
  const faults = createFaultController();
  const counters = createRequestCounters();

  const router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: MAX_URL_LENGTH, caseSensitive: true });
  const add = (method: Method | Method[], path: string, store: Omit<RouteStore, 'key'>) => {
    for (const m of [method].flat()) {
      router.on(m, path, () => undefined, { ...store, key: `${m} ${path}` } satisfies RouteStore);
    }
  };
  const routes: RouteTable = {
    platform(method, path, handler, opts: PlatformRouteOptions = {}) {
      add(method, path, { handler, gateway: true, sandboxOptional: opts.sandboxOptional ?? false });
    },
    open(method, path, handler) {
      add(method, path, { handler, gateway: false, sandboxOptional: true });
    },
  };

  // Only the built-in sandboxes get the tutorial schema; sandboxes created through the API start empty.
  const seeded = [sandboxes.defaultSandbox, sandboxes.get(settings.devSandboxName)].filter((s) => s !== undefined);
  const resets = createSandboxReset(ctx, { sandboxes, seeded: settings.seed ? seeded.map((s) => s.name) : [] });
  const modules: RegisterRoutes[] = [
    createImsRoutes(tokens, settings.orgId, ctx.now),
    createSandboxRoutes(sandboxes, resets),
    createSchemaRegistryRoutes({ sandboxes: seeded }),
    registerCatalogRoutes,
    registerCatalogBatchRoutes,
    registerIngestionRoutes,
    registerDataAccessRoutes,
    registerOpenApiRoutes,
  ];
  for (const register of modules) register(routes, ctx);
  if (settings.faults) registerAdminRoutes(routes, { faults, counters });

  async function handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = raw.url ?? '/';
    const method = raw.method ?? 'GET';
    if (url.length > MAX_URL_LENGTH) throw legacyError(414, `Request URL longer than ${MAX_URL_LENGTH} characters`);
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const found = router.find(method as Method, path);
    const route = found?.store as RouteStore | undefined;
    if (settings.faults) {
      counters.increment(route ? route.key : `${method} (no route)`);
      if (!path.startsWith('/__emulator/')) {
        const decision = faults.decide(method, path);
        if (decision) {
          if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
          if (decision.respond === 'reset') {
            raw.socket.destroy();
            return;
          }
          const injected = faultError(decision);
          if (injected) throw injected;
        }
      }
    }
    if (!found || !route) throw legacyError(404, `No route for ${method} ${path}`);
    const scope = route.gateway ? checkGateway(raw, route.sandboxOptional) : undefined;
    const request: EmulatorRequest = {
      method,
      path,
      query: new URLSearchParams(q === -1 ? EMPTY_QUERY : url.slice(q + 1)),
      headers: raw.headers,
      params: found.params,
      raw,
      origin: `http://${raw.headers.host ?? `${settings.host}:${port}`}`,
      // Open routes have no scope; their handlers never read it.
      scope: scope as RequestScope,
    };
    await route.handler(request, res);
  }

  const server = createServer({ keepAlive: true }, (raw, res) => {
    // The Platform tags every response; clients put the id into their errors. A caller's own id is kept.
    const requestId = raw.headers['x-request-id'];
    res.setHeader('x-request-id', typeof requestId === 'string' && requestId.length <= 128 ? requestId : randomUUID());
    const started = settings.log ? performance.now() : 0;
    if (settings.log) {
      res.once('finish', () => {
        process.stderr.write(`${raw.method} ${raw.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms\n`);
      });
    }
    handle(raw, res).catch((error: unknown) => writeError(raw, res, error));
  });
  server.keepAliveTimeout = 65_000;

  // Node counts a connection as idle only between two requests; one opened by a
  // client pool that never sent anything would hold close() for the whole grace
  // period. Track which sockets have a request running, so close() can drop the rest.
  const openSockets = new Set<Socket>();
  const busySockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    openSockets.add(socket);
    socket.once('close', () => {
      openSockets.delete(socket);
      busySockets.delete(socket);
    });
  });
  server.on('request', (raw, res) => {
    busySockets.add(raw.socket);
    res.once('close', () => busySockets.delete(raw.socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = settings.host.includes(':') ? `[${settings.host}]` : settings.host;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const socket of openSockets) if (!busySockets.has(socket)) socket.destroy();
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    await stopped;
    clearTimeout(force);
    while (inFlightWork.size > 0) await Promise.allSettled([...inFlightWork]);
    storage.close();
  }

  return {
    url: `http://${urlHost}:${port}`,
    port,
    settings,
    faults,
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    schemaRegistry: createSchemaRegistryStore(ctx),
    scopeFor(name = sandboxes.defaultSandbox.name) {
      const sandbox = sandboxes.getActive(name);
      if (!sandbox) throw new Error(`no active sandbox named ${name}`);
      return { orgId: settings.orgId, clientId: settings.clients[0]?.clientId ?? 'aep-local', sandbox };
    },
    close: () => (closing ??= close()),
  };
}
