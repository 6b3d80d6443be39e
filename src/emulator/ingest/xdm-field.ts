// The part of a resolved (xed-full) XDM field that ingestion reads. The
// Schema Registry's ResolvedField has this shape; ingest/ keeps its own type
// so that it depends on the shape, not on the registry module.
export interface XdmFieldSchema {
  type?: string;
  'meta:xdmType'?: string;
  properties?: Record<string, XdmFieldSchema>;
  items?: XdmFieldSchema;
  additionalProperties?: XdmFieldSchema | boolean;
  required?: string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  [key: string]: unknown;
}

/** The XDM type of a field: `meta:xdmType` when present, else inferred from the JSON Schema (platform-api.md §2.12). */
export function xdmType(field: XdmFieldSchema): string {
  const declared = field['meta:xdmType'];
  if (typeof declared === 'string') return declared === 'double' ? 'number' : declared;
  switch (field.type) {
    case 'string':
      return field.format === 'date' ? 'date' : field.format === 'date-time' ? 'date-time' : 'string';
    case 'integer':
      return 'long';
    case 'object':
      return field.properties === undefined && typeof field.additionalProperties === 'object' ? 'map' : 'object';
    default:
      return field.type ?? (field.properties ? 'object' : 'string');
  }
}

export const INTEGER_TYPES = new Set(['long', 'int', 'short', 'byte']);

/** Default bounds of the integer subtypes, as the registry writes them (§2.12). */
export const INTEGER_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  byte: [-128, 128],
  short: [-32768, 32768],
  int: [-2147483648, 2147483648],
  long: [-9007199254740992, 9007199254740992],
};
