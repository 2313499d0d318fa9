/** Apollo Server plugin of the gateway: observation of each request, its outcome and the errors behind it. */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { CODES, isGatewayError } from '../errors';
import type { Logger } from '../logger';
import type { GraphContext } from './context';

/** How a GraphQL request ended, as clients saw it. */
export interface GraphQLOutcome {
  /** The operation name, `null` for anonymous operations or when parsing failed before one was known. */
  readonly operation: string | null;
  /** `extensions.code` of each error sent. */
  readonly errorCodes: readonly string[];
}

/**
 * What the observe plugin saw, by request, until the HTTP layer takes it. Keyed by the
 * request's abort signal: Apollo hands plugins a shallow copy of the context, not the object
 * the HTTP layer made, but the signal inside is the same object.
 */
export interface Observations {
  /** Keeps the outcome of the request `context` belongs to. */
  record(context: GraphContext, outcome: GraphQLOutcome): void;
  /** Returns (and forgets) the outcome seen for the request of `signal`; `undefined` when Apollo answered without running plugins. */
  take(signal: AbortSignal): GraphQLOutcome | undefined;
}

/** Creates an empty set of observations. */
export function createObservations(): Observations {
  const seen = new WeakMap<AbortSignal, GraphQLOutcome>();
  return {
    record(context, outcome) {
      seen.set(context.signal, outcome);
    },
    take(signal) {
      const outcome = seen.get(signal);
      seen.delete(signal);
      return outcome;
    },
  };
}

/**
 * Records each request's outcome in `observations` (for the access log and metrics) and logs
 * the errors behind it: internal errors with their stack (clients only see
 * INTERNAL_SERVER_ERROR and the request id), upstream failures with the upstream's status,
 * code and request id.
 */
export function observePlugin(logger: Logger, observations: Observations): ApolloServerPlugin<GraphContext> {
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
          observations.record(contextValue, { operation: operationName ?? request.operationName ?? null, errorCodes: errorCodesOf(errors) });
        },
      };
    },
  };
}

/** Returns the `extensions.code` of each error as sent; an error without one counts as INTERNAL_SERVER_ERROR. */
export function errorCodesOf(errors: ReadonlyArray<{ readonly extensions?: Readonly<Record<string, unknown>> }>): string[] {
  return errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : CODES.INTERNAL_SERVER_ERROR));
}
