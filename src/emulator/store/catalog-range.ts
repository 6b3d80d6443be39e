// The older way to page a Catalog list (platform-api.md §3.2, legacy): the
// request header `Range: objects=140-141` asks for the objects at indices
// 140 to 141, and the answer says what it holds in
// `Content-Range: objects 140-141/311` (311 matched in all). It is `start`
// and `limit` in other words, so the query parameters win when both are sent.
// A Range in another unit is not Catalog's and is left alone, as HTTP has it.
// A range past the last object answers an empty page with `objects *` and the total.
import { legacyError } from '../errors.ts';

export interface ObjectsRange {
  readonly first: number;
  readonly last: number;
}

const OBJECTS_RANGE = /^objects=(\d+)-(\d+)$/;

/** The requested objects range, or undefined when there is no `objects` Range to honour. */
export function parseObjectsRange(value: string | undefined, maxLimit: number): ObjectsRange | undefined {
  if (value === undefined) return undefined;
  const compact = value.replace(/\s+/g, '').toLowerCase();
  if (!compact.startsWith('objects=')) return undefined;
  const match = OBJECTS_RANGE.exec(compact);
  if (!match) throw legacyError(400, `Invalid Range '${value}': use objects=<first>-<last>, zero-based and inclusive`);
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) throw legacyError(400, `Invalid Range '${value}': the indices are too large`);
  if (last < first) throw legacyError(400, `Invalid Range '${value}': the last index must not be before the first`);
  if (last - first + 1 > maxLimit) {
    throw legacyError(400, `Invalid Range '${value}': it asks for ${last - first + 1} objects, at most ${maxLimit} come per page`);
  }
  return { first, last };
}

/** The query with the range as start and limit, unless the query pages by itself. */
export function withObjectsRange(query: URLSearchParams, range: ObjectsRange | undefined): { query: URLSearchParams; honoured: boolean } {
  if (!range || query.has('start') || query.has('limit')) return { query, honoured: false };
  const paged = new URLSearchParams(query);
  paged.set('start', String(range.first));
  paged.set('limit', String(range.last - range.first + 1));
  return { query: paged, honoured: true };
}

// `objects 140-141/311`; a star in place of the indices when the range starts past the last object.
export function contentRangeOf(start: number, count: number, total: number): string {
  return count === 0 ? `objects */${total}` : `objects ${start}-${start + count - 1}/${total}`;
}
