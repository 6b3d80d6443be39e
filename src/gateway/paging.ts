// Relay connections over the Platform's two paging styles:
// - Catalog: offset paging (`start`, `limit` 1..100). A cursor is the opaque
//   base64 of an item's offset; `after` continues at the next offset.
// - Schema Registry: ordered by title, `start` = the title to continue after,
//   `_page.next` null on the last page. A cursor is the opaque base64 of the
//   item's title.
// hasNextPage is never guessed: the Catalog client asks for one more item
// (or probes after a full page of 100, only when the query selects pageInfo),
// the Registry says whether `next` exists.
import { badUserInput } from './errors.ts';

/** The Catalog's page size limit, and so the largest `first`. */
export const MAX_PAGE_SIZE = 100;

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface Connection<T> {
  readonly edges: Array<Edge<T>>;
  readonly nodes: T[];
  readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  readonly totalCount: number | null;
}

const OFFSET_PREFIX = 'offset:';
const AFTER_PREFIX = 'after:';

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decode(cursor: string, prefix: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(prefix) || encode(text) !== cursor.replace(/=+$/, '')) throw badUserInput(`"after" is not a cursor of this list: ${JSON.stringify(cursor)}`);
  return text.slice(prefix.length);
}

/** Checks `first`: 1..100. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`"first" must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`);
  }
  return size;
}

export function offsetCursor(offset: number): string {
  return encode(`${OFFSET_PREFIX}${offset}`);
}

/** The offset to start at for `after` (0 without one). */
export function offsetAfter(after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const offset = Number(decode(after, OFFSET_PREFIX));
  if (!Number.isSafeInteger(offset) || offset < 0) throw badUserInput(`"after" is not a cursor of this list: ${JSON.stringify(after)}`);
  return offset + 1;
}

export function keyCursor(key: string): string {
  return encode(`${AFTER_PREFIX}${key}`);
}

/** The key (a Registry title) to continue after, or undefined without `after`. */
export function keyAfter(after: string | null | undefined): string | undefined {
  if (after === null || after === undefined) return undefined;
  return decode(after, AFTER_PREFIX);
}

/**
 * A page of a list. `nodes` and `pageInfo` are built only when a query reads
 * them: a page of 100 items selected through `edges` pays for neither.
 */
class Page<T> implements Connection<T> {
  constructor(
    readonly edges: Array<Edge<T>>,
    private readonly hasNextPage: boolean,
    readonly totalCount: number | null,
  ) {}

  get nodes(): T[] {
    return this.edges.map((edge) => edge.node);
  }

  get pageInfo(): Connection<T>['pageInfo'] {
    return {
      hasNextPage: this.hasNextPage,
      hasPreviousPage: false,
      startCursor: this.edges[0]?.cursor ?? null,
      endCursor: this.edges.at(-1)?.cursor ?? null,
    };
  }
}

export function connection<T>(edges: Array<Edge<T>>, hasNextPage: boolean, totalCount: number | null = null): Connection<T> {
  return new Page(edges, hasNextPage, totalCount);
}

/** An edge of an offset-paged list: its cursor is encoded only when a query reads it. */
class OffsetEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly offset: number,
  ) {}

  get cursor(): string {
    return offsetCursor(this.offset);
  }
}

/** A connection over one Catalog page that started at `start`. */
export function offsetConnection<T>(items: readonly T[], start: number, hasMore: boolean): Connection<T> {
  const edges = new Array<Edge<T>>(items.length);
  for (let i = 0; i < items.length; i++) edges[i] = new OffsetEdge(items[i]!, start + i);
  return connection(edges, hasMore);
}
