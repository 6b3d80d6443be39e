// Sandbox Management (platform-api.md §6): the sandboxes of the org, paged
// with limit+offset; one sandbox by name; create (202, 'creating' then
// 'active'), retitle, reset (202, 'resetting' then 'active'), delete; the
// sandbox types. Errors: shape B, except the documented reset refusals (shape C).
import { legacyError } from '../errors.ts';
import { readJson, requireContentType, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import type { SandboxReset } from '../store/sandbox-reset.ts';
import type { SandboxRecord, SandboxStore } from '../store/sandboxes.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const BASE = '/data/foundation/sandbox-management';
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
// All lower case, no spaces or special characters (the name is the lookup key and the x-sandbox-name value).
const SANDBOX_NAME = /^[a-z0-9](?:[a-z0-9-]{0,254}[a-z0-9])?$/;
const MAX_TITLE = 256;

function integerParam(req: EmulatorRequest, name: string, min: number, max: number): number {
  const text = req.query.get(name)!;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw legacyError(400, `Invalid value for ${name}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function view(sandbox: SandboxRecord) {
  return {
    id: sandbox.id,
    name: sandbox.name,
    title: sandbox.title,
    state: sandbox.state,
    type: sandbox.type,
    region: sandbox.region,
    isDefault: sandbox.isDefault,
    eTag: sandbox.eTag,
    createdDate: sandbox.createdDate,
    lastModifiedDate: sandbox.lastModifiedDate,
    createdBy: sandbox.createdBy,
    modifiedBy: sandbox.modifiedBy,
  };
}

function brief(sandbox: SandboxRecord) {
  return { id: sandbox.id, name: sandbox.name, title: sandbox.title, state: sandbox.state, type: sandbox.type, region: sandbox.region };
}

function page(req: EmulatorRequest, all: SandboxRecord[], path: string) {
  const hasLimit = req.query.has('limit');
  const hasOffset = req.query.has('offset');
  // The API documents limit and offset as a pair.
  if (hasLimit !== hasOffset) throw legacyError(400, 'limit and offset must be specified together');
  const limit = hasLimit ? integerParam(req, 'limit', 1, MAX_LIMIT) : DEFAULT_LIMIT;
  const offset = hasOffset ? integerParam(req, 'offset', 0, Number.MAX_SAFE_INTEGER) : 0;
  const items = all.slice(offset, offset + limit);
  const href = (o: number) => `${req.origin}${BASE}${path}?limit=${limit}&offset=${o}`;
  return {
    sandboxes: items.map(view),
    _page: { limit, count: items.length },
    _links: {
      page: { href: `${req.origin}${BASE}${path}?limit={limit}&offset={offset}`, templated: true },
      ...(offset + limit < all.length ? { next: { href: href(offset + limit) } } : {}),
      ...(offset > 0 ? { prev: { href: href(Math.max(0, offset - limit)) } } : {}),
    },
  };
}

/** An optional boolean query flag (`validationOnly`, `ignoreWarnings`). */
function flag(req: EmulatorRequest, name: string): boolean {
  const value = req.query.get(name);
  if (value === null) return false;
  if (value !== 'true' && value !== 'false') throw legacyError(400, `Invalid value for ${name}: expected true or false`);
  return value === 'true';
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') throw legacyError(400, `${name} is required and must be a non-empty string`);
  return value;
}

function checkTitle(title: string): string {
  if (title.length > MAX_TITLE) throw legacyError(400, `title must be at most ${MAX_TITLE} characters`);
  return title;
}

async function readObject(req: EmulatorRequest): Promise<Record<string, unknown>> {
  requireContentType(req, 'application/json');
  const body = await readJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw legacyError(400, 'The request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function createSandboxRoutes(sandboxes: SandboxStore, resets: SandboxReset) {
  return function register(routes: RouteTable, _ctx: EmulatorContext): void {
    const optional = { sandboxOptional: true };
    const named = (req: EmulatorRequest): SandboxRecord => {
      const sandbox = sandboxes.get(req.params.name ?? '');
      if (!sandbox) throw legacyError(404, `Sandbox ${req.params.name} was not found`);
      return sandbox;
    };

    routes.platform('GET', `${BASE}/`, (req, res) => sendJson(res, 200, page(req, sandboxes.listActive(), '/')), optional);
    routes.platform('GET', `${BASE}/sandboxes`, (req, res) => sendJson(res, 200, page(req, sandboxes.list(), '/sandboxes')), optional);
    routes.platform('GET', `${BASE}/sandboxes/:name`, (req, res) => sendJson(res, 200, view(named(req))), optional);
    routes.platform(
      'GET',
      `${BASE}/sandboxTypes`,
      (_req, res) => sendJson(res, 200, { sandboxTypes: [{ id: 'development', title: 'Development' }, { id: 'production', title: 'Production' }] }),
      optional,
    );

    routes.platform(
      'POST',
      `${BASE}/sandboxes`,
      async (req, res) => {
        const body = await readObject(req);
        const name = stringField(body, 'name');
        const title = checkTitle(stringField(body, 'title'));
        const type = body.type;
        if (!SANDBOX_NAME.test(name)) throw legacyError(400, 'name must be lower case letters, digits and dashes, without spaces');
        if (type !== 'development' && type !== 'production') throw legacyError(400, 'type must be "development" or "production"');
        if (sandboxes.exists(name)) throw legacyError(409, `A sandbox named ${name} already exists or existed in this organization`);
        sendJson(res, 202, brief(sandboxes.create({ name, title, type, by: req.scope.clientId })));
      },
      optional,
    );
    routes.platform(
      'PATCH',
      `${BASE}/sandboxes/:name`,
      async (req, res) => {
        const sandbox = named(req);
        const body = await readObject(req);
        const extra = Object.keys(body).filter((key) => key !== 'title');
        if (extra.length > 0) throw legacyError(400, `Only the title of a sandbox can be changed, not ${extra.join(', ')}`);
        const title = checkTitle(stringField(body, 'title'));
        sendJson(res, 200, view(sandboxes.update(sandbox.name, { title, by: req.scope.clientId })));
      },
      optional,
    );
    routes.platform(
      'PUT',
      `${BASE}/sandboxes/:name`,
      async (req, res) => {
        const sandbox = named(req);
        const validationOnly = flag(req, 'validationOnly');
        const ignoreWarnings = flag(req, 'ignoreWarnings');
        const body = await readObject(req);
        // PUT on a sandbox is only the reset: the payload must say so.
        if (body.action !== 'reset') throw legacyError(400, 'action is required and must be "reset"');
        if (sandbox.state !== 'active') throw legacyError(400, `Sandbox ${sandbox.name} cannot be reset while it is ${sandbox.state}`);
        const refusal = resets.refusal(sandbox, ignoreWarnings);
        if (refusal) throw refusal;
        // The pre-flight check: the refusals above, nothing changed.
        if (validationOnly) {
          sendJson(res, 200, brief(sandbox));
          return;
        }
        sendJson(res, 202, brief(resets.reset(sandbox, req.scope.clientId)));
      },
      optional,
    );
    routes.platform(
      'DELETE',
      `${BASE}/sandboxes/:name`,
      (req, res) => {
        const sandbox = named(req);
        if (sandbox.isDefault) throw legacyError(400, 'The default production sandbox cannot be deleted');
        sendJson(res, 202, brief(sandboxes.remove(sandbox.name, req.scope.clientId)));
      },
      optional,
    );
  };
}
