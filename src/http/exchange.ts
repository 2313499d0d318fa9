/**
 * One request as the gateway serves it: its request id (made once, here, by the gateway, and
 * returned as `x-request-id`), the caller's own `x-request-id` when sane, the route and caller
 * the routes learn, and the GraphQL outcome. The routes fill it in; the access log reads it
 * once, when the response closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientErrorCode } from '../errors';
import type { GraphQLOutcome } from '../graph/plugins';
import type { Caller } from './auth';
import { clientRequestIdOf, newRequestId, REQUEST_ID_HEADER } from './request-id';
import { sendGraphQLError } from './respond';

/** A request being served. */
export interface Exchange {
  /** The gateway's id of this request, unique: logs, `extensions.requestId`, the `x-request-id` answer header, upstream calls. */
  readonly requestId: string;
  /** The `x-request-id` the caller sent, when it is a sane token (src/http/request-id.ts); only logged, never used as the request id. */
  readonly clientRequestId: string | undefined;
  /** When it arrived (epoch ms). */
  readonly started: number;
  /** The route label of metrics and logs; `other` until a route claims the request. */
  route: string;
  /** Who called, once authenticated. */
  caller?: Caller;
  /** The ids of the request's span (tracing on), for the access line: it is written outside the span. */
  trace?: { readonly traceId: string; readonly spanId: string };
  /** How the GraphQL request ended; `undefined` until settled (and for other routes). */
  readonly outcome: GraphQLOutcome | undefined;
  /** Records how the GraphQL request ended; a later answer (a 500 after a failure) replaces an earlier one, as the client then sees it. */
  settle(outcome: GraphQLOutcome): void;
  /** Answers with a GraphQL error the gateway raises itself (401, 413, ...) and records it as the outcome. */
  refuse(status: number, code: ClientErrorCode, message: string): void;
}

/** Opens the exchange of a request: makes its request id, keeps the caller's, and puts the gateway's on the response. */
export function openExchange(req: IncomingMessage, res: ServerResponse, now: () => number): Exchange {
  const requestId = newRequestId();
  const clientRequestId = clientRequestIdOf(req.headers[REQUEST_ID_HEADER]);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  let outcome: GraphQLOutcome | undefined;
  return {
    requestId,
    clientRequestId,
    started: now(),
    route: 'other',
    get outcome() {
      return outcome;
    },
    settle(next) {
      outcome = next;
    },
    refuse(status, code, message) {
      outcome = { operation: null, errorCodes: [code] };
      sendGraphQLError(res, status, code, message, requestId);
    },
  };
}
