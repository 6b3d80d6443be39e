// The gateway's structured JSON logger (pino). Credentials never reach a log
// line: the gateway logs no headers, and these paths are redacted anyway in
// case an object carrying them is logged by mistake.
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.ts';

export const REDACTED_PATHS = [
  'authorization',
  'token',
  'accessToken',
  'access_token',
  'apiKey',
  'clientSecret',
  'client_secret',
  '*.authorization',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.apiKey',
  '*.clientSecret',
  '*.client_secret',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-gateway-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-gateway-api-key"]',
];

/** Writes to stdout unless a destination is given (tests capture lines with one). */
export function createLogger(config: Pick<GatewayConfig, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options = { level: config.logLevel, base: { service: 'aep-graphql' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
