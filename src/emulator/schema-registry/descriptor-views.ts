// The two lookup views that bring a schema's descriptors into it
// (platform-api.md §2.2): `xed-full-desc` embeds each descriptor under
// `meta:descriptors`, as the XDM standard places embedded descriptors: on
// the field its `xdm:sourceProperty` names, or at the root when it names
// none; `xed-deprecatefield` marks the fields a `xdm:descriptorDeprecated`
// names with `meta:status: "deprecated"` (custom fields deprecated in their
// own resource carry it in every view already).
import type { JsonObject } from './kinds.ts';
import { fieldAt } from './descriptors.ts';
import type { ResolvedField, ResolvedSchema } from './resolve.ts';

export type DescriptorView = 'embedded' | 'deprecations';

function sourcePaths(descriptor: JsonObject): string[] {
  const property = descriptor['xdm:sourceProperty'];
  if (typeof property === 'string') return [property];
  return Array.isArray(property) ? property.filter((p): p is string => typeof p === 'string') : [];
}

function embed(target: ResolvedField, descriptor: JsonObject): void {
  const list = Array.isArray(target['meta:descriptors']) ? (target['meta:descriptors'] as unknown[]) : [];
  target['meta:descriptors'] = [...list, descriptor];
}

/** A copy of a resolved schema with its descriptors applied as the view asks; the input is left as it was. */
export function applyDescriptorView(view: DescriptorView, resolved: ResolvedSchema, descriptors: readonly JsonObject[]): ResolvedSchema {
  const out = structuredClone(resolved);
  for (const descriptor of descriptors) {
    const paths = sourcePaths(descriptor);
    if (view === 'embedded') {
      if (paths.length === 0) embed(out, descriptor);
      for (const path of paths) {
        // A descriptor whose field was removed since has nowhere to go.
        const field = fieldAt(out.properties, path);
        if (field) embed(field, descriptor);
      }
    } else if (descriptor['@type'] === 'xdm:descriptorDeprecated') {
      for (const path of paths) {
        const field = fieldAt(out.properties, path);
        if (field) field['meta:status'] = 'deprecated';
      }
    }
  }
  return out;
}
