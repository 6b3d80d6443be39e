// Schema Registry routes (platform-api.md §2): /stats; list, lookup, create,
// replace, patch and delete of schemas, field groups (+ the `mixins` alias),
// classes and data types; the read-only global container with behaviors.
import { header, readJson, requireContentType, sendEmpty, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import { listFormat, lookupFormat } from '../schema-registry/accept.ts';
import { createSchemaRegistryStore } from '../schema-registry/index.ts';
import { PATH_KINDS } from '../schema-registry/kinds.ts';
import type { ResourceKind, ResourceType, XdmResource } from '../schema-registry/kinds.ts';
import { pageOf } from '../schema-registry/listing.ts';
import { notFound, readOnlyContainer } from '../schema-registry/registry-errors.ts';
import { withoutText } from '../schema-registry/resolve.ts';
import { seedSchemaRegistry } from '../schema-registry/seed.ts';
import type { SandboxRecord } from '../store/sandboxes.ts';
import type { EmulatorContext, RouteTable } from './types.ts';

export const SCHEMA_REGISTRY_BASE = '/data/foundation/schemaregistry';
const CONTAINERS = ['global', 'tenant'] as const;
type Container = (typeof CONTAINERS)[number];

const BEHAVIORS_KIND: ResourceKind = { resourceType: 'schemas', idSegment: 'behaviors', noun: 'behavior', notFoundCode: 'XDM-1016-404' };

function summary(resource: XdmResource) {
  return { $id: resource.$id, 'meta:altId': resource['meta:altId'], version: resource.version, title: resource.title };
}

export interface SchemaRegistryRouteOptions {
  /** The sandboxes to seed when settings.seed is on. */
  readonly sandboxes: readonly SandboxRecord[];
}

export function createSchemaRegistryRoutes({ sandboxes }: SchemaRegistryRouteOptions) {
  return function register(routes: RouteTable, ctx: EmulatorContext): void {
    const registry = createSchemaRegistryStore(ctx);
    if (ctx.settings.seed) {
      const seeder = ctx.settings.clients[0]?.clientId ?? 'aep-local';
      for (const sandbox of sandboxes) seedSchemaRegistry(ctx, registry, { orgId: ctx.settings.orgId, clientId: seeder, sandbox });
    }

    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/stats`, (req, res) => sendJson(res, 200, registry.stats(req.scope)));

    const list = (container: Container, type: ResourceType | 'behaviors', segment: string) => (req: EmulatorRequest, res: Parameters<typeof sendJson>[0]) => {
      const format = listFormat(header(req, 'accept'));
      const page = pageOf(registry.list(req.scope, container, type), {
        orderby: req.query.get('orderby') ?? undefined,
        start: req.query.get('start') ?? undefined,
        limit: req.query.get('limit') ?? undefined,
        property: req.query.getAll('property'),
      });
      const self = `${req.origin}${SCHEMA_REGISTRY_BASE}/${container}/${segment}`;
      let nextLink: { href: string } | null = null;
      if (page.next !== null) {
        const params = new URLSearchParams(req.query);
        params.set('start', page.next);
        nextLink = { href: `${self}?${params.toString()}` };
      }
      const links: Record<string, unknown> = { next: nextLink };
      if (type === 'schemas' && container === 'tenant') links.global_schemas = { href: `${req.origin}${SCHEMA_REGISTRY_BASE}/global/schemas` };
      sendJson(
        res,
        200,
        {
          results: format === 'ids' ? page.items.map(summary) : page.items,
          _page: { orderby: page.orderby, next: page.next, count: page.items.length },
          _links: links,
        },
        { 'content-type': format === 'ids' ? 'application/vnd.adobe.xed-id+json' : 'application/vnd.adobe.xed+json' },
      );
    };

    const lookup = (container: Container, type: ResourceType | 'behaviors', kind: ResourceKind) => (req: EmulatorRequest, res: Parameters<typeof sendJson>[0]) => {
      const format = lookupFormat(header(req, 'accept'));
      const id = req.params.id ?? '';
      const resource = registry.find(req.scope, container, type, id);
      if (!resource) throw notFound(kind, id);
      let body: unknown = format.resolved ? registry.resolve(req.scope, resource) : resource;
      if (format.noText) body = withoutText(body);
      sendJson(res, 200, body, { 'content-type': format.mediaType });
    };

    const readOnly = () => {
      throw readOnlyContainer();
    };

    for (const [segment, kind] of Object.entries(PATH_KINDS)) {
      const type = kind.resourceType;
      for (const container of CONTAINERS) {
        const path = `${SCHEMA_REGISTRY_BASE}/${container}/${segment}`;
        routes.platform('GET', path, list(container, type, segment));
        routes.platform('GET', `${path}/:id`, lookup(container, type, kind));
      }
      const tenant = `${SCHEMA_REGISTRY_BASE}/tenant/${segment}`;
      routes.platform('POST', tenant, async (req, res) => {
        requireContentType(req, 'application/json');
        const created = registry.create(req.scope, type, await readJson(req));
        sendJson(res, 201, created, { location: `${req.origin}${tenant}/${encodeURIComponent(created['meta:altId'])}` });
      });
      routes.platform('PUT', `${tenant}/:id`, async (req, res) => {
        requireContentType(req, 'application/json');
        sendJson(res, 200, registry.replace(req.scope, type, req.params.id ?? '', await readJson(req)));
      });
      routes.platform('PATCH', `${tenant}/:id`, async (req, res) => {
        // The Registry takes JSON Patch arrays as application/json; the RFC 6902 type is accepted too.
        requireContentType(req, 'application/json', 'application/json-patch+json');
        sendJson(res, 200, registry.patch(req.scope, type, req.params.id ?? '', await readJson(req)));
      });
      routes.platform('DELETE', `${tenant}/:id`, (req, res) => {
        registry.remove(req.scope, type, req.params.id ?? '');
        sendEmpty(res, 204);
      });
      const global = `${SCHEMA_REGISTRY_BASE}/global/${segment}`;
      routes.platform('POST', global, readOnly);
      routes.platform(['PUT', 'PATCH', 'DELETE'], `${global}/:id`, readOnly);
    }

    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/global/behaviors`, list('global', 'behaviors', 'behaviors'));
    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/global/behaviors/:id`, lookup('global', 'behaviors', BEHAVIORS_KIND));
  };
}
