// Validates emulator responses against the response schemas in Adobe's
// OpenAPI documents (src/emulator/openapi/). Swagger 2.0 keeps schemas under
// `definitions` and a response's `schema`; OpenAPI 3 under
// `components.schemas` and `content['application/json'].schema`. Both are
// compiled by Ajv with strict mode off: the documents carry keywords
// (example, x-*, nullable, discriminator) that are not JSON Schema.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => void;

type Json = Record<string, unknown>;

export interface Contract {
  /** Null when the body matches the documented schema; else Ajv's errors, one per line. */
  check(method: string, pathTemplate: string, status: number, body: unknown): string | null;
  /** Validates against a named schema (definitions/NAME or components/schemas/NAME). */
  checkSchema(name: string, body: unknown): string | null;
  readonly document: Json;
}

/**
 * Prepares a document for Ajv: OpenAPI 3 `nullable: true` becomes "or null",
 * and examples go (they hold `$id`s that Ajv would take for schema ids).
 */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    out[key] = rewriteNullable(value);
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

export function loadContract(name: 'schema-registry' | 'sandbox' | 'catalog' | 'batch-ingestion' | 'data-access'): Contract {
  const file = new URL(`../../src/emulator/openapi/${name}.yaml`, import.meta.url);
  const document = rewriteNullable(parse(readFileSync(file, 'utf8'))) as Json;
  const swagger2 = document.swagger === '2.0';
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  const root = `https://contract.invalid/${name}.json`;
  ajv.addSchema({ $id: root, definitions: document.definitions ?? {}, components: document.components ?? {} });
  const cache = new Map<string, ValidateFunction>();
  const compile = (pointer: string) => {
    let fn = cache.get(pointer);
    if (!fn) {
      fn = ajv.compile({ $ref: `${root}#${pointer}` });
      cache.set(pointer, fn);
    }
    return fn;
  };
  const run = (fn: ValidateFunction, body: unknown) =>
    fn(body) ? null : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');

  const paths = document.paths as Record<string, Record<string, Json>>;
  return {
    document,
    checkSchema(schemaName, body) {
      return run(compile(swagger2 ? `/definitions/${schemaName}` : `/components/schemas/${schemaName}`), body);
    },
    check(method, pathTemplate, status, body) {
      const operation = paths[pathTemplate]?.[method.toLowerCase()];
      if (!operation) throw new Error(`${name}: no operation ${method} ${pathTemplate}`);
      const responses = operation.responses as Record<string, Json>;
      let response = responses[String(status)];
      if (!response) throw new Error(`${name}: ${method} ${pathTemplate} documents no ${status} response`);
      if (typeof response.$ref === 'string') {
        const [, ...parts] = response.$ref.split('/');
        response = parts.reduce<Json>((node, part) => node[part] as Json, document);
      }
      const schema = swagger2 ? response.schema : (response.content as Json | undefined)?.['application/json'];
      const pointerSchema = swagger2 ? schema : (schema as Json | undefined)?.schema;
      if (!pointerSchema) throw new Error(`${name}: ${method} ${pathTemplate} ${status} has no schema`);
      const key = `${method} ${pathTemplate} ${status}`;
      let fn = cache.get(key);
      if (!fn) {
        fn = ajv.compile({ $id: `https://contract.invalid/${name}/responses/${cache.size}`, ...rewriteRefs(pointerSchema as Json, root) });
        cache.set(key, fn);
      }
      return run(fn, body);
    },
  };
}

/** Local refs ('#/definitions/x') inside an inline response schema must point into the document. */
function rewriteRefs(node: Json, root: string): Json {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = key === '$ref' && typeof child === 'string' && child.startsWith('#') ? `${root}${child}` : walk(child);
    }
    return out;
  };
  return walk(node) as Json;
}
