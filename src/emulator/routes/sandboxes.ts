// Sandbox Management (platform-api.md §6), read side: the sandboxes of the
// org, paged with limit+offset, and one sandbox by name.
import { legacyError } from '../errors.ts';
import { sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import type { SandboxRecord, SandboxStore } from '../store/sandboxes.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

const BASE = '/data/foundation/sandbox-management';
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

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

export function createSandboxRoutes(sandboxes: SandboxStore) {
  return function register(routes: RouteTable, _ctx: EmulatorContext): void {
    const optional = { sandboxOptional: true };
    // Every sandbox of the org is active and usable by every client here, so both lists agree.
    routes.platform('GET', `${BASE}/`, (req, res) => sendJson(res, 200, page(req, sandboxes.list(), '/')), optional);
    routes.platform('GET', `${BASE}/sandboxes`, (req, res) => sendJson(res, 200, page(req, sandboxes.list(), '/sandboxes')), optional);
    routes.platform(
      'GET',
      `${BASE}/sandboxes/:name`,
      (req, res) => {
        const sandbox = sandboxes.get(req.params.name ?? '');
        if (!sandbox) throw legacyError(404, `Sandbox ${req.params.name} was not found`);
        sendJson(res, 200, view(sandbox));
      },
      optional,
    );
  };
}
