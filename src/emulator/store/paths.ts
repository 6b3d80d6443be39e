// Client-supplied names (file names inside a batch, `?path=` values) become
// paths under the data dir. This is the one place that decides which names
// are safe, so that no request can read or write outside its folder.
import { resolve, sep } from 'node:path';
import { legacyError } from '../errors.ts';

/** Longest accepted relative path, and longest single segment (a common file-system limit). */
export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_LENGTH = 255;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Checks a client-supplied relative name ("a/b.json") and returns it
 * normalised (forward slashes, no empty or "." segments). Anything that could
 * escape its folder or confuse a file system gets the Platform's 400:
 * `..` segments, absolute paths, drive letters, backslashes, NUL and other
 * control characters, over-long names.
 */
export function safeRelativePath(name: string): string {
  const bad = (why: string) => legacyError(400, `Invalid file name: ${why}`);
  if (typeof name !== 'string' || name.length === 0) throw bad('empty');
  if (name.length > MAX_PATH_LENGTH) throw bad(`longer than ${MAX_PATH_LENGTH} characters`);
  if (CONTROL_CHARS.test(name)) throw bad('control characters are not allowed');
  if (name.includes('\\')) throw bad('backslashes are not allowed');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw bad('absolute paths are not allowed');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) throw bad('empty');
  for (const segment of segments) {
    if (segment === '..') throw bad('".." is not allowed');
    if (segment.length > MAX_SEGMENT_LENGTH) throw bad(`a path segment is longer than ${MAX_SEGMENT_LENGTH} characters`);
  }
  return segments.join('/');
}

/** Joins safe names under `root` and checks, once more, that the result stays inside it. */
export function resolveUnder(root: string, ...names: string[]): string {
  const base = resolve(root);
  const full = resolve(base, ...names.map(safeRelativePath));
  if (full !== base && !full.startsWith(base + sep)) throw legacyError(400, 'Invalid file name: outside the data folder');
  return full;
}
