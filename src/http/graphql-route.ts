/**
 * The `/graphql` route: the explorer page for browsers, then caller authentication, then
 * Apollo Server with this request's deadline, cancellation and context.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import type { Config } from '../config';
import { CODES } from '../errors';
import type { GraphContext } from '../graph/context';
import type { Observations } from '../graph/plugins';
import type { Logger } from '../logger';
import type { Authenticator } from './auth';
import { callerIdOf } from './caller-id';
import type { Exchange } from './exchange';
import { wantsExplorerPage, type Explorer } from './explorer';
import { handleGraphQLRequest } from './graphql-handler';
import { serveInSpan, startRequestSpan } from './request-span';

/** What a request's context is made from. */
export interface ContextRequest {
  readonly requestId: string;
  /** Absolute deadline (epoch ms). */
  readonly deadline: number;
  /** Aborted when the client leaves before the answer is complete. */
  readonly signal: AbortSignal;
  /** Who called (see `callerIdOf`): per-caller state such as idempotency keys is kept under it. */
  readonly callerId: string;
}

/** Options of `createGraphQLRoute`. */
export interface GraphQLRouteOptions {
  readonly apollo: ApolloServer<GraphContext>;
  readonly config: Pick<Config, 'explorer' | 'requestTimeoutMs' | 'bodyLimitBytes'>;
  readonly authenticate: Authenticator;
  /** The GraphiQL explorer (EXPLORER=graphiql); with EXPLORER=sandbox Apollo's landing page answers browsers instead. */
  readonly explorer?: Explorer;
  /** Where the observe plugin of `apollo` records outcomes. */
  readonly observations: Observations;
  readonly createContext: (request: ContextRequest) => GraphContext;
  readonly logger: Logger;
  readonly now: () => number;
  /** Records a span per request (tracing on, docs/tracing.md); absent, none is made. */
  readonly tracer?: Tracer;
}

/** Serves one request to `/graphql`. */
export type GraphQLRoute = (req: IncomingMessage, res: ServerResponse, exchange: Exchange) => Promise<void>;

/** Creates the `/graphql` route. */
export function createGraphQLRoute(options: GraphQLRouteOptions): GraphQLRoute {
  const { apollo, config, authenticate, explorer, observations, logger, now, tracer } = options;
  const serve = async (req: IncomingMessage, res: ServerResponse, exchange: Exchange, page: boolean): Promise<void> => {
    if (!page) {
      const verdict = await authenticate(req.headers);
      if (!verdict.ok) {
        logger.info({ requestId: exchange.requestId, reason: verdict.reason }, `caller refused: ${verdict.message}`);
        res.setHeader('www-authenticate', `Bearer realm="cdn-url-tasks-gateway"${verdict.reason === 'missing' ? '' : ', error="invalid_token"'}`);
        return exchange.refuse(401, CODES.UNAUTHENTICATED, verdict.message);
      }
      exchange.caller = verdict.caller;
    }
    const controller = new AbortController();
    // Only a request whose client left early has work to cancel; an abort builds a DOMException each time.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const deadline = now() + config.requestTimeoutMs;
    const callerId = callerIdOf(exchange.caller, req.socket.remoteAddress);
    await handleGraphQLRequest(apollo, req, res, exchange, {
      bodyLimitBytes: config.bodyLimitBytes,
      // With EXPLORER=sandbox, Apollo answers a browser's page request with its landing page, before its CSRF rule.
      landingPage: page,
      context: async () => options.createContext({ requestId: exchange.requestId, deadline, signal: controller.signal, callerId }),
      observed: () => observations.take(controller.signal),
    });
  };
  return async (req, res, exchange) => {
    const page = config.explorer !== 'off' && wantsExplorerPage(req);
    if (page) {
      exchange.route = '/graphql (explorer)';
      // The page is static and holds no data; queries sent from it are authenticated like any other.
      if (explorer) return explorer.sendPage(res, req.headers.host);
    }
    if (!tracer) return serve(req, res, exchange, page);
    return serveInSpan(startRequestSpan(tracer, req, res, exchange), () => serve(req, res, exchange, page));
  };
}
