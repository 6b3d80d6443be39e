// Adobe IMS, OAuth Server-to-Server (platform-api.md §1.7): POST /ims/token/v3
// with client_credentials, parameters in the form body or the query string.
// Errors are OAuth-style `{error, error_description}` (RFC 6749 §5.2, the
// real IMS body is not documented): 400 for a malformed request, 401 for a
// wrong client or secret.
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

export function createImsRoutes(tokens: TokenStore) {
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
    routes.open('POST', '/ims/token/v3', token);
    // The older Postman collections' endpoint, with the same parameters.
    routes.open('POST', '/ims/token/v2', token);
  };
}
