// Query limits: what a single GraphQL document may ask for, checked before
// anything runs. GraphQL Armor counts depth, cost, aliases and directives as
// validation rules; the token limit is graphql's own parser option (the
// lexer stops at the limit, so a huge document is never parsed whole). This
// module sets the limits from the config and makes every refusal a
// BAD_USER_INPUT error that names the limit it hit (`extensions.limit`), so a
// client knows what to change; errors.ts recognises the parser's refusal.
//
// Hot path: Apollo caches parsed and validated documents by query hash, so a
// repeated query pays for none of this.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorCallbackConfiguration } from '@escape.tech/graphql-armor-types';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import type { GatewayConfig } from './config.ts';
import { GatewayError } from './errors.ts';

export type QueryLimitName = 'maxDepth' | 'maxCost' | 'maxAliases' | 'maxTokens' | 'maxDirectives';

export interface QueryLimitOptions {
  /** Deepest field nesting, fragments followed. @default 10 */
  readonly maxDepth?: number;
  /** GraphQL Armor's cost (objects 2, scalars 1, times 1.5 per level). @default 5000 */
  readonly maxCost?: number;
  /** Aliased fields per operation (`__typename` does not count). @default 15 */
  readonly maxAliases?: number;
  /** Lexical tokens in the document. @default 1000 */
  readonly maxTokens?: number;
  /** Directives per operation. @default 50 */
  readonly maxDirectives?: number;
  /** Hide "Did you mean ...?" in validation errors (they reveal the schema). @default true */
  readonly blockFieldSuggestions?: boolean;
}

export const DEFAULT_QUERY_LIMITS = { maxDepth: 10, maxCost: 5_000, maxAliases: 15, maxTokens: 1_000, maxDirectives: 50 } as const;

export interface QueryLimits {
  /** For ApolloServer `validationRules` (and any other transport that validates: the WebSocket path). */
  readonly validationRules: ValidationRule[];
  /** For ApolloServer `plugins`: field suggestion masking, when asked. */
  readonly plugins: ApolloServerPlugin[];
  /** For ApolloServer `parseOptions`: the token limit. */
  readonly parseOptions: { readonly maxTokens: number };
}

/** The refusal of a document that exceeds a limit. */
export class QueryLimitError extends GatewayError {
  readonly limit: QueryLimitName;

  constructor(limit: QueryLimitName, message: string) {
    super('BAD_USER_INPUT', message, { httpStatus: 400, details: { limit } });
    this.name = 'QueryLimitError';
    this.limit = limit;
  }
}

/** Armor's own messages ("Query depth limit of 10 exceeded, found 12.") name the figure; ours add which setting. */
function callbacks(limit: QueryLimitName): GraphQLArmorCallbackConfiguration {
  return {
    // Ours replaces Armor's reporter, which would drop the limit's name.
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(new QueryLimitError(limit, `${error.message.replace(/^Syntax Error: /, '')} (${limit})`));
      },
    ],
  };
}

export function createQueryLimits(options: QueryLimitOptions = {}): QueryLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: options.maxDepth ?? DEFAULT_QUERY_LIMITS.maxDepth, ...callbacks('maxDepth') },
    costLimit: { maxCost: options.maxCost ?? DEFAULT_QUERY_LIMITS.maxCost, ...callbacks('maxCost') },
    maxAliases: { n: options.maxAliases ?? DEFAULT_QUERY_LIMITS.maxAliases, ...callbacks('maxAliases') },
    maxDirectives: { n: options.maxDirectives ?? DEFAULT_QUERY_LIMITS.maxDirectives, ...callbacks('maxDirectives') },
    // Armor's Apollo token plugin throws from parsingDidStart, which Apollo answers with a 500; graphql's parser option does the same count.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions ?? true },
  });
  const { validationRules, plugins } = armor.protect();
  // Armor's declarations name Apollo's CommonJS types; the objects are the same at run time.
  return { validationRules, plugins: plugins as unknown as ApolloServerPlugin[], parseOptions: { maxTokens: options.maxTokens ?? DEFAULT_QUERY_LIMITS.maxTokens } };
}

/** The limits of a gateway configuration: suggestions are hidden in production only. */
export function queryLimitsFromConfig(config: GatewayConfig): QueryLimitOptions {
  return {
    maxDepth: config.maxDepth,
    maxCost: config.maxCost,
    maxAliases: config.maxAliases,
    maxTokens: config.maxTokens,
    maxDirectives: config.maxDirectives,
    blockFieldSuggestions: config.production,
  };
}
