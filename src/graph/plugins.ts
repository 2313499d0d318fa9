/** Apollo Server plugins of the gateway: request ids in errors, and observation of each request. */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { isGatewayError } from '../errors';
import type { Logger } from '../logger';
import type { GraphContext } from './context';

/** Adds the request id to every error's extensions, so a person can quote it when reporting. */
export function requestIdPlugin(): ApolloServerPlugin<GraphContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };
}

/** How a GraphQL request ended, as clients saw it. */
export interface GraphQLOutcome {
  /** The operation name, `null` for anonymous operations or when parsing failed before one was known. */
  readonly operation: string | null;
  /** `extensions.code` of each error sent. */
  readonly errorCodes: readonly string[];
}

/**
 * Reports each request's outcome (for the access log and metrics) and logs the errors behind
 * it: internal errors with their stack (clients only see INTERNAL_SERVER_ERROR and the request
 * id), upstream failures with the upstream's status, code and request id.
 */
export function observePlugin(logger: Logger, onOutcome: (context: GraphContext, outcome: GraphQLOutcome) => void): ApolloServerPlugin<GraphContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const at = { requestId: contextValue.requestId, path: error.path };
            if (isGatewayError(original)) {
              if (original.upstream) logger.warn({ ...at, code: original.code, upstream: original.upstream }, original.message);
              else logger.debug({ ...at, code: original.code }, original.message);
            } else if (typeof error.extensions.code === 'string') {
              logger.debug({ ...at, code: error.extensions.code }, error.message);
            } else {
              logger.error({ ...at, err: original }, 'internal error (masked for the client)');
            }
          }
        },
        async willSendResponse({ response, contextValue, operationName, request }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          onOutcome(contextValue, {
            operation: operationName ?? request.operationName ?? null,
            errorCodes: errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR')),
          });
        },
      };
    },
  };
}
