// The gateway's upstream resilience, built from its configuration: one
// circuit breaker per Platform API and a retry budget (both in
// src/platform), with every breaker change logged and both visible in the
// metrics. Shared by every request of the instance.
import type { Logger } from 'pino';
import { createCircuitBreakers, createRetryBudget } from '../platform/index.ts';
import type { CircuitBreakers, RetryBudget } from '../platform/index.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayMetrics } from './metrics.ts';

export interface UpstreamResilience {
  readonly breakers: CircuitBreakers;
  readonly retryBudget: RetryBudget;
}

export function createUpstreamResilience(
  config: Pick<GatewayConfig, 'breakerFailures' | 'breakerCooldownMs' | 'retryBudgetRatio'>,
  deps: { readonly logger: Logger; readonly metrics?: GatewayMetrics },
): UpstreamResilience {
  const breakers = createCircuitBreakers({
    failureThreshold: config.breakerFailures,
    cooldownMs: config.breakerCooldownMs,
    onStateChange: (api, from, to) => {
      const fields = { api, from, to, cooldownMs: config.breakerCooldownMs };
      if (to === 'open') deps.logger.warn(fields, 'upstream circuit breaker opened: failing fast');
      else deps.logger.info(fields, 'upstream circuit breaker changed state');
    },
  });
  const retryBudget = createRetryBudget({ ratio: config.retryBudgetRatio });
  deps.metrics?.setUpstreamStats(() => ({ breakers: breakers.stats(), retryBudget: retryBudget.stats() }));
  return { breakers, retryBudget };
}
