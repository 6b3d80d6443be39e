// The Schema Registry's Accept rules (platform-api.md §2.2): listings take
// `xed-id` or `xed` without a version; lookups take one of the `xed*` types
// with `version=1`.
import { legacyError, registryError } from '../errors.ts';
import type { DescriptorView } from './descriptor-views.ts';

export type ListFormat = 'ids' | 'full-objects';

export interface LookupFormat {
  /** $ref/allOf resolved into properties. */
  readonly resolved: boolean;
  /** Titles and descriptions removed. */
  readonly noText: boolean;
  /** How a schema's descriptors enter the view, if at all. */
  readonly descriptors?: DescriptorView;
  /** The media type echoed back as the response Content-Type. */
  readonly mediaType: string;
}

const LOOKUP_VARIANTS: Record<string, Omit<LookupFormat, 'mediaType'>> = {
  xed: { resolved: false, noText: false },
  'xed-notext': { resolved: false, noText: true },
  'xed-full': { resolved: true, noText: false },
  'xed-full-notext': { resolved: true, noText: true },
  'xed-full-desc': { resolved: true, noText: false, descriptors: 'embedded' },
  'xed-deprecatefield': { resolved: true, noText: false, descriptors: 'deprecations' },
};

interface Parsed {
  readonly type: string;
  readonly version: string | undefined;
}

function parse(accept: string): Parsed {
  const [type = '', ...params] = accept.split(';').map((part) => part.trim());
  let version: string | undefined;
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim());
    if (name?.toLowerCase() === 'version') version = value ?? '';
  }
  return { type: type.toLowerCase(), version };
}

export function listFormat(accept: string | undefined): ListFormat {
  const parsed = parse(accept ?? '');
  const ok = parsed.type === 'application/vnd.adobe.xed-id+json' || parsed.type === 'application/vnd.adobe.xed+json';
  if (!ok || parsed.version !== undefined) {
    throw registryError(
      'XDM-1006-400',
      'Accept header invalid',
      `The supplied Accept header is not valid: ${accept ?? ''} - A valid Accept value should look like application/vnd.adobe.{xed|xdm}+json`,
    );
  }
  return parsed.type === 'application/vnd.adobe.xed-id+json' ? 'ids' : 'full-objects';
}

export function lookupFormat(accept: string | undefined): LookupFormat {
  const parsed = parse(accept ?? '');
  const match = /^application\/vnd\.adobe\.([a-z-]+)\+json$/.exec(parsed.type);
  const variant = match ? LOOKUP_VARIANTS[match[1]!] : undefined;
  if (!variant || parsed.version === undefined) {
    throw registryError(
      'XDM-1007-400',
      'Accept header invalid',
      `The supplied Accept header is not valid: ${accept ?? ''} - A valid Accept value should look like application/vnd.adobe.{xed|xdm}+json; version=1 (Version should be specified)`,
    );
  }
  // Only major version 1 exists; a lookup always returns its latest minor.
  if (parsed.version !== '1') throw legacyError(406, 'The specified `Accept` format/version is not available for this resource.');
  return { ...variant, mediaType: `${parsed.type}; version=1` };
}

export type DescriptorListFormat = 'ids' | 'links' | 'objects';

const DESCRIPTOR_LIST_TYPES: Record<string, DescriptorListFormat> = {
  'application/vnd.adobe.xdm-id+json': 'ids',
  'application/vnd.adobe.xdm-link+json': 'links',
  'application/vnd.adobe.xdm+json': 'objects',
  'application/vnd.adobe.xdm-v2-id+json': 'ids',
  'application/vnd.adobe.xdm-v2-link+json': 'links',
  'application/vnd.adobe.xdm-v2+json': 'objects',
};

export function descriptorListFormat(accept: string | undefined): DescriptorListFormat {
  const format = DESCRIPTOR_LIST_TYPES[parse(accept ?? '').type];
  if (!format) {
    throw registryError(
      'XDM-1008-400',
      'Accept header invalid',
      `The supplied Accept header is not valid: ${accept ?? ''} - A valid Accept value should look like application/vnd.adobe.xdm-id+json`,
    );
  }
  return format;
}

/**
 * The docs say a descriptor lookup needs no Accept; the OpenAPI document's
 * XDM-1009 says it should be xdm+json. Both are honoured: no Accept, plain
 * JSON or xdm+json pass, any other vendor type is refused.
 */
export function checkDescriptorLookupAccept(accept: string | undefined): void {
  const { type } = parse(accept ?? '');
  if (type === '' || type === '*/*' || type === 'application/json' || type === 'application/vnd.adobe.xdm+json') return;
  throw registryError(
    'XDM-1009-400',
    'Accept header invalid',
    `The supplied Accept header is not valid: ${accept ?? ''} - A valid Accept value should look like application/vnd.adobe.xdm+json`,
  );
}
