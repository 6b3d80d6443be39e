// Listing envelope and paging (platform-api.md §2.3): `orderby` (comma list,
// '-' for descending), `start` (continue strictly after this value of the
// primary sort property), `limit` (0..300 here; the Platform caps at 300),
// `property` filters; `{results, _page: {orderby, next, count}, _links}`.
import { isObject } from './kinds.ts';
import type { XdmResource } from './kinds.ts';
import { invalidQuery } from './registry-errors.ts';

export const MAX_RESULTS = 300;

export interface ListQuery {
  readonly orderby?: string;
  readonly start?: string;
  readonly limit?: string;
  readonly property: string[];
}

export interface ListPage {
  readonly items: XdmResource[];
  readonly orderby: string | null;
  readonly next: string | null;
}

function value(resource: XdmResource, property: string): unknown {
  // Properties are top-level names such as "title" or "meta:intendedToExtend".
  return resource[property];
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en');
}

const FILTER = /^(!?)([A-Za-z0-9:_$@.-]+)\s*(==|!=|<=|>=|<|>|~)?\s*(.*)$/;

function propertyFilter(expression: string): (resource: XdmResource) => boolean {
  const match = FILTER.exec(expression.trim());
  if (!match) throw invalidQuery(`Invalid property filter: ${expression}`);
  const [, negate, name = '', op, operand = ''] = match;
  if (!op) return (resource) => (value(resource, name) !== undefined) !== (negate === '!');
  let regex: RegExp | undefined;
  if (op === '~') {
    try {
      regex = new RegExp(operand);
    } catch {
      throw invalidQuery(`Invalid regular expression in property filter: ${operand}`);
    }
  }
  return (resource) => {
    const actual = value(resource, name);
    const candidates = Array.isArray(actual) ? actual : [actual];
    const test = (v: unknown): boolean => {
      if (v === undefined) return false;
      const text = isObject(v) ? JSON.stringify(v) : String(v);
      switch (op) {
        case '==':
          return text === operand;
        case '!=':
          return text !== operand;
        case '~':
          return regex!.test(text);
        default: {
          const numeric = Number(operand);
          const cmp = typeof v === 'number' && !Number.isNaN(numeric) ? v - numeric : text.localeCompare(operand, 'en');
          return op === '<' ? cmp < 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : cmp >= 0;
        }
      }
    };
    return op === '!=' ? candidates.every(test) : candidates.some(test);
  };
}

export function pageOf(all: XdmResource[], query: ListQuery): ListPage {
  if ((query.start !== undefined || query.limit !== undefined) && !query.orderby) {
    throw invalidQuery('The start and limit parameters are only valid together with orderby.');
  }
  let limit = MAX_RESULTS;
  if (query.limit !== undefined) {
    if (!/^\d+$/.test(query.limit)) throw invalidQuery(`Invalid limit: ${query.limit}. It must be an integer from 0 to ${MAX_RESULTS}.`);
    limit = Math.min(Number(query.limit), MAX_RESULTS);
  }
  let items = all;
  for (const expression of query.property) items = items.filter(propertyFilter(expression));
  if (!query.orderby) {
    const page = items.slice(0, limit);
    return { items: page, orderby: null, next: null };
  }
  const keys = query.orderby.split(',').map((k) => k.trim()).filter(Boolean);
  if (keys.length === 0) throw invalidQuery('orderby must name at least one property.');
  const order = keys.map((key) => (key.startsWith('-') ? { name: key.slice(1), dir: -1 } : { name: key.replace(/^\+/, ''), dir: 1 }));
  const primary = order[0]!;
  items = [...items].sort((a, b) => {
    for (const { name, dir } of order) {
      const c = compare(value(a, name), value(b, name)) * dir;
      if (c !== 0) return c;
    }
    return 0;
  });
  if (query.start !== undefined) {
    const start = query.start;
    items = items.filter((item) => compare(value(item, primary.name), start) * primary.dir > 0);
  }
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  const next = items.length > page.length && last ? String(value(last, primary.name) ?? '') : null;
  return { items: page, orderby: query.orderby, next };
}
