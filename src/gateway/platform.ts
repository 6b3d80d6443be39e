// Builds the process's Platform client from the gateway configuration: one
// client, one connection pool per upstream origin, created once.
import { createPlatformClient } from '../platform/index.ts';
import type { AuthConfig, PlatformClientOptions } from '../platform/index.ts';
import type { PlatformClient } from '../platform/client.ts';
import type { GatewayConfig } from './config.ts';

export function platformAuthFor(config: GatewayConfig): AuthConfig {
  switch (config.authMode) {
    case 'pass-through':
      return { mode: 'pass-through' };
    case 'static':
      return { mode: 'static', token: config.accessToken ?? '', apiKey: config.apiKey ?? '' };
    case 'oauth':
      return { mode: 'oauth', clientId: config.clientId ?? '', clientSecret: config.clientSecret ?? '', scope: config.imsScope };
  }
}

export function createPlatformClientFor(config: GatewayConfig, extra: Partial<PlatformClientOptions> = {}): PlatformClient {
  return createPlatformClient({
    baseUrl: config.platformBaseUrl,
    imsUrl: config.imsUrl,
    auth: platformAuthFor(config),
    timeouts: { headers: config.upstreamTimeoutMs, body: config.upstreamTimeoutMs },
    smallFileLimit: config.smallFileLimit,
    partSize: config.uploadPartSize,
    ...extra,
  });
}
