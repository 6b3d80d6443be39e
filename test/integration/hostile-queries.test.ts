// Queries built to hurt: deep nesting, cyclic and nested fragments, alias and
// directive bombs, token floods, batched arrays and a 10 MB body. Each is
// refused before any upstream call, with BAD_USER_INPUT naming the limit it
// hit (or the body-size refusal), and the gateway keeps serving afterwards.
// A property-based run sends random token soups and random schema-shaped
// documents: never a 5xx, every error with a known code.
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES } from '../../src/gateway/errors.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway, TEST_GATEWAY_KEY } from '../helpers/start-gateway.ts';
import type { GqlResult, RunningGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const emulator = await startEmulator({ faults: true });
const gw = await startGateway({ emulator });
afterAll(() => gw.close());

type Errors = GqlResult<unknown>['errors'];

function limitsOf(errors: Errors): unknown[] {
  return (errors ?? []).map((e) => e.extensions?.limit).filter((limit) => limit !== undefined);
}

function upstreamCalls(): number {
  return Object.values(emulator.counters()).reduce((sum, n) => sum + n, 0);
}

/** Dataset → batches → batch → dataset → ..., `levels` times. */
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `batches(first: 1) { nodes { dataset { ${inner} } } }`;
  return `{ datasets(first: 1) { nodes { ${inner} } } }`;
}

async function stillServing(target: RunningGateway = gw): Promise<void> {
  const data = await target.gqlOk<{ currentSandbox: { name: string } }>('{ currentSandbox { name } }');
  expect(data.currentSandbox.name).toBe('prod');
}

beforeEach(() => emulator.resetCounters());

describe('query limits (defaults)', () => {
  it('should refuse a query deeper than MAX_DEPTH, naming maxDepth, with no upstream call', async () => {
    // Accepted by the limits (whatever the upstream then answers).
    const shallow = await gw.gql(deepQuery(2));
    expect(shallow.status).toBe(200);
    expect(limitsOf(shallow.errors)).toEqual([]);

    emulator.resetCounters();
    const deep = await gw.gql(deepQuery(5));
    expect(deep.status).toBe(400);
    expect(deep.data).toBeNull();
    expect(deep.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(limitsOf(deep.errors)).toContain('maxDepth');
    expect(deep.errors?.[0]?.message).toMatch(/depth limit of 10/);
    expect(upstreamCalls()).toBe(0);
    console.log(`depth ${2 + 5 * 3} refused with limit maxDepth (10); ${upstreamCalls()} upstream calls`);
    await stillServing();
  });

  it('should refuse depth hidden in nested fragments', async () => {
    const fragments = Array.from({ length: 8 }, (_, i) => `fragment F${i} on Dataset { batches(first: 1) { nodes { dataset { ${i === 7 ? 'id' : `...F${i + 1}`} } } } }`).join('\n');
    const result = await gw.gql(`{ datasets(first: 1) { nodes { ...F0 } } }\n${fragments}`);
    expect(result.status).toBe(400);
    expect(limitsOf(result.errors)).toContain('maxDepth');
    expect(upstreamCalls()).toBe(0);
    console.log('8 nested fragments (depth 26) refused with limit maxDepth');
    await stillServing();
  });

  it('should refuse cyclic fragments without hanging', async () => {
    const result = await gw.gql(`
      { datasets(first: 1) { nodes { ...A } } }
      fragment A on Dataset { batches(first: 1) { nodes { dataset { ...B } } } }
      fragment B on Dataset { lastBatch { dataset { ...A } } }
    `);
    expect(result.status).toBe(400);
    expect(result.data).toBeNull();
    const codes = (result.errors ?? []).map((e) => e.extensions?.code);
    expect(codes).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.some((e) => /Cannot spread fragment "A" within itself/.test(e.message))).toBe(true);
    expect(upstreamCalls()).toBe(0);
    console.log(`cyclic fragments refused: ${codes.join(', ')}`);
    await stillServing();
  });

  it('should refuse an alias bomb, naming maxAliases', async () => {
    const fields = Array.from({ length: 100 }, (_, i) => `a${i}: currentSandbox { name }`).join(' ');
    const result = await gw.gql(`{ ${fields} }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(limitsOf(result.errors)).toContain('maxAliases');
    expect(upstreamCalls()).toBe(0);
    console.log('100 aliases refused with limit maxAliases (15); 0 upstream calls');
    await stillServing();
  });

  it('should refuse a directive bomb, naming maxDirectives', async () => {
    const fields = Array.from({ length: 60 }, () => '__typename @include(if: true)').join(' ');
    const result = await gw.gql(`{ ${fields} }`);
    expect(result.status).toBe(400);
    expect(limitsOf(result.errors)).toContain('maxDirectives');
    console.log('60 directives refused with limit maxDirectives (50)');
    await stillServing();
  });

  it('should refuse a token flood, naming maxTokens', async () => {
    const result = await gw.gql(`{ ${'__typename '.repeat(1_500)}}`);
    expect(result.status).toBe(400);
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'maxTokens' });
    expect(result.errors?.[0]?.message).toBe('The query has more than 1000 tokens (maxTokens)');
    console.log('1,502 tokens refused with limit maxTokens (1000)');
    await stillServing();
  });

  it('should refuse a 10 MB query string with the body-size limit', async () => {
    const body = JSON.stringify({ query: `{ __typename } # ${'x'.repeat(10 * 1024 * 1024)}` });
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-api-key': TEST_GATEWAY_KEY }, body });
    expect(response.status).toBe(413);
    const json = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(json.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(json.errors[0]?.message).toMatch(/larger than 1048576 bytes/);
    console.log(`${body.length} byte body refused with 413 (MAX_BODY_SIZE 1 MiB)`);
    await stillServing();
  });

  it('should refuse batched HTTP requests unless enabled', async () => {
    const body = JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-api-key': TEST_GATEWAY_KEY }, body });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batching/i);

    const batching = await startGateway({ emulator, allowBatchedRequests: true });
    try {
      const accepted = await fetch(batching.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-api-key': TEST_GATEWAY_KEY }, body });
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual([{ data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }]);
    } finally {
      await batching.close();
    }
    console.log('a batch of 2 operations: 400 by default, 2 results with ALLOW_BATCHED_REQUESTS=true');
    await stillServing();
  });
});

describe('property: random documents', () => {
  it('should answer any document with 200 or 400 and known codes, never a 5xx', async () => {
    const known: ReadonlySet<unknown> = new Set(GATEWAY_ERROR_CODES);
    const token = fc.constantFrom(
      '{', '}', '(', ')', '[', ']', ':', '...', '@include(if: true)', '@skip(if: $v)', '$v', 'query', 'mutation', 'subscription', 'fragment F on Dataset',
      'fragment G on Batch', '...F', '...G', '... on Dataset', 'F', 'a:', 'datasets(first: 2)', 'dataset(id: "x")', 'batch(id: "y")', 'nodes', 'edges', 'node',
      'id', 'name', 'batches', 'dataset', 'schema', 'fields', 'lastBatch', '__typename', '__schema', '__type(name: "Dataset")', '"str"', '"""block"""', '#c\n', ',', '1', '-1.5e3', 'null', 'true',
    );
    // Documents that fit the schema (Dataset <-> Batch nesting, aliases, directives), some past the depth or alias limits.
    const alias = fc.constantFrom(false, false, true);
    const directive = fc.constantFrom('', '', '', '@include(if: true)', '@skip(if: $v)');
    /** [field with its arguments, its selection set or ''] */
    type Field = [string, string];
    const leaf = (...names: string[]) => fc.constantFrom(...names).map((name): Field => [name, '']);
    const pick = (items: Array<fc.Arbitrary<Field>>) =>
      fc.array(fc.tuple(alias, fc.oneof(...items), directive), { minLength: 1, maxLength: 3 }).map((parts) => `{ ${parts.map(([a, [f, sel], d], i) => `${a ? `a${i}:` : ''} ${f} ${d} ${sel}`).join(' ')} }`);
    const datasetFields = (depth: number): fc.Arbitrary<string> =>
      pick([leaf('id', 'name', '__typename'), ...(depth > 0 ? [batchFields(depth - 1).map((sel): Field => ['lastBatch', sel]), batchFields(depth - 1).map((sel): Field => ['batches(first: 1)', `{ nodes ${sel} }`])] : [])]);
    const batchFields = (depth: number): fc.Arbitrary<string> =>
      pick([leaf('id', 'status', 'rawStatus'), ...(depth > 0 ? [datasetFields(depth - 1).map((sel): Field => ['dataset', sel])] : [])]);
    const root = pick([
      fc.constant<Field>(['currentSandbox', '{ name type }']),
      fc.constant<Field>(['sandboxes', '{ name }']),
      datasetFields(5).map((sel): Field => ['datasets(first: 1)', `{ nodes ${sel} }`]),
      batchFields(5).map((sel): Field => ['batch(id: "missing")', sel]),
    ]);
    const parsed = root.map((body) => `query Q($v: Boolean = false) ${body}`);
    const document = fc.oneof({ arbitrary: fc.array(token, { minLength: 1, maxLength: 120 }).map((tokens) => tokens.join(' ')), weight: 1 }, { arbitrary: parsed, weight: 3 });
    const statuses = new Map<number, number>();
    const limitsHit = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(document, async (query) => {
        const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-api-key': TEST_GATEWAY_KEY }, body: JSON.stringify({ query, variables: { v: false } }) });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect([200, 400]).toContain(response.status);
        const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: unknown; limit?: string } }> };
        for (const error of body.errors ?? []) {
          if (error.extensions?.limit) limitsHit.set(error.extensions.limit, (limitsHit.get(error.extensions.limit) ?? 0) + 1);
          expect(known.has(error.extensions?.code), JSON.stringify(error)).toBe(true);
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { numRuns: 150 },
    );
    await stillServing();
    console.log(
      `150 random documents: statuses ${[...statuses].map(([status, n]) => `${status} x${n}`).join(', ')}; limits hit ${[...limitsHit].map(([limit, n]) => `${limit} x${n}`).join(', ') || 'none'}; no 5xx, every error with a known code`,
    );
  });
});

describe('query limits over WebSocket', () => {
  it('should refuse deep and token-heavy subscriptions the same way', async () => {
    const client = createTestClient(gw.url, { 'x-gateway-api-key': TEST_GATEWAY_KEY });
    let inner = 'id';
    for (let i = 0; i < 4; i++) inner = `dataset { batches(first: 1) { nodes { ${inner} } } }`;
    const deep = follow(client, `subscription { batchStatus(id: "any") { batch { ${inner} } } }`);
    await deep.ended;
    expect(deep.results).toHaveLength(0);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxDepth' });

    const flood = follow(client, `subscription { ${'__typename '.repeat(1_500)}}`);
    await flood.ended;
    expect(flood.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'maxTokens' });
    expect(upstreamCalls()).toBe(0);
    console.log('over WebSocket: a depth-14 subscription refused with maxDepth, 1,500 tokens with maxTokens; 0 upstream calls');
  });
});

describe('query limits (configured)', () => {
  it('should apply each configured limit', async () => {
    const strict = await startGateway({ emulator, maxDepth: 3, maxCost: 10, maxAliases: 1, maxTokens: 30, maxDirectives: 1 });
    try {
      const cases: Array<[string, string]> = [
        ['maxDepth', deepQuery(1)],
        // Cost 14: one object (2) and eight scalars at depth 1 (8 x 1.5).
        ['maxCost', '{ currentSandbox { name title type state region isDefault created updated } }'],
        ['maxAliases', '{ a: currentSandbox { name } b: currentSandbox { name } }'],
        ['maxDirectives', '{ __typename @include(if: true) __typename @skip(if: false) }'],
        ['maxTokens', `{ ${'__typename '.repeat(40)}}`],
      ];
      for (const [limit, query] of cases) {
        const result = await strict.gql(query);
        expect(result.status, limit).toBe(400);
        expect(result.errors?.[0]?.extensions?.code, limit).toBe('BAD_USER_INPUT');
        expect(limitsOf(result.errors), limit).toContain(limit);
      }
      await stillServing(strict);
      console.log(`${cases.length} configured limits each refused their query: ${cases.map(([limit]) => limit).join(', ')}`);
    } finally {
      await strict.close();
    }
  });

  it('should hide field suggestions and introspection in production', async () => {
    const development = await gw.gql('{ currentSandox { name } }');
    expect(development.errors?.[0]?.message).toMatch(/Did you mean/);

    const production = await startGateway({ emulator, env: { NODE_ENV: 'production' } });
    try {
      expect(production.config.production).toBe(true);
      expect(production.config.playground).toBe(false);
      const typo = await production.gql('{ currentSandox { name } }');
      expect(typo.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
      expect(typo.errors?.[0]?.message).not.toMatch(/currentSandbox/);
      const introspection = await production.gql('{ __schema { queryType { name } } }');
      expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
      await stillServing(production);
      console.log('production: no field suggestions, introspection refused');
    } finally {
      await production.close();
    }
  });
});
