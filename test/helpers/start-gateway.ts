// Starts the real gateway on port 0 against a running emulator, in oauth mode
// with the emulator's local credentials unless told otherwise, and gives tests
// a GraphQL client (graphql-request) that returns errors instead of throwing.
import { ClientError, GraphQLClient } from 'graphql-request';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/gateway/config.ts';
import type { Env, GatewayConfig } from '../../src/gateway/config.ts';
import { createGateway } from '../../src/gateway/server.ts';
import type { Gateway, GatewayDeps } from '../../src/gateway/server.ts';
import { postMultipart } from './multipart.ts';
import type { MultipartFile, MultipartOperation, MultipartResult } from './multipart.ts';

/** The gateway key tests present in the oauth and static modes. */
export const TEST_GATEWAY_KEY = 'test-gateway-key-0123456789';

export interface EmulatorTarget {
  readonly url: string;
  readonly settings: { readonly orgId: string; readonly clients: ReadonlyArray<{ readonly clientId: string; readonly clientSecret: string }> };
}

export interface StartGatewayOptions extends Partial<GatewayConfig> {
  readonly emulator: EmulatorTarget;
  /** Extra environment for loadConfig (applied before the config overrides). */
  readonly env?: Env;
  readonly logger?: Logger;
  /** GatewayDeps.playground (`emulator: true`: the playground's emulator-mode headers and label). */
  readonly playgroundDeps?: GatewayDeps['playground'];
}

export interface GqlResult<T> {
  readonly status: number;
  readonly data: T | null;
  readonly errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown>; path?: ReadonlyArray<string | number> }>;
}

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  readonly url: string;
  /** The headers every request sends unless overridden (the gateway key, in oauth/static modes). */
  readonly defaultHeaders: Readonly<Record<string, string>>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  /** Like gql, but fails the test on any error and returns the data. */
  gqlOk<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T>;
  upload<T = Record<string, unknown>>(operation: MultipartOperation, files: readonly MultipartFile[], headers?: Record<string, string>): Promise<MultipartResult<T>>;
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { emulator, env = {}, logger, playgroundDeps, ...overrides } = options;
  const client = emulator.settings.clients[0]!;
  const base = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PLATFORM_BASE_URL: emulator.url,
    IMS_URL: emulator.url,
    AUTH_MODE: 'oauth',
    AEP_CLIENT_ID: client.clientId,
    AEP_CLIENT_SECRET: client.clientSecret,
    AEP_ORG_ID: emulator.settings.orgId,
    GATEWAY_API_KEYS: TEST_GATEWAY_KEY,
    ...env,
  });
  const config: GatewayConfig = Object.freeze({ ...base, ...overrides });
  const gateway = createGateway(config, { ...(logger ? { logger } : {}), ...(playgroundDeps ? { playground: playgroundDeps } : {}) });
  const url = await gateway.start();
  const defaultHeaders: Record<string, string> = config.authMode === 'pass-through' || config.open ? {} : { 'x-gateway-api-key': TEST_GATEWAY_KEY };

  async function gql<T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResult<T>> {
    const client = new GraphQLClient(url, { headers: { ...defaultHeaders, ...headers }, errorPolicy: 'all' });
    try {
      const response = await client.rawRequest<T>(query, variables);
      return { status: response.status, data: response.data ?? null, ...(response.errors ? { errors: response.errors as GqlResult<T>['errors'] } : {}) };
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      const { response } = error;
      return { status: response.status, data: (response.data as T | undefined) ?? null, ...(response.errors ? { errors: response.errors as GqlResult<T>['errors'] } : {}) };
    }
  }

  return {
    gateway,
    config,
    url,
    defaultHeaders,
    gql,
    async gqlOk<T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const result = await gql<T>(query, variables, headers);
      if (result.errors?.length || result.data === null) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? 'no data')}`);
      return result.data;
    },
    upload: (operation, files, headers = {}) => postMultipart(url, operation, files, { ...defaultHeaders, ...headers }),
    close: () => gateway.stop(),
  };
}
