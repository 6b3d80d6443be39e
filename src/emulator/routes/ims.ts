// Adobe IMS, OAuth Server-to-Server (platform-api.md §1.7): POST /ims/token/v3
// with client_credentials, parameters in the form body or the query string.
// Errors are OAuth-style `{error, error_description}` (RFC 6749 §5.2, the
// real IMS body is not documented): 400 for a malformed request, 401 for a
// wrong client or secret. Also the deprecated JWT exchange (§1.8), whose
// `expires_in` is in milliseconds.
import type { ServerResponse } from 'node:http';
import type { TokenStore } from '../auth.ts';
import { mediaType, readBody, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const REQUIRED = ['grant_type', 'client_id', 'client_secret', 'scope'] as const;
// Only the form's few parameters are expected; anything longer is not a token request.
const BODY_LIMIT = 64 * 1024;

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description }, { 'cache-control': 'no-store' });
}

async function readParams(req: EmulatorRequest): Promise<URLSearchParams | null> {
  const params = new URLSearchParams(req.query);
  const body = await readBody(req, BODY_LIMIT);
  if (body.length === 0) return params;
  const type = mediaType(req);
  if (type !== 'application/x-www-form-urlencoded' && type !== undefined) return null;
  // Body parameters win over the query string, as the body is the recommended place.
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
  return params;
}

interface JwtClaims {
  iss?: unknown;
  exp?: unknown;
}

/**
 * The claims of a JWT, or why it is not one. The emulator has no service
 * account keys, so the signature is not verified: only the shape, the issuing
 * organization and the expiry.
 */
function jwtClaims(token: string): JwtClaims | string {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return 'jwt_token is not a JWT';
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null) return 'the JWT payload is not an object';
    return claims as JwtClaims;
  } catch {
    return 'the JWT payload is not JSON';
  }
}

async function readMultipart(req: EmulatorRequest): Promise<FormData | null> {
  const body = await readBody(req, BODY_LIMIT);
  const type = req.headers['content-type'];
  if (mediaType(req) !== 'multipart/form-data' || !type) return null;
  try {
    return await new Request('http://ims.invalid/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) }).formData();
  } catch {
    return null;
  }
}

export function createImsRoutes(tokens: TokenStore, orgId: string, now: () => number) {
  return function register(routes: RouteTable, _ctx: EmulatorContext): void {
    const token = async (req: EmulatorRequest, res: ServerResponse): Promise<void> => {
      const params = await readParams(req);
      if (!params) return oauthError(res, 400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
      const missing = REQUIRED.filter((name) => !params.get(name));
      if (missing.length > 0) return oauthError(res, 400, 'invalid_request', `Missing required parameter(s): ${missing.join(', ')}`);
      if (params.get('grant_type') !== 'client_credentials') {
        return oauthError(res, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
      }
      const clientId = params.get('client_id')!;
      const check = tokens.checkClient(clientId, params.get('client_secret')!);
      if (check === 'unknown-client') return oauthError(res, 401, 'invalid_client', 'invalid client_id parameter');
      if (check === 'bad-secret') return oauthError(res, 401, 'invalid_client', 'invalid client_secret parameter');
      const issued = tokens.issue(clientId);
      sendJson(
        res,
        200,
        { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresInSeconds },
        { 'cache-control': 'no-store' },
      );
    };
    routes.open('POST', '/ims/exchange/jwt', async (req, res) => {
      const form = await readMultipart(req);
      if (!form) return oauthError(res, 400, 'invalid_request', 'The body must be multipart/form-data');
      const field = (name: string) => {
        const value = form.get(name);
        return typeof value === 'string' && value !== '' ? value : undefined;
      };
      const missing = ['client_id', 'client_secret', 'jwt_token'].filter((name) => !field(name));
      if (missing.length > 0) return oauthError(res, 400, 'invalid_request', `Missing required parameter(s): ${missing.join(', ')}`);
      const clientId = field('client_id')!;
      const check = tokens.checkClient(clientId, field('client_secret')!);
      if (check !== 'ok') return oauthError(res, 401, 'invalid_client', `invalid ${check === 'unknown-client' ? 'client_id' : 'client_secret'} parameter`);
      const claims = jwtClaims(field('jwt_token')!);
      if (typeof claims === 'string') return oauthError(res, 400, 'invalid_token', claims);
      if (claims.iss !== orgId) return oauthError(res, 400, 'invalid_token', 'The JWT iss claim must be the organization id');
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now()) return oauthError(res, 400, 'invalid_token', 'The JWT has expired');
      const issued = tokens.issue(clientId);
      sendJson(
        res,
        200,
        { token_type: 'bearer', access_token: issued.accessToken, expires_in: issued.expiresInSeconds * 1000 },
        { 'cache-control': 'no-store' },
      );
    });
    routes.open('POST', '/ims/token/v3', token);
    // The older Postman collections' endpoint, with the same parameters.
    routes.open('POST', '/ims/token/v2', token);
  };
}
