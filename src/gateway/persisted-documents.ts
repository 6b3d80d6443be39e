// An allow-list of persisted documents for production (PERSISTED_DOCUMENTS):
// a JSON manifest `{ "<sha256 of the document>": "<document>" }`, checked at
// startup (every key must be the hash of its document). With it, only those
// documents run: sent whole, or by hash alone (APQ's
// `extensions.persistedQuery`), which the manifest answers as a read-only
// APQ cache. Anything else is refused: over HTTP by a validation rule that
// hashes the document's source text (Apollo stores only validated documents,
// so a refused one is never cached), over WebSocket before it is parsed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ValidationRule } from 'graphql';
import { PrefixingKeyValueCache } from '@apollo/utils.keyvaluecache';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GatewayError } from './errors.ts';

export interface PersistedDocuments {
  readonly size: number;
  /** The APQ cache: listed documents by hash; registrations are ignored. */
  readonly cache: KeyValueCache<string>;
  /** Refuses a document that is not listed, by the hash of its source text. */
  readonly validationRule: ValidationRule;
  /** The refusal of a document that is not listed, or undefined (for transports Apollo does not serve). */
  refusal(source: string): GatewayError | undefined;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads and checks a manifest; throws naming the file and the first bad entry. */
export function loadPersistedDocuments(path: string): PersistedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_DOCUMENTS: cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`PERSISTED_DOCUMENTS: ${path} must hold one JSON object { "<sha256>": "<document>" }`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string' || document.trim() === '') throw new Error(`PERSISTED_DOCUMENTS: the entry ${hash} of ${path} is not a document`);
    if (sha256Hex(document) !== hash.toLowerCase()) throw new Error(`PERSISTED_DOCUMENTS: the entry ${hash} of ${path} is not the sha256 of its document`);
    documents.set(hash.toLowerCase(), document);
  }
  return createPersistedDocuments(documents);
}

export function createPersistedDocuments(documents: ReadonlyMap<string, string>): PersistedDocuments {
  const refusal = (source: string): GatewayError | undefined =>
    documents.has(sha256Hex(source)) ? undefined : new GatewayError('PERSISTED_QUERY_NOT_IN_LIST', 'This gateway only runs its persisted documents, and this one is not among them');

  // Read-only, and keyed by the bare hash: Apollo's `apq:` prefix isolates
  // APQ entries in a shared cache, and this one holds nothing else.
  const cache = PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation<string>({
    get: async (hash) => documents.get(hash.toLowerCase()),
    set: async () => {},
    delete: async () => false,
  });

  const validationRule: ValidationRule = (context) => {
    // Apollo hashes the same text (its queryHash): the source as the client sent it.
    const refused = refusal(context.getDocument().loc?.source.body ?? '');
    if (refused) context.reportError(refused);
    return {};
  };

  return { size: documents.size, cache, validationRule, refusal };
}
