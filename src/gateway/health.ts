// Readiness: can the gateway reach its upstream? One cheap call (the caller's
// sandboxes), its answer reused for a few seconds so that probes cost nothing.
// Any HTTP answer below 500 counts as reachable: in pass-through mode the
// gateway has no credentials of its own, and a 401 still proves the Platform is up.
import type { PlatformClient } from '../platform/client.ts';
import { PlatformError } from '../platform/errors.ts';
import type { GatewayConfig } from './config.ts';

export interface ReadinessState {
  readonly ready: boolean;
  /** Why not, when not ready. */
  readonly reason?: string;
  readonly checkedAt: string;
}

export interface Readiness {
  check(): Promise<ReadinessState>;
}

export interface ReadinessOptions {
  readonly config: GatewayConfig;
  readonly platformClient: PlatformClient;
  /** @default 5_000 // ms */
  readonly cacheMs?: number;
  /** @default 3_000 // ms */
  readonly timeoutMs?: number;
}

const PROBE_ORG = '000000000000000000000000@AdobeOrg';

export function createReadiness(options: ReadinessOptions): Readiness {
  const { config, platformClient, cacheMs = 5_000, timeoutMs = 3_000 } = options;
  let last: { state: ReadinessState; at: number } | undefined;
  let running: Promise<ReadinessState> | undefined;

  async function probe(): Promise<ReadinessState> {
    const checkedAt = new Date().toISOString();
    const platform = platformClient.scoped({
      orgId: config.orgId ?? PROBE_ORG,
      sandbox: config.defaultSandbox,
      // Pass-through has no credentials of its own: a made-up token gets an honest 401, which is enough.
      ...(config.authMode === 'pass-through' ? { forwardedAuth: { authorization: 'Bearer readiness-probe', apiKey: 'readiness-probe' } } : {}),
    });
    try {
      await platform.sandboxes.listSandboxes({ signal: AbortSignal.timeout(timeoutMs) });
      return { ready: true, checkedAt };
    } catch (error) {
      if (error instanceof PlatformError && error.kind === 'http' && (error.status ?? 500) < 500) return { ready: true, checkedAt };
      const reason = error instanceof PlatformError ? `${error.kind}${error.status ? ` ${error.status}` : ''}` : 'unreachable';
      return { ready: false, reason: `the Platform is not reachable (${reason})`, checkedAt };
    }
  }

  return {
    async check() {
      const now = Date.now();
      if (last && now - last.at < cacheMs) return last.state;
      running ??= probe().finally(() => {
        running = undefined;
      });
      const state = await running;
      last = { state, at: Date.now() };
      return state;
    },
  };
}
