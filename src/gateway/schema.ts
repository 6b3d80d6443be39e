// The executable schema: the SDL of schema/*.graphql with the resolvers of
// resolvers/index.ts attached. Built here (not by Apollo) so that every
// transport (Apollo over HTTP, graphql-ws) serves the very same schema object.
import { assertValidSchema, buildASTSchema, GraphQLScalarType, isObjectType, isScalarType, parse } from 'graphql';
import type { GraphQLFieldResolver, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { resolvers as defaultResolvers } from '../../resolvers/index.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { readTypeDefs } from './type-defs.ts';

type FieldResolverConfig = GraphQLFieldResolver<unknown, unknown> | { resolve?: GraphQLFieldResolver<unknown, unknown>; subscribe?: GraphQLFieldResolver<unknown, unknown> };

/** Attaches a resolver map to a schema built from SDL; a resolver for a type or field the SDL lacks is an error. */
export function attachResolvers(schema: GraphQLSchema, resolvers: Resolvers): GraphQLSchema {
  for (const [typeName, definition] of Object.entries(resolvers as Record<string, unknown>)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`resolvers given for ${typeName}, which the schema does not define`);
    if (isScalarType(type)) {
      if (!(definition instanceof GraphQLScalarType)) throw new Error(`resolver for scalar ${typeName} must be a GraphQLScalarType`);
      // The SDL's scalar gets the implementation's coercion functions.
      Object.assign(type, {
        serialize: definition.serialize,
        parseValue: definition.parseValue,
        parseLiteral: definition.parseLiteral,
        specifiedByURL: definition.specifiedByURL ?? type.specifiedByURL,
      });
      continue;
    }
    if (!isObjectType(type)) throw new Error(`resolvers for ${typeName}: only object types and scalars take resolvers`);
    attachFields(type, typeName, definition as Record<string, FieldResolverConfig>);
  }
  return schema;
}

function attachFields(type: GraphQLObjectType, typeName: string, fields: Record<string, FieldResolverConfig>): void {
  const defined = type.getFields();
  for (const [fieldName, config] of Object.entries(fields)) {
    const field = defined[fieldName];
    if (!field) throw new Error(`resolver ${typeName}.${fieldName} has no field in the schema`);
    if (typeof config === 'function') field.resolve = config;
    else {
      if (config.resolve) field.resolve = config.resolve;
      if (config.subscribe) field.subscribe = config.subscribe;
    }
  }
}

/** The gateway's schema from schema/*.graphql and the given (default: all) resolvers. */
export function createGatewaySchema(resolvers: Resolvers = defaultResolvers): GraphQLSchema {
  const document = parse(readTypeDefs().map((file) => file.sdl).join('\n'));
  const schema = attachResolvers(buildASTSchema(document), resolvers);
  assertValidSchema(schema);
  return schema;
}
