import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildASTSchema, GraphQLError, GraphQLScalarType, parse } from 'graphql';
import type { GraphQLInterfaceType, GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compiledExecution, compiledExecutionGateway } from '../../../src/gateway/compiled-execution.ts';
import { attachResolvers, createGatewaySchema } from '../../../src/gateway/schema.ts';
import { GatewayError, toFormattedError } from '../../../src/gateway/errors.ts';
import type { Resolvers } from '../../../src/generated/resolvers-types.ts';

const SDL = `
  scalar DateTime
  interface Named { name: String }
  type Item implements Named { id: ID! name: String when: DateTime count: Int tags: [String!] child: Item }
  type Other implements Named { name: String }
  type Edge { node: Item! cursor: String! }
  type Conn { edges: [Edge!]! }
  type Query {
    items(first: Int = 2, after: String): Conn!
    item(id: ID!): Item
    named: [Named!]!
    failing: Item
    coded: Item
    missingRequired: Item!
    badDate: Item
    when(at: DateTime!): String
  }
  type Mutation { touch(id: ID!): Item }
`;

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (!(value instanceof Date)) throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
    return value.toISOString();
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO 8601 string');
    return new Date(value);
  },
});

function testSchema(): GraphQLSchema {
  const item = (id: string) => ({ id, name: `item ${id}`, when: new Date(Number(id) * 1000), count: Number(id), tags: ['a'], child: null });
  const resolvers = {
    DateTime,
    Query: {
      items: (_root: unknown, { first }: { first: number }) => ({ edges: Array.from({ length: first }, (_, i) => ({ node: item(String(i + 1)), cursor: `c${i}` })) }),
      item: async (_root: unknown, { id }: { id: string }) => (id === '0' ? null : item(id)),
      named: () => [item('7'), { name: 'other' }],
      failing: () => {
        throw new Error('secret upstream detail');
      },
      coded: () => {
        throw new GatewayError('NOT_FOUND', 'Item "x" was not found');
      },
      missingRequired: () => null,
      badDate: () => ({ id: '9', when: 'not a date' }),
      when: (_root: unknown, { at }: { at: Date }) => at.toISOString(),
    },
    Item: {
      child: (parent: { id: string }) => (parent.id === '1' ? Promise.reject(new GatewayError('BAD_USER_INPUT', 'no child')) : null),
    },
    Mutation: { touch: (_root: unknown, { id }: { id: string }) => item(id) },
  } as unknown as Resolvers;
  const schema = attachResolvers(buildASTSchema(parse(SDL)), resolvers);
  (schema.getType('Named') as GraphQLInterfaceType).resolveType = (value: { id?: string }) => (value.id ? 'Item' : 'Other');
  return schema;
}

async function servers(schema: GraphQLSchema) {
  const common = { formatError: (formatted: Parameters<typeof toFormattedError>[0], error: unknown) => toFormattedError(formatted, error), nodeEnv: 'production', introspection: true } as const;
  const interpreted = new ApolloServer({ schema, ...common });
  const compiled = new ApolloServer({ gateway: compiledExecutionGateway(schema), ...common });
  await interpreted.start();
  await compiled.start();
  return { interpreted, compiled };
}

async function answer(server: ApolloServer, query: string, variables?: Record<string, unknown>) {
  const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) });
  return { status: response.http.status, body: response.body };
}

const OPERATIONS: Array<[string, string, Record<string, unknown>?]> = [
  ['a list with nested objects', '{ items(first: 3) { edges { cursor node { id name when count tags } } } }'],
  ['aliases, fragments and __typename', '{ a: item(id: "2") { ...F } b: item(id: "0") { id } } fragment F on Item { __typename id n: name }'],
  ['an interface', '{ named { __typename name ... on Item { id } } }'],
  ['skip and include', 'query ($s: Boolean!) { items { edges { node { id name @skip(if: $s) count @include(if: $s) } } } }', { s: true }],
  ['skip and include on fragments', 'query ($s: Boolean!, $i: Boolean!) { items { edges { node { id ...N @skip(if: $s) ... on Item @include(if: $i) { count } ... @include(if: $s) { tags } } } } } fragment N on Item { name when }', { s: false, i: true }],
  ['skip and include on fragments, the other way', 'query ($s: Boolean!, $i: Boolean!) { items { edges { node { id ...N @skip(if: $s) ... on Item @include(if: $i) { count } ... @include(if: $s) { tags } } } } } fragment N on Item { name when }', { s: true, i: false }],
  ['a field selected twice, once skipped', 'query ($s: Boolean!) { items { edges { node { id name @skip(if: $s) ... on Item { name } } } } }', { s: true }],
  ['a thrown plain error (masked)', '{ failing { id } item(id: "3") { id } }'],
  ['a thrown gateway error with its code', '{ coded { id } }'],
  ['an error in a nested field of a list', '{ items(first: 2) { edges { node { id child { id } } } } }'],
  ['null in a non-null field', '{ missingRequired { id } }'],
  ['a value a scalar cannot serialize', '{ badDate { id when } }'],
  ['variables of a custom scalar', 'query ($at: DateTime!) { when(at: $at) }', { at: '2024-01-02T03:04:05.000Z' }],
  ['a variable of the wrong type', 'query ($id: ID!) { item(id: $id) { id } }', { id: { not: 'an id' } }],
  ['a missing variable', 'query ($id: ID!) { item(id: $id) { id } }'],
  ['a mutation', 'mutation { touch(id: "5") { id name } }'],
  ['introspection', '{ __schema { queryType { name } } __type(name: "Item") { fields { name } } }'],
  ['two operations and no name', 'query A { item(id: "1") { id } } query B { item(id: "2") { id } }'],
];

describe('compiled execution', () => {
  it('should answer every operation exactly as graphql-js does, errors, codes and statuses included', async () => {
    const { interpreted, compiled } = await servers(testSchema());
    try {
      for (const [, query, variables] of OPERATIONS) {
        const expected = await answer(interpreted, query, variables);
        // Twice: the first run compiles, the second uses what was kept.
        expect(await answer(compiled, query, variables)).toEqual(expected);
        expect(await answer(compiled, query, variables)).toEqual(expected);
      }
    } finally {
      await interpreted.stop();
      await compiled.stop();
    }
  });

  it('should give resolvers of the gateway schema the same errors as graphql-js', async () => {
    const { interpreted, compiled } = await servers(createGatewaySchema());
    try {
      // No context: every resolver that needs the Platform fails the same way on both.
      const query = '{ datasets(first: 500) { edges { node { id } } } sandboxes { name } }';
      expect(await answer(compiled, query)).toEqual(await answer(interpreted, query));
    } finally {
      await interpreted.stop();
      await compiled.stop();
    }
  });

  it('should keep at most the configured number of compiled queries', async () => {
    const schema = testSchema();
    const server = new ApolloServer({ gateway: compiledExecutionGateway(schema, { maxCompiled: 2 }), nodeEnv: 'production' });
    await server.start();
    try {
      for (let i = 1; i <= 5; i++) expect((await answer(server, `{ item(id: "${i}") { id } }`)).body).toMatchObject({ singleResult: { data: { item: { id: String(i) } } } });
    } finally {
      await server.stop();
    }
  });

  it('should write every answer over HTTP with the very text Apollo writes by itself', async () => {
    const schema = testSchema();
    const common = { formatError: (formatted: Parameters<typeof toFormattedError>[0], error: unknown) => toFormattedError(formatted, error), nodeEnv: 'production', introspection: true } as const;
    const execution = compiledExecution(schema);
    const interpreted = new ApolloServer({ schema, ...common });
    const compiled = new ApolloServer({ gateway: execution.gateway, stringifyResult: execution.stringifyResult, ...common });
    await interpreted.start();
    await compiled.start();
    const text = async (server: ApolloServer, query: string, variables?: Record<string, unknown>) => {
      const headers = new HeaderMap([['content-type', 'application/json']]);
      const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query, variables } }, context: async () => ({}) });
      return response.body.kind === 'complete' ? response.body.string : 'chunked';
    };
    const escapes = JSON.stringify(`quote " backslash \\ newline \n tab \t nul \u0000 é 😀 lone \ud800 end`);
    const operations: Array<[string, Record<string, unknown>?]> = [
      ...OPERATIONS.map(([, query, variables]): [string, Record<string, unknown>?] => [query, variables]),
      [`{ item(id: ${escapes}) { id name } }`],
      ['query ($id: ID!) { item(id: $id) { id name child { id } } }', { id: 'x'.repeat(60) + '"\\' }],
      ['{ items(first: 0) { edges { node { id } } } }'],
    ];
    try {
      for (const [query, variables] of operations) {
        const expected = await text(interpreted, query, variables);
        expect(await text(compiled, query, variables)).toBe(expected);
        expect(await text(compiled, query, variables)).toBe(expected);
      }
    } finally {
      await interpreted.stop();
      await compiled.stop();
    }
  });
});
