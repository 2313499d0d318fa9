/**
 * Limits on one GraphQL document, so a single request cannot make the gateway (or the CDN
 * quota) do unbounded work:
 * - tokens: graphql-js's own `maxTokens` parse option, which stops the parser early;
 * - depth and aliases: graphql-armor's validation rules (maintained, Apollo Server 4/5 and graphql 16);
 * - cost weighted by page sizes: our `analyseOperation`, run once variables are known — armor's
 *   cost rule only reads `first`/`last` literals, so `first: $n` or an omitted `first`
 *   (the default page size) would pass unweighted. Validation rules never see variable
 *   values, so this runs in Apollo's `didResolveOperation` hook, on the variables coerced as
 *   execution will coerce them (defaults included), before any resolver or upstream call;
 * - the lookup-list cap (`nodes(ids:)`, `_entities(representations:)`, src/graph/lookup-limits.ts)
 *   and the bound on task detail lookups, so that one request cannot reserve more of the shared
 *   detail quota than `MAX_DETAIL_LOOKUPS` (docs/architecture.md, "Fairness").
 */
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { QueryLimits } from '../config';
import { CODES } from '../errors';
import type { GraphContext } from './context';
import { analyseOperation } from './cost';
import { checkLookupList, detailLookups } from './lookup-limits';
import { archiveCallWeight } from './lookup-allowance';
import { DETAIL_RETENTION_DAYS } from '../cdn/operations';

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
    plugins: [queryCostPlugin(limits, defaultPageSize)],
  };
}

/**
 * Refuses, before any resolver runs: a lookup list longer than `MAX_NODE_IDS` (BAD_USER_INPUT,
 * the message `nodes` itself gives), then a page-weighted cost over `maxCost`, then more task
 * detail lookups than `maxDetailLookups` (both GRAPHQL_VALIDATION_FAILED, like the other document limits).
 */
export function queryCostPlugin(limits: Pick<QueryLimits, 'maxCost' | 'maxDetailLookups'>, defaultPageSize: number): ApolloServerPlugin<GraphContext> {
  const { maxCost, maxDetailLookups } = limits;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request, contextValue }) {
          const lookups = detailLookups(contextValue.now());
          const estimate = analyseOperation(schema, document, operationName, request.variables ?? {}, { defaultPageSize, lookups });
          const list = estimate.longestList;
          const tooLong = list ? checkLookupList(list.field, list.argument, list.length) : null;
          if (tooLong) throw new GraphQLError(tooLong.message, { extensions: { code: tooLong.code, http: { status: 400 } } });
          if (estimate.cost > maxCost) {
            throw refusal(
              `Query cost ${Math.ceil(estimate.cost)} exceeds the limit of ${maxCost} (MAX_COST): every field costs 1, multiplied by the first/last page sizes it is nested in. Ask for smaller pages or fewer nested lists.`,
            );
          }
          if (estimate.lookups > maxDetailLookups) {
            throw refusal(
              `Query may make ${Math.ceil(estimate.lookups)} task detail lookups, over the limit of ${maxDetailLookups} (MAX_DETAIL_LOOKUPS): each node id, _entities representation, node and task costs one, and so do UrlTask.task and Task.urls unless an enclosing lookup already loaded their task, multiplied by the page sizes they are nested in and summed over aliases; ids of objects older than ${DETAIL_RETENTION_DAYS} days cost ${archiveCallWeight('url-tasks')} per window of UrlTask ids created within 15 minutes of each other (a url-tasks call) and ${archiveCallWeight('historytasks')} per window of Task ids within 24 hours (a historytasks call). Ask for fewer ids or smaller pages.`,
            );
          }
        },
      };
    },
  };
}

// A document-limit refusal: HTTP 400, like Apollo's own validation errors.
function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: CODES.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } } });
}
