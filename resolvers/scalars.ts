// The custom scalars: DateTime (the Platform's epoch milliseconds and date
// strings out as ISO 8601, ISO or epoch ms in), JSON (any value) and Upload
// (a multipart file part, as graphql-upload-minimal hands it over).
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import type { ValueNode } from 'graphql';
import { Upload } from 'graphql-upload-minimal';
import type { Resolvers } from '../src/generated/resolvers-types.ts';

/** Sandbox Management writes `2019-09-04 04:57:24` (UTC, no zone). */
const SPACE_SEPARATED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value) : null;
  if (typeof value === 'bigint') return new Date(Number(value));
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^-?\d+$/.test(text)) return new Date(Number(text));
  const spaced = SPACE_SEPARATED.exec(text);
  const date = new Date(spaced ? `${spaced[1]}T${spaced[2]}Z` : text);
  return Number.isNaN(date.getTime()) ? null : date;
}

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = toDate(value);
    if (!date) throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === 'string' || typeof value === 'number' ? toDate(value) : null;
    if (!date) throw new GraphQLError('DateTime must be an ISO 8601 string or epoch milliseconds');
    return date;
  },
  parseLiteral(ast: ValueNode) {
    const date = ast.kind === Kind.STRING ? toDate(ast.value) : ast.kind === Kind.INT ? toDate(Number(ast.value)) : null;
    if (!date) throw new GraphQLError('DateTime must be an ISO 8601 string or epoch milliseconds', { nodes: ast });
    return date;
  },
});

const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

const UploadScalar = new GraphQLScalarType<Promise<unknown>, never>({
  name: 'Upload',
  parseValue(value) {
    if (value instanceof Upload) return value.promise;
    throw new GraphQLError('Upload must be a file part of a multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)');
  },
  parseLiteral(ast) {
    throw new GraphQLError('Upload literals are not supported: send the file as a multipart request variable', { nodes: ast });
  },
  serialize() {
    throw new GraphQLError('Upload is an input-only type');
  },
});

export const scalarResolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  Upload: UploadScalar as unknown as Resolvers['Upload'],
};
