// Where Authorization and x-api-key come from. Three strategies:
// - static: one token and API key for every call (a service token, the emulator's static tokens);
// - pass-through: the caller's own headers, carried in the scope;
// - oauth: OAuth Server-to-Server against Adobe IMS, with a cached token that
//   is refreshed before it expires, one refresh at a time however many calls wait.
// Tokens never appear in errors or logs: errors carry only what IMS said.
import { PlatformError } from './errors.ts';
import type { Http } from './http.ts';
import type { PlatformScope } from './types.ts';

export interface Credentials {
  /** The whole header value: 'Bearer <token>'. */
  readonly authorization: string;
  readonly apiKey: string;
}

export type AuthConfig =
  | { readonly mode: 'static'; readonly token: string; readonly apiKey: string }
  | { readonly mode: 'pass-through' }
  | {
      readonly mode: 'oauth';
      readonly clientId: string;
      readonly clientSecret: string;
      /** @default AEP_OAUTH_SCOPE */
      readonly scope?: string;
    };

export interface AuthStrategy {
  readonly mode: AuthConfig['mode'];
  /** The credentials for a call; synchronous whenever nothing has to be fetched (the hot path). */
  credentials(scope: PlatformScope): Credentials | Promise<Credentials>;
  /**
   * Called after a 401 answered a call made with `used`. Forgets them if
   * they are cached and says whether sending the call again may succeed.
   */
  invalidate(used: Credentials): boolean;
}

/** The scope string of an AEP OAuth Server-to-Server credential (platform-api.md §1.7). */
export const AEP_OAUTH_SCOPE = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';

export const DEFAULT_IMS_URL = 'https://ims-na1.adobelogin.com';

function bearer(token: string): string {
  return /^bearer /i.test(token) ? token : `Bearer ${token}`;
}

export function createStaticAuth(token: string, apiKey: string): AuthStrategy {
  const credentials: Credentials = Object.freeze({ authorization: bearer(token), apiKey });
  return {
    mode: 'static',
    credentials: () => credentials,
    invalidate: () => false,
  };
}

/**
 * Refuses a call without forwarded credentials before it is sent, with the
 * answer the Platform's gateway would give (403010 "Oauth token is missing."
 * or 403000 "Api Key is required") but status 401: the caller is not
 * authenticated, and nothing went upstream.
 */
function missingForwardedAuth(hasToken: boolean): PlatformError {
  const [aepCode, message] = hasToken ? ['403000', 'Api Key is required'] : ['403010', 'Oauth token is missing.'];
  return new PlatformError(`Not sent: ${message} (pass-through mode forwards the caller's Authorization and x-api-key)`, {
    kind: 'http',
    api: 'ims',
    status: 401,
    aepCode,
    title: message,
    detail: message,
  });
}

export function createPassThroughAuth(): AuthStrategy {
  return {
    mode: 'pass-through',
    credentials(scope) {
      // The forwarded headers have the Credentials shape already: no copy per call.
      const forwarded = scope.forwardedAuth;
      if (forwarded?.authorization && forwarded.apiKey) return forwarded;
      throw missingForwardedAuth(Boolean(forwarded?.authorization));
    },
    // The caller's token is the caller's business: a 401 goes back to them.
    invalidate: () => false,
  };
}

export interface OAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** @default AEP_OAUTH_SCOPE */
  readonly scope?: string;
  /** Talks to IMS (baseUrl = the IMS URL, no auth). */
  readonly ims: Http;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

interface CachedToken {
  readonly credentials: Credentials;
  /** When callers stop using it and fetch a new one. */
  readonly refreshAt: number;
  /** When it stops working; until then it is a fallback if a refresh fails. */
  readonly expiresAt: number;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
}

/** Refresh this long before expiry: 60 seconds, or a tenth of a short lifetime. */
function refreshLeadMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

export function createOAuthAuth(options: OAuthOptions): AuthStrategy {
  const { clientId, clientSecret, ims } = options;
  const now = options.now ?? Date.now;
  const form = new URLSearchParams({
    client_id: clientId,
    client_secret: clientSecret,
    grant_type: 'client_credentials',
    scope: options.scope ?? AEP_OAUTH_SCOPE,
  }).toString();
  let current: CachedToken | null = null;
  let inflight: Promise<Credentials> | null = null;

  async function fetchToken(): Promise<CachedToken> {
    let body: TokenResponse;
    try {
      body = await ims.json<TokenResponse>({
        api: 'ims',
        method: 'POST',
        path: '/ims/token/v3',
        route: '/ims/token/v3',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        // Asking for a token twice has no side effect.
        idempotent: true,
      });
    } catch (error) {
      throw asAuthError(error);
    }
    const token = body?.access_token;
    const expiresIn = Number(body?.expires_in);
    if (typeof token !== 'string' || token === '' || !(expiresIn > 0)) {
      throw new PlatformError('IMS answered without an access token', {
        kind: 'auth',
        api: 'ims',
        status: 503,
        title: 'Invalid token response',
        detail: 'The IMS response had no access_token or expires_in.',
      });
    }
    const obtained = now();
    const lifetimeMs = expiresIn * 1000;
    return {
      credentials: Object.freeze({ authorization: bearer(token), apiKey: clientId }),
      refreshAt: obtained + lifetimeMs - refreshLeadMs(lifetimeMs),
      expiresAt: obtained + lifetimeMs,
    };
  }

  /** One request to IMS at a time; every caller that arrives meanwhile shares it. */
  function refresh(): Promise<Credentials> {
    inflight ??= fetchToken().then(
      (token) => {
        current = token;
        inflight = null;
        return token.credentials;
      },
      (error: unknown) => {
        inflight = null;
        throw error;
      },
    );
    return inflight;
  }

  return {
    mode: 'oauth',
    credentials() {
      const token = current;
      const t = now();
      if (token && t < token.refreshAt) return token.credentials;
      if (token && t < token.expiresAt) {
        // Due for refresh but still valid: if IMS is down, keep using it.
        return refresh().catch((error: unknown) => {
          if (now() < token.expiresAt) return token.credentials;
          throw error;
        });
      }
      return refresh();
    },
    invalidate(used) {
      if (current?.credentials === used) current = null;
      return true;
    },
  };
}

/** IMS refusing the credentials is a 401 for our caller; IMS being unreachable or failing is a 503. */
function asAuthError(error: unknown): unknown {
  if (!(error instanceof PlatformError)) return error;
  const refused = error.kind === 'http' && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429;
  return new PlatformError(refused ? `IMS refused the client credentials${error.aepCode ? ` (${error.aepCode})` : ''}` : 'IMS is unavailable', {
    kind: 'auth',
    api: 'ims',
    status: refused ? 401 : 503,
    aepCode: error.aepCode,
    title: error.title,
    detail: error.detail,
    requestId: error.requestId,
    retryAfterSeconds: error.retryAfterSeconds,
    code: error.code,
    cause: error,
  });
}

export interface AuthFactoryOptions {
  /** Needed by the oauth mode only. */
  readonly ims?: Http;
  readonly now?: () => number;
}

export function createAuth(config: AuthConfig, options: AuthFactoryOptions = {}): AuthStrategy {
  switch (config.mode) {
    case 'static':
      return createStaticAuth(config.token, config.apiKey);
    case 'pass-through':
      return createPassThroughAuth();
    case 'oauth': {
      if (!options.ims) throw new TypeError('oauth mode needs an IMS client');
      return createOAuthAuth({ ...config, ims: options.ims, now: options.now });
    }
    default: {
      const unknown: never = config;
      throw new TypeError(`Unknown auth mode: ${(unknown as { mode: string }).mode}`);
    }
  }
}
