// Parsed and validated subscription documents, shared by every subscription
// that sends the same text. A thousand clients following their batches send
// the same few documents: each would otherwise hold its own syntax tree (every
// token and location of the query) for as long as its stream runs. This is
// what Apollo's document store does for HTTP. graphql-js never changes a
// document, so one tree serves any number of concurrent operations.
//
// Only valid documents are kept, the most recently used first, within both
// an entry count and a total of source characters (a tree costs tens of
// times its text).
import { GraphQLError, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';

export interface DocumentCacheOptions {
  readonly schema: GraphQLSchema;
  /** Rules run after graphql's own (the query limits). @default [] */
  readonly validationRules?: readonly ValidationRule[];
  readonly parseOptions?: ParseOptions;
  /** @default 500 */
  readonly maxEntries?: number;
  /** Sum of the source lengths held. @default 262_144 // 256 KiB of query text */
  readonly maxSourceChars?: number;
}

export type PreparedDocument =
  | { readonly document: DocumentNode; readonly parseError?: undefined; readonly validationErrors?: undefined }
  | { readonly document?: undefined; readonly parseError: GraphQLError; readonly validationErrors?: undefined }
  | { readonly document?: undefined; readonly parseError?: undefined; readonly validationErrors: readonly GraphQLError[] };

export interface DocumentCache {
  /** The document of `source`, parsed and validated once while it stays in the cache. */
  prepare(source: string): PreparedDocument;
  /** Times a document was parsed and validated (cache misses). */
  readonly parsed: number;
  readonly size: number;
}

export function createDocumentCache(options: DocumentCacheOptions): DocumentCache {
  const maxEntries = options.maxEntries ?? 500;
  const maxSourceChars = options.maxSourceChars ?? 262_144;
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, DocumentNode>();
  let sourceChars = 0;
  let parsed = 0;

  function remember(source: string, document: DocumentNode): void {
    if (source.length > maxSourceChars) return;
    entries.set(source, document);
    sourceChars += source.length;
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && sourceChars <= maxSourceChars) break;
      entries.delete(oldest);
      sourceChars -= oldest.length;
    }
  }

  return {
    prepare(source) {
      const cached = entries.get(source);
      if (cached) {
        entries.delete(source);
        entries.set(source, cached);
        return { document: cached };
      }
      parsed++;
      let document: DocumentNode;
      try {
        document = parse(source, options.parseOptions);
      } catch (error) {
        if (error instanceof GraphQLError) return { parseError: error };
        throw error;
      }
      const invalid = validate(options.schema, document, rules);
      if (invalid.length > 0) return { validationErrors: invalid };
      remember(source, document);
      return { document };
    },
    get parsed() {
      return parsed;
    },
    get size() {
      return entries.size;
    },
  };
}
