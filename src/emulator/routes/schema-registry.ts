// Schema Registry routes (platform-api.md §2): /stats; list, lookup, create,
// replace, patch and delete of schemas, field groups (+ the `mixins` alias),
// classes and data types; descriptors and unions in the tenant container;
// the read-only global container with behaviors.
import type { ServerResponse } from 'node:http';
import { header, readJson, requireContentType, sendEmpty, sendJson } from '../http.ts';
import type { EmulatorRequest } from '../http.ts';
import { descriptorListFormat, checkDescriptorLookupAccept, listFormat, lookupFormat } from '../schema-registry/accept.ts';
import { applyDescriptorView } from '../schema-registry/descriptor-views.ts';
import { createDescriptorStore, descriptorNotFound } from '../schema-registry/descriptors.ts';
import { createSchemaRegistryStore } from '../schema-registry/index.ts';
import type { ResolvedSchema } from '../schema-registry/index.ts';
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

const BEHAVIORS_KIND: ResourceKind = { resourceType: 'schemas', idSegment: 'behaviors', noun: 'behavior', notFoundCode: 'XDM-1016-404' };
const UNIONS_KIND: ResourceKind = { resourceType: 'schemas', idSegment: 'unions', noun: 'union', notFoundCode: 'XDM-1015-404' };

function summary(resource: XdmResource) {
  return { $id: resource.$id, 'meta:altId': resource['meta:altId'], version: resource.version, title: resource.title };
}

function sendList(req: EmulatorRequest, res: ServerResponse, all: XdmResource[], path: string, globalSchemasLink: boolean): void {
  const format = listFormat(header(req, 'accept'));
  const page = pageOf(all, {
    orderby: req.query.get('orderby') ?? undefined,
    start: req.query.get('start') ?? undefined,
    limit: req.query.get('limit') ?? undefined,
    property: req.query.getAll('property'),
  });
  let next: { href: string } | null = null;
  if (page.next !== null) {
    const params = new URLSearchParams(req.query);
    params.set('start', page.next);
    next = { href: `${req.origin}${SCHEMA_REGISTRY_BASE}${path}?${params.toString()}` };
  }
  const links: Record<string, unknown> = { next };
  if (globalSchemasLink) links.global_schemas = { href: `${req.origin}${SCHEMA_REGISTRY_BASE}/global/schemas` };
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
}

export interface SchemaRegistryRouteOptions {
  /** The sandboxes to seed when settings.seed is on. */
  readonly sandboxes: readonly SandboxRecord[];
}

export function createSchemaRegistryRoutes({ sandboxes }: SchemaRegistryRouteOptions) {
  return function register(routes: RouteTable, ctx: EmulatorContext): void {
    const registry = createSchemaRegistryStore(ctx);
    const descriptors = createDescriptorStore(ctx, registry);
    if (ctx.settings.seed) {
      const seeder = ctx.settings.clients[0]?.clientId ?? 'aep-local';
      for (const sandbox of sandboxes) seedSchemaRegistry(ctx, registry, { orgId: ctx.settings.orgId, clientId: seeder, sandbox });
    }

    const sendLookup = (req: EmulatorRequest, res: ServerResponse, find: () => XdmResource | undefined, kind: ResourceKind) => {
      const format = lookupFormat(header(req, 'accept'));
      const resource = find();
      if (!resource) throw notFound(kind, req.params.id ?? '');
      let body: unknown = format.resolved ? registry.resolve(req.scope, resource) : resource;
      if (format.descriptors && resource['meta:containerId'] === 'tenant' && resource['meta:resourceType'] === 'schemas') {
        body = applyDescriptorView(format.descriptors, body as ResolvedSchema, descriptors.forSchema(req.scope, resource.$id));
      }
      if (format.noText) body = withoutText(body);
      sendJson(res, 200, body, { 'content-type': format.mediaType });
    };

    const readOnly = () => {
      throw readOnlyContainer();
    };

    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/stats`, (req, res) => sendJson(res, 200, registry.stats(req.scope)));

    for (const [segment, kind] of Object.entries(PATH_KINDS)) {
      const type: ResourceType = kind.resourceType;
      for (const container of CONTAINERS) {
        const path = `/${container}/${segment}`;
        routes.platform('GET', SCHEMA_REGISTRY_BASE + path, (req, res) =>
          sendList(req, res, registry.list(req.scope, container, type), path, type === 'schemas' && container === 'tenant'),
        );
        routes.platform('GET', `${SCHEMA_REGISTRY_BASE}${path}/:id`, (req, res) =>
          sendLookup(req, res, () => registry.find(req.scope, container, type, req.params.id ?? ''), kind),
        );
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
        const id = req.params.id ?? '';
        const $id = registry.find(req.scope, 'tenant', type, id)?.$id;
        registry.remove(req.scope, type, id);
        if (type === 'schemas' && $id) descriptors.removeForSchema(req.scope, $id);
        sendEmpty(res, 204);
      });
      const global = `${SCHEMA_REGISTRY_BASE}/global/${segment}`;
      routes.platform('POST', global, readOnly);
      routes.platform(['PUT', 'PATCH', 'DELETE'], `${global}/:id`, readOnly);
    }

    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/global/behaviors`, (req, res) =>
      sendList(req, res, registry.list(req.scope, 'global', 'behaviors'), '/global/behaviors', false),
    );
    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/global/behaviors/:id`, (req, res) =>
      sendLookup(req, res, () => registry.find(req.scope, 'global', 'behaviors', req.params.id ?? ''), BEHAVIORS_KIND),
    );

    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/tenant/unions`, (req, res) =>
      sendList(req, res, registry.unions(req.scope), '/tenant/unions', false),
    );
    routes.platform('GET', `${SCHEMA_REGISTRY_BASE}/tenant/unions/:id`, (req, res) => {
      const id = req.params.id ?? '';
      sendLookup(req, res, () => registry.unions(req.scope).find((u) => u.$id === id || u['meta:altId'] === id), UNIONS_KIND);
    });

    const DESCRIPTORS = `${SCHEMA_REGISTRY_BASE}/tenant/descriptors`;
    routes.platform('GET', DESCRIPTORS, (req, res) => {
      const format = descriptorListFormat(header(req, 'accept'));
      const grouped = descriptors.listByType(req.scope);
      const body: Record<string, unknown[]> = {};
      for (const [type, list] of Object.entries(grouped)) {
        body[type] = list.map((d) =>
          format === 'objects' ? d : format === 'ids' ? d['@id'] : `/tenant/descriptors/${String(d['@id'])}`,
        );
      }
      sendJson(res, 200, body);
    });
    routes.platform('GET', `${DESCRIPTORS}/:id`, (req, res) => {
      checkDescriptorLookupAccept(header(req, 'accept'));
      const descriptor = descriptors.get(req.scope, req.params.id ?? '');
      if (!descriptor) throw descriptorNotFound(req.params.id ?? '');
      sendJson(res, 200, descriptor);
    });
    routes.platform('POST', DESCRIPTORS, async (req, res) => {
      requireContentType(req, 'application/json');
      sendJson(res, 201, descriptors.create(req.scope, await readJson(req)));
    });
    // The docs answer a replace with 201 and only the id (the OpenAPI document says 200 and the object).
    routes.platform('PUT', `${DESCRIPTORS}/:id`, async (req, res) => {
      requireContentType(req, 'application/json');
      const replaced = descriptors.replace(req.scope, req.params.id ?? '', await readJson(req));
      sendJson(res, 201, { '@id': replaced['@id'] });
    });
    routes.platform('DELETE', `${DESCRIPTORS}/:id`, (req, res) => {
      descriptors.remove(req.scope, req.params.id ?? '');
      sendEmpty(res, 204);
    });
  };
}
