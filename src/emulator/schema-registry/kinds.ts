// The four resource kinds of the Schema Registry and how each is named in
// paths, `$id`s, `meta:resourceType` and 404 bodies (platform-api.md §2.1, §2.14).
export type ResourceType = 'schemas' | 'mixins' | 'classes' | 'datatypes';

export interface ResourceKind {
  readonly resourceType: ResourceType;
  /** The `$id` path segment: field groups keep the old name "mixins". */
  readonly idSegment: string;
  /** "schema", "mixin", ...: the word in "The requested <kind> resource ... is not found." */
  readonly noun: string;
  readonly notFoundCode: string;
}

export const KINDS: Readonly<Record<ResourceType, ResourceKind>> = {
  schemas: { resourceType: 'schemas', idSegment: 'schemas', noun: 'schema', notFoundCode: 'XDM-1010-404' },
  mixins: { resourceType: 'mixins', idSegment: 'mixins', noun: 'mixin', notFoundCode: 'XDM-1011-404' },
  classes: { resourceType: 'classes', idSegment: 'classes', noun: 'class', notFoundCode: 'XDM-1012-404' },
  datatypes: { resourceType: 'datatypes', idSegment: 'datatypes', noun: 'datatype', notFoundCode: 'XDM-1013-404' },
};

/** Path segment -> kind; `fieldgroups` and its deprecated alias `mixins` are one kind. */
export const PATH_KINDS: Readonly<Record<string, ResourceKind>> = {
  schemas: KINDS.schemas,
  fieldgroups: KINDS.mixins,
  mixins: KINDS.mixins,
  classes: KINDS.classes,
  datatypes: KINDS.datatypes,
};

/** `https://ns.adobe.com/xdm/context/profile` -> `_xdm.context.profile`. */
export function altIdOf(id: string): string {
  const rest = id.replace(/^https?:\/\/ns\.adobe\.com\//, '');
  return `_${rest.replaceAll('/', '.')}`;
}

export type JsonObject = Record<string, unknown>;

/** A stored or standard registry resource: `$id`, `meta:altId`, `title` and whatever else it carries. */
export interface XdmResource extends JsonObject {
  $id: string;
  'meta:altId': string;
  'meta:resourceType': ResourceType | 'behaviors' | 'unions';
  title: string;
  version: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
