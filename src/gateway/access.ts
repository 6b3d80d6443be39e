// Access control in the modes where the gateway holds the Platform
// credentials (oauth, static): each gateway API key may be bound to the
// sandboxes it may use and to a role, read-only or read-write. Optionally,
// no key may write to a sandbox of type production (REFUSE_PRODUCTION_WRITES),
// decided by the Platform's own `type` of the sandbox, looked up once per
// sandbox and cached, never by its name.
//
// GATEWAY_API_KEYS, two forms:
//   key1,key2                          plain keys: every sandbox, read-write (the original form)
//   key1:dev,prod:rw;key2:dev:ro;key3  `;` between keys; per key `key[:sandboxes[:role]]`,
//                                      sandboxes a comma list or `*` (default), role rw or ro (default rw)
//
// Where it is enforced, for every transport (HTTP and WebSocket):
// - the sandbox, when a request's context is built (the context factory is
//   wrapped): a key not bound to the sandbox is refused, FORBIDDEN, 403;
// - writes, in front of every Mutation field of the schema: a read-only key,
//   or a production sandbox under REFUSE_PRODUCTION_WRITES, is refused with
//   FORBIDDEN before any upstream write.
// The cost on the hot path is one key lookup per request (none when no key
// is restricted) and, for mutations, one cached lookup per field.
import { createHash, timingSafeEqual } from 'node:crypto';
import { defaultFieldResolver } from 'graphql';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { ContextFactory, GatewayContext, HeadersRecord } from './context.ts';
import { GatewayError } from './errors.ts';

export type KeyRole = 'read-only' | 'read-write';

export interface KeyGrant {
  readonly key: string;
  /** Sandbox names, or '*' for every sandbox. */
  readonly sandboxes: readonly string[] | '*';
  readonly role: KeyRole;
}

const SANDBOX_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ROLES: Record<string, KeyRole> = { rw: 'read-write', 'read-write': 'read-write', ro: 'read-only', 'read-only': 'read-only' };
const MIN_KEY_LENGTH = 16;

/** Reads GATEWAY_API_KEYS in either form; adds what is wrong to `problems` (never the keys themselves). */
export function parseGatewayKeys(raw: string, problems: string[]): KeyGrant[] {
  const text = raw.trim();
  if (text === '') return [];
  const grants: KeyGrant[] = [];
  const structured = text.includes(':') || text.includes(';');
  const entries = structured ? text.split(';') : text.split(',');
  entries.forEach((entry, index) => {
    const trimmed = entry.trim();
    if (trimmed === '') return;
    const [key = '', sandboxList, roleName, ...rest] = structured ? trimmed.split(':').map((part) => part.trim()) : [trimmed];
    const where = `GATEWAY_API_KEYS entry ${index + 1}`;
    if (key.length < MIN_KEY_LENGTH) problems.push(`${where}: keys must be at least ${MIN_KEY_LENGTH} characters long`);
    if (rest.length > 0) problems.push(`${where}: expected key:sandboxes:role`);
    let sandboxes: readonly string[] | '*' = '*';
    if (sandboxList !== undefined && sandboxList !== '*') {
      const names = sandboxList.split(',').map((name) => name.trim()).filter(Boolean);
      const bad = names.filter((name) => !SANDBOX_NAME.test(name));
      if (names.length === 0) problems.push(`${where}: list at least one sandbox, or * for all`);
      if (bad.length > 0) problems.push(`${where}: ${bad.map((name) => JSON.stringify(name)).join(', ')} is not a sandbox name`);
      sandboxes = Object.freeze(names);
    }
    const role = roleName === undefined || roleName === '' ? 'read-write' : ROLES[roleName];
    if (role === undefined) problems.push(`${where}: the role must be rw or ro, got ${JSON.stringify(roleName)}`);
    grants.push(Object.freeze({ key, sandboxes, role: role ?? 'read-only' }));
  });
  const digests = grants.map((grant) => digest(grant.key).toString('hex'));
  if (new Set(digests).size !== digests.length) problems.push('GATEWAY_API_KEYS lists a key twice');
  return grants;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export interface AccessControlOptions {
  /** Keys with their grants; a key of `plainKeys` that has none may do everything. */
  readonly grants: readonly KeyGrant[];
  /** Keys the gateway accepts (config.gatewayApiKeys). @default the grants' keys */
  readonly plainKeys?: readonly string[];
  /** Whether requests present gateway keys at all (oauth/static, not open). Without keys, only REFUSE_PRODUCTION_WRITES applies. */
  readonly keysRequired: boolean;
  /** Refuse every write to a sandbox whose Platform type is production. @default false */
  readonly refuseProductionWrites?: boolean;
}

/** What one request may do. */
export interface RequestAccess {
  readonly role: KeyRole;
  readonly sandboxes: readonly string[] | '*';
}

export interface AccessControl {
  /** The context factory of every transport, with the sandbox check and the request's access attached. */
  wrapContextFactory(factory: ContextFactory): ContextFactory;
  /** Puts the write checks in front of every Mutation field of `schema` (changed in place, and returned). */
  protectWrites(schema: GraphQLSchema): GraphQLSchema;
  /** The access of a context built by the wrapped factory. */
  accessOf(context: GatewayContext): RequestAccess;
}

const FULL: RequestAccess = Object.freeze({ role: 'read-write', sandboxes: '*' });

/**
 * Where a context carries its access: a symbol-keyed property, because Apollo
 * runs each operation with a copy of the context object (Object.assign: the
 * enumerable own properties, symbols included), so a lookup keyed by the
 * object would miss.
 */
const ACCESS = Symbol('aep-graphql.access');

function accessOfContext(context: GatewayContext): RequestAccess {
  return (context as GatewayContext & { [ACCESS]?: RequestAccess })[ACCESS] ?? FULL;
}

function headerValue(headers: HeadersRecord, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** The key a request presents, as context.ts reads it: x-gateway-api-key, else a bearer token. */
function presentedKey(headers: HeadersRecord): string | undefined {
  const explicit = headerValue(headers, 'x-gateway-api-key');
  if (explicit) return explicit;
  const match = /^Bearer\s+(.+)$/i.exec(headerValue(headers, 'authorization') ?? '');
  return match?.[1]?.trim();
}

function forbidden(message: string, httpStatus?: number): GatewayError {
  return new GatewayError('FORBIDDEN', message, httpStatus === undefined ? {} : { httpStatus });
}

export function createAccessControl(options: AccessControlOptions): AccessControl {
  // Keys are compared by their sha256 digests in constant time, every entry visited.
  const entries = options.grants.map((grant) => ({ digest: digest(grant.key), access: Object.freeze({ role: grant.role, sandboxes: grant.sandboxes }) as RequestAccess }));
  const granted = new Set(options.grants.map((grant) => grant.key));
  for (const key of options.plainKeys ?? []) if (!granted.has(key)) entries.push({ digest: digest(key), access: FULL });
  // When every key may do everything, which key was presented changes nothing: no digest per request.
  const anyRestricted = entries.some((entry) => entry.access.role !== 'read-write' || entry.access.sandboxes !== '*');
  /** Sandbox types by org and name; a failed lookup is not kept. */
  const sandboxTypes = new Map<string, Promise<string | undefined>>();

  function accessFor(headers: HeadersRecord): RequestAccess {
    if (!options.keysRequired || !anyRestricted) return FULL;
    const key = presentedKey(headers);
    // The context factory has already refused a missing or unknown key.
    if (key === undefined) return FULL;
    const given = digest(key);
    let found: RequestAccess | undefined;
    for (const entry of entries) if (timingSafeEqual(entry.digest, given)) found ??= entry.access;
    return found ?? FULL;
  }

  function sandboxType(context: GatewayContext): Promise<string | undefined> {
    const id = `${context.scope.orgId}\u0000${context.scope.sandbox}`;
    let pending = sandboxTypes.get(id);
    if (!pending) {
      pending = context.platform.sandboxes.getSandbox(context.scope.sandbox).then((sandbox) => sandbox?.type?.toLowerCase());
      sandboxTypes.set(id, pending);
      pending.catch(() => sandboxTypes.delete(id));
    }
    return pending;
  }

  async function checkWrite(context: GatewayContext, field: string): Promise<void> {
    const access = accessOfContext(context);
    if (access.role === 'read-only') throw forbidden(`This gateway API key is read-only: ${field} is a write`);
    if (options.refuseProductionWrites && (await sandboxType(context)) === 'production') {
      throw forbidden(`Writes to production sandboxes are turned off on this gateway (REFUSE_PRODUCTION_WRITES): ${context.scope.sandbox} is a production sandbox`);
    }
  }

  return {
    wrapContextFactory(factory) {
      return (headers, contextOptions) => {
        const context = factory(headers, contextOptions);
        const access = accessFor(headers);
        if (access.sandboxes !== '*' && !access.sandboxes.includes(context.scope.sandbox)) {
          throw forbidden(`This gateway API key may not use the sandbox ${JSON.stringify(context.scope.sandbox)}`, 403);
        }
        if (access !== FULL) Object.defineProperty(context, ACCESS, { value: access, enumerable: true });
        return context;
      };
    },
    protectWrites(schema) {
      const mutation = schema.getMutationType();
      if (!mutation || !(options.keysRequired || options.refuseProductionWrites)) return schema;
      for (const field of Object.values(mutation.getFields())) {
        const resolve: GraphQLFieldResolver<unknown, GatewayContext> = field.resolve ?? defaultFieldResolver;
        field.resolve = async (root, args, context, info) => {
          await checkWrite(context, info.fieldName);
          return resolve(root, args, context, info);
        };
      }
      return schema;
    },
    accessOf: accessOfContext,
  };
}
