// docs/migration.md stays true to the schema: every fenced GraphQL operation
// in it validates against the printed schema.graphql, and every root field
// its table names (`schemas(`, `createDataset(`, `batchStatus(` ...) exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, parse, validate } from 'graphql';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const schema = buildSchema(read('schema.graphql'));
const doc = read('docs/migration.md');

const operations = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** The table's GraphQL column: `query { schemas(...` → ['query', 'schemas']. */
function tableRootFields(): Array<{ type: 'query' | 'mutation' | 'subscription'; field: string }> {
  const table = doc.slice(doc.indexOf('## The table'), doc.indexOf('## The operations, in full'));
  const found: Array<{ type: 'query' | 'mutation' | 'subscription'; field: string }> = [];
  for (const match of table.matchAll(/`(query|mutation|subscription) \{ (\w+)\(/g)) found.push({ type: match[1] as 'query', field: match[2]! });
  return found;
}

describe('docs/migration.md', () => {
  it('should hold the operations of every tutorial step', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10);
  });

  it.each(operations.map((operation) => [operation.split('\n')[0]!, operation]))('should validate %s against schema.graphql', (_name, operation) => {
    expect(validate(schema, parse(operation)).map((error) => error.message)).toEqual([]);
  });

  it('should name only root fields the schema has in its table', () => {
    const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
    const fields = tableRootFields();
    expect(fields.length).toBeGreaterThanOrEqual(12);
    expect(fields.filter(({ type, field }) => !roots[type]?.getFields()[field]).map(({ type, field }) => `${type}.${field}`)).toEqual([]);
  });
});
