import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { resolveInfoFor } from '../../helpers/resolve-info.ts';
import { keyAfter, keyCursor, offsetAfter, offsetConnection, offsetCursor, pageSize } from '../../../src/gateway/paging.ts';
import { catalogProperties, selectedNodeFields, selectsPageInfo } from '../../../src/gateway/selection.ts';

describe('cursors', () => {
  it('should continue after the offset of a cursor and refuse cursors of another kind', () => {
    expect(offsetAfter(undefined)).toBe(0);
    expect(offsetAfter(offsetCursor(41))).toBe(42);
    expect(keyAfter(keyCursor('Loyalty Members'))).toBe('Loyalty Members');
    expect(() => offsetAfter(keyCursor('x'))).toThrow(/cursor/);
    expect(() => keyAfter(offsetCursor(3))).toThrow(/cursor/);
    expect(() => offsetAfter('%%%')).toThrow(/cursor/);
  });

  it('should build edges, nodes and page info from one Catalog page', () => {
    const page = offsetConnection(['a', 'b'], 10, true);
    expect(page.nodes).toEqual(['a', 'b']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: offsetCursor(10), endCursor: offsetCursor(11) });
    expect(offsetConnection([], 0, false).pageInfo.endCursor).toBeNull();
  });

  it('should keep page sizes within 1..100', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(() => pageSize(0)).toThrow();
    expect(() => pageSize(101)).toThrow();
  });
});

describe('selection', () => {
  const schema = buildSchema(`
    type Item { id: ID! name: String created: String tags: String }
    type Edge { node: Item! cursor: String! }
    type PageInfo { hasNextPage: Boolean! }
    type Conn { edges: [Edge!]! nodes: [Item!]! pageInfo: PageInfo! }
    type Query { items: Conn! }
  `);

  const infoFor = (query: string) => resolveInfoFor(schema, query);

  it('should see node fields through edges, nodes and fragments', () => {
    const info = infoFor('{ items { edges { node { id ...F } } nodes { ... on Item { created } } } } fragment F on Item { name }');
    expect([...selectedNodeFields(info)].sort()).toEqual(['created', 'id', 'name']);
    expect(selectsPageInfo(info)).toBe(false);
    expect(selectsPageInfo(infoFor('{ items { pageInfo { hasNextPage } } }'))).toBe(true);
  });

  it('should map fields to Catalog properties, or ask for all when a field is unknown', () => {
    const map = { id: [], name: ['name'], created: ['created'] };
    expect(catalogProperties(new Set(['id', 'name', '__typename']), map, 'name')).toEqual(['name']);
    expect(catalogProperties(new Set(['id']), map, 'name')).toEqual(['name']);
    expect(catalogProperties(new Set(['id', 'tags']), map, 'name')).toBeUndefined();
  });
});
