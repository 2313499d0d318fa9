/**
 * The HTTP side of the gateway: Apollo Server on node:http with the GraphQL route, the
 * explorer and the operational routes. `createGateway` builds it without listening;
 * `main.ts` wires and listens.
 *
 *   /graphql          GraphQL (GET and POST); a browser GET gets the explorer page
 *   /explorer/*       the explorer's scripts and styles (EXPLORER=graphiql)
 *   /healthz          the process is alive
 *   /readyz           the upstream answered a signed call recently
 *   /metrics          Prometheus metrics
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from './config';
import type { Logger } from './logger';
import { createSchema } from './graph/schema';
import { cacheControlPlugins } from './graph/cache-control';
import { executionOptions, type ExecutorKind } from './graph/executor';
import { createContext, type CdnApi, type GraphContext } from './graph/context';
import { formatGraphQLError } from './graph/errors';
import { createIdempotencyStore, type IdempotencyStore } from './graph/idempotency';
import { createQueryLimits } from './graph/limits';
import { knownOperationTypesRule } from './graph/operation-types';
import { observePlugin, requestIdPlugin } from './graph/plugins';
import { createAuthenticator, type Caller } from './http/auth';
import { createCors } from './http/cors';
import { createExplorer, EXPLORER_ASSET_PREFIX, wantsExplorerPage } from './http/explorer';
import { handleClientError } from './http/client-error';
import { handleGraphQLRequest } from './http/graphql-handler';
import { createMetrics, type Metrics } from './http/metrics';
import { createReadiness, type Readiness } from './http/readiness';
import { sendGraphQLError, sendJson } from './http/respond';
import type { UpstreamObserver } from './http/upstream-observer';

/** What the gateway needs besides its configuration. */
export interface GatewayDeps {
  readonly cdn: CdnApi;
  readonly logger: Logger;
  /** Clock in epoch ms (tests freeze it). */
  readonly now?: () => number;
  /** Metrics to record into; the same object should feed the CDN client's `onEvent` (through `upstreamObserver`). @default fresh metrics without process metrics */
  readonly metrics?: Metrics;
  /** The observer passed to the CDN client as `onEvent`; readiness trusts the successes it saw. */
  readonly upstreamObserver?: UpstreamObserver;
  /** Remembers create mutations' idempotency keys. @default in memory, IDEMPOTENCY_TTL_MS and IDEMPOTENCY_MAX_KEYS */
  readonly idempotency?: IdempotencyStore;
  /** How operations execute: compiled by graphql-jit, or Apollo's own graphql-js. @default 'jit' */
  readonly executor?: ExecutorKind;
}

/** A built, not yet listening gateway. */
export interface Gateway {
  readonly server: Server;
  readonly apollo: ApolloServer<GraphContext>;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** Listens on the port and host; resolves with the URL of `/graphql`. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), then stops Apollo. */
  close(): Promise<void>;
}

/** Default largest accepted request body, in bytes (`BODY_LIMIT_BYTES`). */
export const MAX_BODY_BYTES = 1024 * 1024;

// What the access log and the metrics learn about one request as it is served.
interface RequestRecord {
  readonly requestId: string;
  readonly started: number;
  route: string;
  caller?: Caller;
  /** Set once the request reached GraphQL handling (or was refused on its way there). */
  graphql?: { operation: string | null; errorCodes: readonly string[] };
}

/** Builds the gateway: schema, Apollo Server and the HTTP routes. */
export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const now = deps.now ?? Date.now;
  const { logger } = deps;
  // Process metrics come with the metrics main.ts creates; a gateway built without them (tests) skips them.
  const metrics = deps.metrics ?? createMetrics({ processMetrics: false });
  const server = createServer();
  // Keyed by the request's abort signal: Apollo hands plugins a shallow copy of the context, not the object itself.
  const records = new WeakMap<AbortSignal, RequestRecord>();
  const limits = createQueryLimits(config.queryLimits, config.defaultPageSize);
  const idempotency = deps.idempotency ?? createIdempotencyStore({ ttlMs: config.idempotencyTtlMs, maxKeys: config.idempotencyMaxKeys, now });
  const plugins: ApolloServerPlugin<GraphContext>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: config.shutdownTimeoutMs }),
    config.explorer === 'sandbox' ? ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }) : ApolloServerPluginLandingPageDisabled(),
    requestIdPlugin(),
    observePlugin(logger, (context, outcome) => {
      const record = records.get(context.signal);
      if (record) record.graphql = outcome;
    }),
    ...limits.plugins,
    // Without introspection, "Did you mean …?" hints would still reveal the schema field by field.
    ...(config.introspection ? [] : [ApolloServerPluginDisableSuggestions()]),
    // No field declares cache hints: `no-store` without Apollo's per-field hint gathering.
    ...cacheControlPlugins<GraphContext>(),
  ];
  const apollo = new ApolloServer<GraphContext>({
    ...executionOptions(createSchema(), deps.executor),
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT and closes things in order; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    parseOptions: limits.parseOptions,
    validationRules: [...limits.validationRules, knownOperationTypesRule],
    logger: logger.child({ component: 'apollo' }),
    plugins,
  });
  await apollo.start();

  const cors = createCors(config.corsOrigins);
  const authenticate = createAuthenticator(config.callerAuth);
  const explorer = config.explorer === 'graphiql' ? createExplorer({ headers: explorerHeaders(config) }) : undefined;
  const readiness = createReadiness({
    probe: (deadline) => deps.cdn.historyTasks({ pageSize: 1, pageNumber: 1 }, { deadline, requestId: `readyz-${randomUUID()}` }),
    ttlMs: config.readinessTtlMs,
    probeTimeoutMs: config.upstreamTimeoutMs,
    lastSuccessAt: deps.upstreamObserver?.lastSuccessAt,
    now,
  });

  server.on('clientError', handleClientError);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const record: RequestRecord = { requestId: pickRequestId(req.headers['x-request-id']), started: now(), route: 'other' };
    res.setHeader('x-request-id', record.requestId);
    res.on('close', () => finish(req, res, record));
    route(req, res, record).catch((err: unknown) => {
      logger.error({ err, requestId: record.requestId }, `unhandled error serving ${record.route}`);
      if (!res.headersSent) sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', record.requestId);
      else res.end();
    });
  });

  // Dispatches a request to its route.
  async function route(req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (cors(req, res)) {
      record.route = 'preflight';
      return;
    }
    if (path === '/graphql') {
      record.route = '/graphql';
      return serveGraphQL(req, res, record);
    }
    if (path.startsWith(EXPLORER_ASSET_PREFIX) && explorer && isRead(req)) {
      record.route = '/explorer';
      if (explorer.sendAsset(path, req, res)) return;
    }
    if (path === '/healthz' && isRead(req)) {
      record.route = path;
      return sendJson(res, 200, { status: 'ok' });
    }
    if (path === '/readyz' && isRead(req)) {
      record.route = path;
      const report = await readiness.check();
      return sendJson(res, report.ready ? 200 : 503, report);
    }
    if (path === '/metrics' && isRead(req)) {
      record.route = path;
      const text = await metrics.render();
      res.statusCode = 200;
      res.setHeader('content-type', metrics.contentType);
      res.setHeader('cache-control', 'no-store');
      return void res.end(text);
    }
    sendJson(res, 404, { error: `No route for ${req.method ?? 'GET'} ${path}; GraphQL is served at /graphql` });
  }

  // The GraphQL route: explorer page for browsers, then caller authentication, then Apollo.
  async function serveGraphQL(req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
    if (config.explorer !== 'off' && wantsExplorerPage(req)) {
      record.route = '/graphql (explorer)';
      // The page is static and holds no data; queries sent from it are authenticated like any other.
      if (explorer) return explorer.sendPage(res);
    } else {
      const verdict = await authenticate(req.headers);
      if (!verdict.ok) {
        record.graphql = { operation: null, errorCodes: ['UNAUTHENTICATED'] };
        logger.info({ requestId: record.requestId, reason: verdict.reason }, `caller refused: ${verdict.message}`);
        res.setHeader('www-authenticate', `Bearer realm="cdn-url-tasks-gateway"${verdict.reason === 'missing' ? '' : ', error="invalid_token"'}`);
        return sendGraphQLError(res, 401, 'UNAUTHENTICATED', verdict.message, record.requestId);
      }
      record.caller = verdict.caller;
    }
    const controller = new AbortController();
    // Only a request whose client left early has work to cancel; an abort builds a DOMException each time.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const deadline = now() + config.requestTimeoutMs;
    await handleGraphQLRequest(apollo, req, res, {
      requestId: record.requestId,
      bodyLimitBytes: config.bodyLimitBytes,
      onUnobservedErrors: (codes) => {
        record.graphql = { operation: null, errorCodes: codes };
      },
      context: async () => {
        const context = createContext({ requestId: record.requestId, deadline, signal: controller.signal, cdn: deps.cdn, config, now, logger, idempotency });
        records.set(context.signal, record);
        return context;
      },
    });
  }

  // Records the finished request in the metrics and the access log.
  function finish(req: IncomingMessage, res: ServerResponse, record: RequestRecord): void {
    const durationMs = now() - record.started;
    metrics.observeHttp(record.route, res.statusCode);
    if (record.route !== '/graphql') {
      logger.debug({ requestId: record.requestId, method: req.method, route: record.route, status: res.statusCode, durationMs }, 'http request');
      return;
    }
    const outcome = record.graphql ?? { operation: null, errorCodes: res.statusCode >= 400 ? ['BAD_REQUEST'] : [] };
    metrics.observeGraphQL({ operation: outcome.operation ?? '', durationMs, errorCodes: outcome.errorCodes });
    logger.info(
      {
        requestId: record.requestId,
        method: req.method,
        status: res.statusCode,
        durationMs,
        operation: outcome.operation,
        errors: outcome.errorCodes.length > 0 ? outcome.errorCodes : undefined,
        caller: describeCaller(record.caller),
        aborted: res.writableFinished ? undefined : true,
      },
      'graphql request',
    );
  }

  return {
    server,
    apollo,
    metrics,
    readiness,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}/graphql`);
        });
      }),
    close: async () => {
      readiness.markShuttingDown();
      // Apollo's drain plugin closes the listener, ends idle keep-alive connections, and waits for in-flight requests.
      await apollo.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Reuses a caller's request id when it is a sane token, otherwise makes one.
function pickRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : randomUUID();
}

// GET or HEAD.
function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

// The headers the explorer pre-fills, so a person sees where their credential goes.
function explorerHeaders(config: Config): Record<string, string> {
  switch (config.callerAuth.mode) {
    case 'none':
      return {};
    case 'api-key':
      return { 'x-api-key': '<your API key>' };
    case 'jwt':
      return { Authorization: 'Bearer <your JWT>' };
  }
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
