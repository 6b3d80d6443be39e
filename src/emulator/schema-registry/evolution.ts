// Once data was ingested with a schema, only additive changes are allowed
// (platform-api.md §2.11): fields may be added, made optional, re-titled;
// they may not be removed, retyped, or have their allowed values narrowed.
import type { ResolvedField } from './resolve.ts';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function narrowed(before: ResolvedField, after: ResolvedField, path: string): string | null {
  if (Array.isArray(before.enum)) {
    if (!Array.isArray(after.enum)) return null;
    const kept = new Set(after.enum.map((v) => JSON.stringify(v)));
    const lost = before.enum.filter((v) => !kept.has(JSON.stringify(v)));
    if (lost.length > 0) return `enum values ${lost.map((v) => JSON.stringify(v)).join(', ')} were removed from ${path}`;
  } else if (Array.isArray(after.enum)) {
    return `an enum was added to ${path}, restricting its allowed values`;
  }
  if (typeof after.minimum === 'number' && (typeof before.minimum !== 'number' || after.minimum > before.minimum)) {
    return `the minimum of ${path} was raised`;
  }
  if (typeof after.maximum === 'number' && (typeof before.maximum !== 'number' || after.maximum < before.maximum)) {
    return `the maximum of ${path} was lowered`;
  }
  if (typeof after.maxLength === 'number' && (typeof before.maxLength !== 'number' || after.maxLength < before.maxLength)) {
    return `the maxLength of ${path} was lowered`;
  }
  if (typeof after.minLength === 'number' && (typeof before.minLength !== 'number' || after.minLength > before.minLength)) {
    return `the minLength of ${path} was raised`;
  }
  if (after.pattern !== undefined && !same(after.pattern, before.pattern)) return `the pattern of ${path} was changed`;
  if (after.format !== undefined && !same(after.format, before.format)) return `the format of ${path} was changed`;
  return null;
}

function compareField(before: ResolvedField, after: ResolvedField, path: string): string | null {
  if (before['meta:xdmType'] !== after['meta:xdmType']) {
    return `the type of ${path} changed from ${before['meta:xdmType']} to ${after['meta:xdmType']}`;
  }
  const narrowing = narrowed(before, after, path);
  if (narrowing) return narrowing;
  if (before.properties) {
    const found = compareProperties(before.properties, after.properties ?? {}, path);
    if (found) return found;
  }
  if (before.items && after.items) {
    const found = compareField(before.items, after.items, `${path}[]`);
    if (found) return found;
  }
  if (typeof before.additionalProperties === 'object' && typeof after.additionalProperties === 'object') {
    return compareField(before.additionalProperties, after.additionalProperties, `${path}{}`);
  }
  return null;
}

function compareProperties(before: Record<string, ResolvedField>, after: Record<string, ResolvedField>, path: string): string | null {
  for (const [name, field] of Object.entries(before)) {
    const next = after[name];
    const fieldPath = `${path}/${name}`;
    if (!next) return `the field ${fieldPath} was removed`;
    const found = compareField(field, next, fieldPath);
    if (found) return found;
  }
  return null;
}

/** The first non-additive difference between two resolved versions of a schema, or null. */
export function findBreakingChange(before: ResolvedField, after: ResolvedField): string | null {
  return compareProperties(before.properties ?? {}, after.properties ?? {}, '');
}
