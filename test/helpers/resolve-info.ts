// The GraphQLResolveInfo of a query's first field, for unit tests of code that reads a selection.
import { execute, parse } from 'graphql';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';

export function resolveInfoFor(schema: GraphQLSchema, query: string): GraphQLResolveInfo {
  let captured: GraphQLResolveInfo | undefined;
  execute({
    schema,
    document: parse(query),
    fieldResolver: (_source, _args, _context, info) => {
      captured ??= info;
      return null;
    },
  });
  if (!captured) throw new Error(`no field resolved for ${query}`);
  return captured;
}
