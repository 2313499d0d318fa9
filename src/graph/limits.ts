/**
 * Limits on one GraphQL document, so a single request cannot make the gateway (or the CDN
 * quota) do unbounded work:
 * - tokens: graphql-js's own `maxTokens` parse option, which stops the parser early;
 * - depth and aliases: graphql-armor's validation rules (maintained, Apollo Server 4/5 and graphql 16);
 * - cost weighted by page sizes: our `estimateCost`, run once variables are known — armor's
 *   cost rule only reads `first`/`last` literals, so `first: $n` or an omitted `first`
 *   (the default page size) would pass unweighted.
 */
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { QueryLimits } from '../config';
import { CODES } from '../errors';
import type { GraphContext } from './context';
import { estimateCost } from './cost';

/** What Apollo Server needs to enforce the limits. */
export interface QueryLimitSetup {
  readonly parseOptions: ParseOptions;
  readonly validationRules: ValidationRule[];
  readonly plugins: ApolloServerPlugin<GraphContext>[];
}

/** Creates the parse options, validation rules and plugins enforcing `limits`. */
export function createQueryLimits(limits: QueryLimits, defaultPageSize: number): QueryLimitSetup {
  // Armor reports through the validation context, so Apollo answers 400 GRAPHQL_VALIDATION_FAILED.
  const report = (setting: string) => (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} (${setting})`));
  };
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [
      maxDepthRule({ n: limits.maxDepth, propagateOnRejection: false, onReject: [report('MAX_DEPTH')] }),
      maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [report('MAX_ALIASES')] }),
    ],
    plugins: [queryCostPlugin(limits.maxCost, defaultPageSize)],
  };
}

/** Refuses operations whose page-weighted cost exceeds `maxCost`, before any resolver runs. */
export function queryCostPlugin(maxCost: number, defaultPageSize: number): ApolloServerPlugin<GraphContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          const cost = estimateCost(schema, document, operationName, request.variables ?? {}, { defaultPageSize });
          if (cost <= maxCost) return;
          throw new GraphQLError(
            `Query cost ${Math.ceil(cost)} exceeds the limit of ${maxCost} (MAX_COST): every field costs 1, multiplied by the first/last page sizes it is nested in. Ask for smaller pages or fewer nested lists.`,
            { extensions: { code: CODES.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } } },
          );
        },
      };
    },
  };
}
