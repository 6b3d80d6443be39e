import { describe, expect, it } from 'vitest';
import { findBreakingChange } from '../../../src/emulator/schema-registry/evolution.ts';
import { globalResource } from '../../../src/emulator/schema-registry/global-resources.ts';
import type { XdmResource } from '../../../src/emulator/schema-registry/kinds.ts';
import { UnresolvedReferenceError, resolveResource, withoutText, xdmTypeOf } from '../../../src/emulator/schema-registry/resolve.ts';
import type { ResolvedField } from '../../../src/emulator/schema-registry/resolve.ts';

const lookup = (extra: XdmResource[] = []) => (id: string) => extra.find((r) => r.$id === id) ?? globalResource(id);

function resource(id: string, fields: Partial<XdmResource>): XdmResource {
  return { $id: id, 'meta:altId': id, 'meta:resourceType': 'mixins', title: id, version: '1.0', type: 'object', ...fields } as XdmResource;
}

const field = (xdm: string, extra: Partial<ResolvedField> = {}): ResolvedField => ({ 'meta:xdmType': xdm, ...extra });
const root = (properties: Record<string, ResolvedField>): ResolvedField => ({ 'meta:xdmType': 'object', properties });

describe('xdmTypeOf', () => {
  it('should tell integer subtypes apart by their bounds', () => {
    expect(xdmTypeOf({ type: 'integer', minimum: -128, maximum: 128 })).toBe('byte');
    expect(xdmTypeOf({ type: 'integer', minimum: -32768, maximum: 32768 })).toBe('short');
    expect(xdmTypeOf({ type: 'integer', minimum: -2147483648, maximum: 2147483648 })).toBe('int');
    expect(xdmTypeOf({ type: 'integer', minimum: -9007199254740992, maximum: 9007199254740992 })).toBe('long');
    expect(xdmTypeOf({ type: 'integer' })).toBe('long');
  });

  it('should map strings with formats, maps and the rest', () => {
    expect(xdmTypeOf({ type: 'string', format: 'date' })).toBe('date');
    expect(xdmTypeOf({ type: 'string', format: 'date-time' })).toBe('date-time');
    expect(xdmTypeOf({ type: 'string', format: 'email' })).toBe('string');
    expect(xdmTypeOf({ type: 'object', 'meta:xdmType': 'map', additionalProperties: { type: 'string' } })).toBe('map');
    expect(xdmTypeOf({ type: 'object', additionalProperties: { type: 'string' } })).toBe('map');
    expect(xdmTypeOf({ type: 'object', properties: {} })).toBe('object');
    expect(xdmTypeOf({ type: 'number' })).toBe('number');
    expect(xdmTypeOf({ type: 'boolean' })).toBe('boolean');
    expect(xdmTypeOf({ type: 'array', items: {} })).toBe('array');
  });
});

describe('resolveResource', () => {
  it('should merge two field groups that both add to the same namespace, keeping required', () => {
    const a = resource('urn:a', {
      definitions: { d: { properties: { _t: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] } } } },
      allOf: [{ $ref: '#/definitions/d' }],
    });
    const b = resource('urn:b', { properties: { _t: { type: 'object', properties: { y: { type: 'boolean' } } } } });
    const schema = resource('urn:s', { allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/experienceevent' }, { $ref: 'urn:a' }, { $ref: 'urn:b' }] });
    const resolved = resolveResource(schema, lookup([a, b]));
    expect(resolved.required).toEqual(['_id', 'timestamp']);
    expect(resolved.properties.timestamp?.['meta:xdmType']).toBe('date-time');
    expect(resolved.properties._t?.required).toEqual(['x']);
    expect(Object.keys(resolved.properties._t?.properties ?? {})).toEqual(['x', 'y']);
    expect(resolved.allOf).toBeUndefined();
  });

  it('should refuse a dangling reference and survive a cycle', () => {
    const dangling = resource('urn:d', { allOf: [{ $ref: 'urn:missing' }] });
    expect(() => resolveResource(dangling, lookup())).toThrow(UnresolvedReferenceError);
    const x = resource('urn:x', { allOf: [{ $ref: 'urn:y' }], properties: { a: { type: 'string' } } });
    const y = resource('urn:y', { allOf: [{ $ref: 'urn:x' }], properties: { b: { type: 'string' } } });
    expect(Object.keys(resolveResource(x, lookup([x, y])).properties).sort()).toEqual(['a', 'b']);
  });

  it('should strip titles but not fields named title in the notext view', () => {
    const r = resource('urn:n', { properties: { title: { type: 'string', title: 'Title', description: 'd' } } });
    const stripped = withoutText(resolveResource(r, lookup()));
    expect(stripped.properties.title).toEqual({ type: 'string', 'meta:xdmType': 'string' });
    expect(stripped.title).toBe('urn:n');
  });
});

describe('findBreakingChange', () => {
  const before = root({ a: field('string', { enum: ['x', 'y'] }), o: field('object', { properties: { n: field('int') } }), l: field('array', { items: field('string') }) });

  it('should allow additions, wider enums and dropped restrictions', () => {
    expect(findBreakingChange(before, before)).toBeNull();
    const after = root({
      a: field('string', { enum: ['x', 'y', 'z'] }),
      o: field('object', { properties: { n: field('int'), m: field('string') } }),
      l: field('array', { items: field('string') }),
      added: field('boolean'),
    });
    expect(findBreakingChange(before, after)).toBeNull();
    expect(findBreakingChange(root({ s: field('string', { maxLength: 5 }) }), root({ s: field('string') }))).toBeNull();
  });

  it('should name removed fields, changed types and narrowed values', () => {
    expect(findBreakingChange(before, root({ a: before.properties!.a!, l: before.properties!.l! }))).toContain('/o was removed');
    expect(findBreakingChange(before, root({ ...before.properties, o: field('object', { properties: { n: field('long') } }) }))).toContain('/o/n');
    expect(findBreakingChange(before, root({ ...before.properties, a: field('string', { enum: ['x'] }) }))).toContain('"y"');
    expect(findBreakingChange(before, root({ ...before.properties, l: field('array', { items: field('int') }) }))).toContain('/l[]');
    expect(findBreakingChange(root({ s: field('string') }), root({ s: field('string', { enum: ['a'] }) }))).toContain('enum was added');
    expect(findBreakingChange(root({ s: field('string') }), root({ s: field('string', { maxLength: 3 }) }))).toContain('maxLength');
  });
});
