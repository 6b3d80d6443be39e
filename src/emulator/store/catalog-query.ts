// Catalog's list query language (platform-api.md §3.2), applied to objects
// in memory: simple filters (`name=a,b`, `name=!a`), `property=` conditions,
// `tags=`, created ranges, `orderBy`, `start`/`limit` and the `properties`
// projection. Pure: the routes feed it the partition's objects.
import { legacyError } from '../errors.ts';
import type { CatalogBody } from './catalog-store.ts';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** What a filter sees of an object: its id and body, plus values derived per kind (a batch's dataset, say). */
export interface QueryItem {
  readonly id: string;
  readonly body: CatalogBody;
  readonly virtual?: Readonly<Record<string, unknown>>;
}

export const RESERVED_PARAMETERS: ReadonlySet<string> = new Set(['limit', 'start', 'orderBy', 'sort', 'properties', 'property', 'tags', 'createdAfter', 'createdBefore', 'startAfter', 'startBefore', 'endAfter', 'endBefore', 'aggregate']);

function valueOf(item: QueryItem, name: string): unknown {
  if (item.virtual && name in item.virtual) return item.virtual[name];
  if (name === 'id') return item.id;
  return item.body[name];
}

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw legacyError(400, max === Number.MAX_SAFE_INTEGER ? `Invalid ${name} value '${raw}': it must be an integer of at least ${min}` : `Invalid ${name} value '${raw}': it must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** `*` matches any run of characters (also none); `**` is a literal asterisk. */
function wildcard(pattern: string): RegExp {
  const parts = pattern.split('**').map((piece) => piece.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
  return new RegExp(`^${parts.join('\\*')}$`);
}

function scalarMatches(actual: unknown, expected: string, name: string): boolean {
  if (Array.isArray(actual)) return actual.some((value) => scalarMatches(value, expected, name));
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  if (name === 'name' && expected.includes('*')) return wildcard(expected).test(String(actual));
  return String(actual) === expected;
}

function simpleFilter(name: string, raw: string): (item: QueryItem) => boolean {
  const negate = raw.startsWith('!');
  const values = (negate ? raw.slice(1) : raw).split(',');
  return (item) => {
    const actual = valueOf(item, name);
    const any = values.some((value) => scalarMatches(actual, value, name));
    return negate ? !any : any;
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function compareValues(actual: unknown, expected: string, name: string): number | undefined {
  if (actual === undefined || actual === null || typeof actual === 'object') return undefined;
  if (name === 'version' && typeof actual === 'string') return compareVersions(actual, expected);
  if (typeof actual === 'number' && expected.trim() !== '' && !Number.isNaN(Number(expected))) return actual - Number(expected);
  const text = String(actual);
  return text < expected ? -1 : text > expected ? 1 : 0;
}

const CONDITION = /^([^=!<>~]+)(==|!=|<=|>=|<|>|~)(.*)$/;

function propertyCondition(raw: string): (item: QueryItem) => boolean {
  const match = CONDITION.exec(raw);
  if (!match) {
    const negate = raw.startsWith('!');
    const name = negate ? raw.slice(1) : raw;
    if (name === '') throw legacyError(400, `Invalid property filter '${raw}'`);
    return (item) => (valueOf(item, name) !== undefined) !== negate;
  }
  const [, name = '', op, expected = ''] = match;
  if (op === '~') {
    let pattern: RegExp;
    try {
      pattern = new RegExp(expected);
    } catch {
      throw legacyError(400, `Invalid regular expression in property filter '${raw}'`);
    }
    return (item) => {
      const actual = valueOf(item, name);
      return actual !== undefined && actual !== null && typeof actual !== 'object' && pattern.test(String(actual));
    };
  }
  return (item) => {
    const actual = valueOf(item, name);
    if (op === '==' && name === 'name' && expected.includes('*')) return scalarMatches(actual, expected, name);
    const order = compareValues(actual, expected, name);
    if (order === undefined) return op === '!=';
    switch (op) {
      case '==':
        return order === 0;
      case '!=':
        return order !== 0;
      case '<':
        return order < 0;
      case '<=':
        return order <= 0;
      case '>':
        return order > 0;
      default:
        return order >= 0;
    }
  };
}

function tagFilter(raw: string): (item: QueryItem) => boolean {
  const wanted = raw.split(',').map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw legacyError(400, `Invalid tags filter '${pair}': expected {TAG}:{VALUE}`);
    return { tag: pair.slice(0, colon), value: wildcard(pair.slice(colon + 1)) };
  });
  return (item) => {
    const tags = item.body.tags;
    if (!tags || typeof tags !== 'object') return false;
    return wanted.every(({ tag, value }) => {
      const values = (tags as Record<string, unknown>)[tag];
      return Array.isArray(values) && values.some((v) => value.test(String(v)));
    });
  };
}

function timeBound(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value)) throw legacyError(400, `Invalid ${name} value '${raw}': expected epoch milliseconds`);
  return value;
}

function availableDate(item: QueryItem, key: 'startDate' | 'endDate'): number | undefined {
  const dates = item.body.availableDates as Record<string, unknown> | undefined;
  const value = dates?.[key];
  return typeof value === 'number' ? value : undefined;
}

function orderingOf(query: URLSearchParams): Array<{ name: string; desc: boolean }> {
  const raw = query.get('orderBy') ?? query.get('sort');
  if (!raw) return [];
  return raw.split(',').filter(Boolean).map((part) => {
    if (part.startsWith('desc:')) return { name: part.slice(5), desc: true };
    if (part.startsWith('asc:')) return { name: part.slice(4), desc: false };
    return { name: part, desc: false };
  });
}

export function project(body: CatalogBody, properties: readonly string[] | undefined): CatalogBody {
  if (!properties) return body;
  const out: CatalogBody = {};
  for (const name of properties) if (body[name] !== undefined) out[name] = body[name];
  return out;
}

export function propertiesOf(query: URLSearchParams): string[] | undefined {
  const raw = query.get('properties');
  if (raw === null) return undefined;
  return raw.split(',').map((p) => p.trim()).filter(Boolean);
}

/** Filters, orders, pages and projects `items`; returns the Catalog's id-keyed object. */
/** `maxLimit` narrows the allowed `limit` (20 for datasets projected with `observableSchema`). */
export function runListQuery(items: readonly QueryItem[], query: URLSearchParams, maxLimit = MAX_LIMIT): Record<string, CatalogBody> {
  return listPage(items, query, maxLimit).objects;
}

/** One page of a list query, with where it starts and how many objects matched in all (for `Content-Range`). */
export interface ListPage {
  readonly objects: Record<string, CatalogBody>;
  readonly start: number;
  readonly count: number;
  readonly total: number;
}

export function listPage(items: readonly QueryItem[], query: URLSearchParams, maxLimit = MAX_LIMIT): ListPage {
  const limit = integerParam(query, 'limit', DEFAULT_LIMIT, 1, maxLimit);
  const start = integerParam(query, 'start', 0, 0, Number.MAX_SAFE_INTEGER);
  const filters: Array<(item: QueryItem) => boolean> = [];
  for (const [name, value] of query) {
    if (!RESERVED_PARAMETERS.has(name)) filters.push(simpleFilter(name, value));
  }
  for (const condition of query.getAll('property')) filters.push(propertyCondition(condition));
  const tags = query.get('tags');
  if (tags) filters.push(tagFilter(tags));
  const createdAfter = timeBound(query, 'createdAfter');
  const createdBefore = timeBound(query, 'createdBefore');
  if (createdAfter !== undefined) filters.push((item) => Number(item.body.created) > createdAfter);
  if (createdBefore !== undefined) filters.push((item) => Number(item.body.created) < createdBefore);
  const ranges: Array<[string, 'startDate' | 'endDate', 1 | -1]> = [
    ['startAfter', 'startDate', 1],
    ['startBefore', 'startDate', -1],
    ['endAfter', 'endDate', 1],
    ['endBefore', 'endDate', -1],
  ];
  for (const [param, key, direction] of ranges) {
    const bound = timeBound(query, param);
    if (bound === undefined) continue;
    filters.push((item) => {
      const value = availableDate(item, key);
      return value !== undefined && (direction === 1 ? value > bound : value < bound);
    });
  }
  const matched = items.filter((item) => filters.every((accept) => accept(item)));
  const ordering = orderingOf(query);
  if (ordering.length > 0) {
    matched.sort((a, b) => {
      for (const { name, desc } of ordering) {
        const va = valueOf(a, name);
        const vb = valueOf(b, name);
        let order: number;
        if (va === undefined || vb === undefined) order = va === vb ? 0 : va === undefined ? 1 : -1;
        else order = compareValues(va, String(vb), name) ?? 0;
        if (order !== 0) return desc ? -order : order;
      }
      return 0;
    });
  }
  const properties = propertiesOf(query);
  const out: Record<string, CatalogBody> = {};
  const page = matched.slice(start, start + limit);
  for (const item of page) out[item.id] = project(item.body, properties);
  return { objects: out, start, count: page.length, total: matched.length };
}
