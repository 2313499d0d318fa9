/**
 * The access log and the request metrics, written in one place: one line and one set of
 * observations per answer, when its response closes. Everything else only fills in the
 * request's exchange. GraphQL requests log at info (`graphql request`), the operational
 * routes at debug (`http request`), so a busy probe does not drown the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { CODES } from '../errors';
import type { Caller } from './auth';
import { openExchange, type Exchange } from './exchange';
import type { Metrics } from './metrics';

/** The route label of answers Node's HTTP parser made the gateway send before any route saw the request. */
export const UNPARSED_ROUTE = 'unparsed';

/** The writer of the access log. */
export interface AccessLog {
  /** Opens the exchange of a request, and writes its line and metrics when the response closes. */
  follow(req: IncomingMessage, res: ServerResponse): Exchange;
  /** Writes the line and metrics of an answer to bytes that were not an HTTP request (see client-error.ts). */
  unparsed(status: number, requestId: string): void;
}

/** Options of `createAccessLog`. */
export interface AccessLogOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
}

/** Creates the access log of a gateway. */
export function createAccessLog({ logger, metrics, now }: AccessLogOptions): AccessLog {
  // Records one finished request in the metrics and the log.
  const finish = (req: IncomingMessage, res: ServerResponse, exchange: Exchange): void => {
    const durationMs = now() - exchange.started;
    metrics.observeHttp(exchange.route, res.statusCode);
    if (exchange.route !== '/graphql') {
      logger.debug({ requestId: exchange.requestId, clientRequestId: exchange.clientRequestId, method: req.method, route: exchange.route, status: res.statusCode, durationMs }, 'http request');
      return;
    }
    // A GraphQL request that ended without one (its client left first) failed only if its status says so.
    const outcome = exchange.outcome ?? { operation: null, errorCodes: res.statusCode >= 400 ? [CODES.BAD_REQUEST] : [] };
    metrics.observeGraphQL({ operation: outcome.operation ?? '', durationMs, errorCodes: outcome.errorCodes });
    logger.info(
      {
        requestId: exchange.requestId,
        clientRequestId: exchange.clientRequestId,
        method: req.method,
        status: res.statusCode,
        durationMs,
        operation: outcome.operation,
        errors: outcome.errorCodes.length > 0 ? outcome.errorCodes : undefined,
        caller: describeCaller(exchange.caller),
        aborted: res.writableFinished ? undefined : true,
        // The line is written when the response closes, outside the request's span: its ids are named here.
        ...(exchange.trace ? { trace_id: exchange.trace.traceId, span_id: exchange.trace.spanId } : {}),
      },
      'graphql request',
    );
  };

  return {
    follow(req, res) {
      const exchange = openExchange(req, res, now);
      res.on('close', () => finish(req, res, exchange));
      return exchange;
    },
    unparsed(status, requestId) {
      metrics.observeHttp(UNPARSED_ROUTE, status);
      logger.debug({ requestId, route: UNPARSED_ROUTE, status }, 'http request');
    },
  };
}

// Who called, for the access log (never the credential).
function describeCaller(caller: Caller | undefined): string | undefined {
  if (!caller) return undefined;
  switch (caller.kind) {
    case 'anonymous':
      return undefined;
    case 'api-key':
      return `api-key:${caller.keyId}`;
    case 'jwt':
      return caller.subject === undefined ? 'jwt' : `jwt:${caller.subject}`;
  }
}
