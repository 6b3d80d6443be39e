// The columns of a CSV without a header row: the schema's leaf fields, in
// the order the resolved schema lists them (class fields, then each field
// group's), depth first. An object with properties is descended into;
// everything else (scalars, arrays, maps) is one column.
import type { XdmFieldSchema } from './xdm-field.ts';

export function schemaColumns(schema: XdmFieldSchema, prefix: readonly string[] = []): string[][] {
  const columns: string[][] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, name];
    if (field.properties && Object.keys(field.properties).length > 0) columns.push(...schemaColumns(field, path));
    else columns.push(path);
  }
  return columns;
}
