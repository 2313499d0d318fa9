/** Apollo Server plugin of the gateway: observation of each request, its outcome and the errors behind it. */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError } from 'graphql';
import { CODES, isGatewayError } from '../errors';
import type { Logger } from '../logger';
import { boundMessage, boundOperationName, truncateClientText } from './client-text';
import type { GraphContext } from './context';
import { errorKind } from './errors';

/** How a GraphQL request ended, as clients saw it. */
export interface GraphQLOutcome {
  /** The operation name, `null` for anonymous operations or when parsing failed before one was known. */
  readonly operation: string | null;
  /** `extensions.code` of each error sent. */
  readonly errorCodes: readonly string[];
  /** `query`, `mutation` or `subscription`, once the operation was chosen (for the request's span). */
  readonly operationType?: string;
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

/** Errors of one kind logged one by one per request; the rest of that kind are counted in one more line. */
export const MAX_ERRORS_LOGGED = 5;

/**
 * Records each request's outcome in `observations` (for the access log and metrics) and logs
 * the errors behind it by the one rule of `errorKind` (src/graph/errors.ts): the client's
 * mistakes in one info line per request (codes, bounded messages, paths; no stack), upstream
 * failures at warn with the upstream's status, code and request id, internal errors at error
 * with their stack (clients only see INTERNAL_SERVER_ERROR and the request id). At most
 * `MAX_ERRORS_LOGGED` of each kind per request are written out, so one request cannot write
 * thousands of lines. Operation names are bounded (src/graph/client-text.ts).
 */
export function observePlugin(logger: Logger, observations: Observations): ApolloServerPlugin<GraphContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          logErrors(logger, contextValue.requestId, errors);
        },
        async willSendResponse({ response, contextValue, operationName, request, operation }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          observations.record(contextValue, {
            operation: boundOperationName(operationName ?? request.operationName),
            errorCodes: errorCodesOf(errors),
            ...(operation ? { operationType: operation.operation } : {}),
          });
        },
      };
    },
  };
}

// Logs the errors of one request, by kind.
function logErrors(logger: Logger, requestId: string, errors: readonly GraphQLError[]): void {
  const client: Array<{ code: unknown; message: string; path?: Array<string | number> }> = [];
  let upstream = 0;
  let internal = 0;
  for (const error of errors) {
    const original = unwrapResolverError(error);
    const path = error.path?.map((key) => (typeof key === 'string' ? truncateClientText(key) : key));
    switch (errorKind(error, error.extensions.code)) {
      case 'client':
        client.push({ code: isGatewayError(original) ? original.code : (error.extensions.code ?? CODES.BAD_REQUEST), message: boundMessage(error.message), ...(path ? { path } : {}) });
        break;
      case 'upstream':
        if (++upstream <= MAX_ERRORS_LOGGED && isGatewayError(original)) logger.warn({ requestId, path, code: original.code, upstream: original.upstream }, original.message);
        break;
      case 'internal':
        if (++internal <= MAX_ERRORS_LOGGED) logger.error({ requestId, path, err: original }, 'internal error (masked for the client)');
        break;
    }
  }
  if (client.length > 0) logger.info({ requestId, count: client.length, errors: client.slice(0, MAX_ERRORS_LOGGED) }, 'client errors');
  if (upstream > MAX_ERRORS_LOGGED) logger.warn({ requestId, count: upstream - MAX_ERRORS_LOGGED }, 'more upstream errors in this request, not logged one by one');
  if (internal > MAX_ERRORS_LOGGED) logger.error({ requestId, count: internal - MAX_ERRORS_LOGGED }, 'more internal errors in this request, not logged one by one');
}

/** Returns the `extensions.code` of each error as sent; an error without one counts as INTERNAL_SERVER_ERROR. */
export function errorCodesOf(errors: ReadonlyArray<{ readonly extensions?: Readonly<Record<string, unknown>> }>): string[] {
  return errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : CODES.INTERNAL_SERVER_ERROR));
}
