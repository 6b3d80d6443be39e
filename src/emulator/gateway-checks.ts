// The Adobe I/O gateway in front of every Platform API (platform-api.md
// §1.4, §7), in the Platform's order: token, API key, organization, then the
// sandbox. Each failure is the Platform's exact body.
import type { IncomingMessage } from 'node:http';
import type { TokenStore } from './auth.ts';
import { gatewayError, legacyError } from './errors.ts';
import type { RequestScope } from './http.ts';
import type { EmulatorSettings } from './options.ts';
import type { SandboxStore } from './store/sandboxes.ts';

// 24 hex characters + @AdobeOrg in Adobe's examples; configured ids may use any letters or digits.
const ORG_ID = /^[A-Za-z0-9]{1,64}@AdobeOrg$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

export type GatewayCheck = (req: IncomingMessage, sandboxOptional: boolean) => RequestScope;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function createGatewayCheck(tokens: TokenStore, sandboxes: SandboxStore, settings: EmulatorSettings): GatewayCheck {
  return (req, sandboxOptional) => {
    const headers = req.headers;
    const authorization = single(headers.authorization);
    if (!authorization) throw gatewayError('403010', 'Oauth token is missing.');
    const token = BEARER.exec(authorization)?.[1];
    const owner = token === undefined ? null : tokens.verify(token);
    if (!owner) throw gatewayError('401013', 'Oauth token is not valid');

    const apiKey = single(headers['x-api-key']);
    if (!apiKey) throw gatewayError('403000', 'Api Key is required');
    if (!tokens.isApiKey(apiKey)) throw gatewayError('403003', 'Api Key is invalid');

    const orgId = single(headers['x-gw-ims-org-id']);
    if (!orgId) throw gatewayError('400003', 'Missing header');
    if (!ORG_ID.test(orgId)) throw gatewayError('403027', 'User region is missing');
    if (orgId !== owner.orgId) throw gatewayError('403025', 'Profile is not valid');

    const sandboxName = single(headers['x-sandbox-name']);
    // Undocumented upstream; a 403 matches "this org has no access to such a sandbox".
    const inaccessible = (name: string) => legacyError(403, `Sandbox '${name}' does not exist or is not accessible to this organization`);
    if (sandboxName) {
      const named = sandboxes.getActive(sandboxName);
      if (!named) throw inaccessible(sandboxName);
      return { orgId, clientId: owner.clientId, sandbox: named };
    }
    if (settings.missingSandbox === 'error' && !sandboxOptional) throw legacyError(400, 'Missing header: x-sandbox-name');
    const fallback = sandboxes.getActive(sandboxes.defaultSandbox.name);
    // While the default sandbox is being reset its data cannot be reached; the Sandbox API itself still answers.
    if (!fallback && !sandboxOptional) throw inaccessible(sandboxes.defaultSandbox.name);
    return { orgId, clientId: owner.clientId, sandbox: fallback ?? sandboxes.defaultSandbox };
  };
}
