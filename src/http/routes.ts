/**
 * The gateway's HTTP routes, dispatched by path:
 *
 *   /graphql          GraphQL (GET and POST); a browser GET gets the explorer page; Accept:
 *                     text/event-stream opens a subscription's event stream (event-stream.ts);
 *                     WebSocket upgrades are served by subscriptions.ts
 *   /explorer/*       the explorer's scripts and styles (EXPLORER=graphiql)
 *   /healthz          the process is alive
 *   /readyz           the upstream answered a signed call recently
 *   /metrics          Prometheus metrics
 *
 * CORS preflights are answered before any route; anything else is a 404 naming `/graphql`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CODES } from '../errors';
import type { Logger } from '../logger';
import type { AccessLog } from './access-log';
import type { Cors } from './cors';
import type { EventStreams } from './event-stream';
import type { Exchange } from './exchange';
import { EXPLORER_ASSET_PREFIX, type Explorer } from './explorer';
import type { GraphQLRoute } from './graphql-route';
import type { Metrics } from './metrics';
import type { Readiness } from './readiness';
import { sendJson } from './respond';

/** Options of `createRouter`. */
export interface RouterOptions {
  readonly accessLog: AccessLog;
  readonly cors: Cors;
  readonly graphql: GraphQLRoute;
  /** GraphQL over Server-Sent Events on `/graphql`. */
  readonly eventStreams?: EventStreams;
  /** The GraphiQL explorer, whose assets are served under `/explorer/`. */
  readonly explorer?: Explorer;
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** A node:http `request` listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Creates the request listener serving every route. */
export function createRouter(options: RouterOptions): RequestListener {
  const { accessLog, cors, graphql, eventStreams, explorer, readiness, metrics, logger } = options;

  // Dispatches a request to its route.
  const route = async (req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (cors(req, res)) {
      exchange.route = 'preflight';
      return;
    }
    if (path === '/graphql' && eventStreams?.claims(req)) {
      exchange.route = '/graphql (events)';
      return eventStreams.serve(req, res, exchange);
    }
    if (path === '/graphql') {
      exchange.route = '/graphql';
      return graphql(req, res, exchange);
    }
    if (path.startsWith(EXPLORER_ASSET_PREFIX) && explorer && isRead(req)) {
      exchange.route = '/explorer';
      if (explorer.sendAsset(path, req, res)) return;
    }
    if (path === '/healthz' && isRead(req)) {
      exchange.route = path;
      return sendJson(res, 200, { status: 'ok' });
    }
    if (path === '/readyz' && isRead(req)) {
      exchange.route = path;
      const report = await readiness.check();
      return sendJson(res, report.ready ? 200 : 503, report);
    }
    if (path === '/metrics' && isRead(req)) {
      exchange.route = path;
      const text = await metrics.render();
      res.statusCode = 200;
      res.setHeader('content-type', metrics.contentType);
      res.setHeader('cache-control', 'no-store');
      return void res.end(text);
    }
    sendJson(res, 404, { error: `No route for ${req.method ?? 'GET'} ${path}; GraphQL is served at /graphql` });
  };

  return (req, res) => {
    const exchange = accessLog.follow(req, res);
    route(req, res, exchange).catch((err: unknown) => {
      logger.error({ err, requestId: exchange.requestId }, `unhandled error serving ${exchange.route}`);
      if (!res.headersSent) exchange.refuse(500, CODES.INTERNAL_SERVER_ERROR, 'Internal server error');
      else res.end();
    });
  };
}

// GET or HEAD.
function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}
