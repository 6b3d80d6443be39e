import { buildSchema, GraphQLError } from 'graphql';
import type { ValidationContext } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDocumentCache } from '../../../src/gateway/subscription-documents.ts';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Subscription { tick(id: ID!): Int, tock: Int }
`);

const TICK = 'subscription ($id: ID!) { tick(id: $id) }';
const TOCK = 'subscription { tock }';

describe('createDocumentCache', () => {
  it('should parse and validate one text once, and hand every caller the same document', () => {
    const cache = createDocumentCache({ schema });
    const first = cache.prepare(TICK);
    const second = cache.prepare(TICK);
    expect(first.document).toBeDefined();
    expect(second.document).toBe(first.document);
    expect(cache.parsed).toBe(1);
    cache.prepare(TOCK);
    expect(cache.parsed).toBe(2);
  });

  it('should report parse and validation errors, and keep neither', () => {
    const cache = createDocumentCache({ schema });
    expect(cache.prepare('subscription {').parseError).toBeInstanceOf(GraphQLError);
    expect(cache.prepare('subscription { nope }').validationErrors?.[0]?.message).toMatch(/nope/);
    cache.prepare('subscription { nope }');
    expect(cache.parsed).toBe(3);
    expect(cache.size).toBe(0);
  });

  it('should apply the extra validation rules and the parse options', () => {
    const refuseAll = (context: ValidationContext) => ({ Document: () => context.reportError(new GraphQLError('refused by rule')) });
    expect(createDocumentCache({ schema, validationRules: [refuseAll] }).prepare(TOCK).validationErrors?.map((e) => e.message)).toEqual(['refused by rule']);
    expect(createDocumentCache({ schema, parseOptions: { maxTokens: 3 } }).prepare(TICK).parseError?.message).toMatch(/token/i);
  });

  it('should drop the least recently used document beyond its entry count', () => {
    const cache = createDocumentCache({ schema, maxEntries: 2 });
    const texts = ['subscription a { tock }', 'subscription b { tock }', 'subscription c { tock }'];
    cache.prepare(texts[0]!);
    cache.prepare(texts[1]!);
    cache.prepare(texts[0]!); // used again: b is now the oldest
    cache.prepare(texts[2]!);
    expect(cache.size).toBe(2);
    cache.prepare(texts[0]!);
    expect(cache.parsed).toBe(3);
    cache.prepare(texts[1]!);
    expect(cache.parsed).toBe(4);
  });

  it('should hold at most maxSourceChars of query text', () => {
    const cache = createDocumentCache({ schema, maxSourceChars: 2 * TOCK.length + 5 });
    const texts = ['subscription { tock }', 'subscription  { tock }', 'subscription   { tock }'];
    for (const text of texts) cache.prepare(text);
    expect(cache.size).toBe(2);
    const long = `subscription { tock }${' '.repeat(3 * TOCK.length)}`;
    expect(cache.prepare(long).document).toBeDefined();
    cache.prepare(long);
    expect(cache.parsed).toBe(5);
  });
});
