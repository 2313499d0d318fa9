/**
 * The gateway's entry: `createGateway` wires Apollo Server (src/graph/apollo.ts), the HTTP
 * routes (src/http/routes.ts) and the access log (src/http/access-log.ts) onto one node:http
 * server without listening; `main.ts` wires the upstream client and listens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import type { Config } from './config';
import type { Logger } from './logger';
import { startApollo } from './graph/apollo';
import { createContext, type CdnApi, type GraphContext } from './graph/context';
import type { ExecutorKind } from './graph/executor';
import { createIdempotentRunner } from './graph/idempotency';
import { createCreateQuota } from './graph/create-quota';
import { createObservations } from './graph/plugins';
import { createAccessLog } from './http/access-log';
import { createAuthenticator } from './http/auth';
import { createClientErrorHandler } from './http/client-error';
import { createCors } from './http/cors';
import { createExplorer, credentialHeaders } from './http/explorer';
import { createGraphQLRoute, type ContextRequest } from './http/graphql-route';
import { createMetrics, type Metrics } from './http/metrics';
import { createReadiness, type Readiness } from './http/readiness';
import { newRequestId } from './http/request-id';
import { createRouter } from './http/routes';
import { capConnections, httpServerOptions } from './http/server-limits';
import type { UpstreamObserver } from './http/upstream-observer';
import { attachSubscriptions, type SubscriptionServer } from './http/subscriptions';
import { createEventStreams, type EventStreams } from './http/event-stream';
import { createSubscriptionExecutor } from './http/subscription-execution';
import { createSubscriptionGate } from './http/subscription-gate';
import { createProgressHub, type FetchTask, type ProgressHub } from './graph/progress/hub';
import { createSchema } from './graph/schema';
import { scopeToEnterpriseProject } from './cdn/enterprise-project';
import { createMemoryIdempotency, SHARED_PARTS, type SharedState } from './state/index';
import type { PollerCoordination } from './state/types';

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
  /**
   * The shared state of the upstream economy (`Upstream.economy.state`): where create mutations' idempotency records live
   * (Redis with REDIS_URL), and which parts fall back to this replica's memory, for /readyz and /metrics.
   * @default idempotency records in this process's memory (IDEMPOTENCY_MAX_KEYS), nothing reported
   */
  readonly sharedState?: Pick<SharedState, 'kind' | 'status' | 'idempotency'>;
  /** How operations execute: compiled by graphql-jit, or Apollo's own graphql-js. @default 'jit' */
  readonly executor?: ExecutorKind;
  /** Shares the polling of followed tasks with other replicas (the economy's `pollers`). @default this replica polls every task it follows */
  readonly pollers?: PollerCoordination;
  /** Records a span per GraphQL request over HTTP (tracing on, src/telemetry/start.ts; give the same tracer to `createUpstream`). @default none: no spans */
  readonly tracer?: Tracer;
}

/** A built, not yet listening gateway. */
export interface Gateway {
  readonly server: Server;
  readonly apollo: ApolloServer<GraphContext>;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** The graphql-ws endpoint on `/graphql` (subscriptions). */
  readonly subscriptions: SubscriptionServer;
  /** The GraphQL over Server-Sent Events endpoint on `/graphql` (subscriptions, Accept: text/event-stream). */
  readonly eventStreams: EventStreams;
  /** The shared task pollers behind subscriptions. */
  readonly progress: ProgressHub;
  /** Listens on the port and host; resolves with the URL of `/graphql`. */
  listen(port: number, host: string): Promise<string>;
  /** Closes WebSocket connections with 1001 (going away) and ends event streams, stops accepting, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), then stops Apollo. */
  close(): Promise<void>;
}

// The span of the readiness probe's url-tasks call: short, so the answer is small and cheap.
const READINESS_WINDOW_MS = 60_000;

/** Default largest accepted request body, in bytes (`BODY_LIMIT_BYTES`). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the gateway: Apollo Server, the HTTP routes and the access log on one HTTP server. */
export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const now = deps.now ?? Date.now;
  const { logger, cdn } = deps;
  // Process metrics come with the metrics main.ts creates; a gateway built without them (tests) skips them.
  const metrics = deps.metrics ?? createMetrics({ processMetrics: false, operationNames: config.metricsOperationNames });
  const { sharedState } = deps;
  // One path whatever the store: keys kept for IDEMPOTENCY_TTL_MS, in Redis when the economy's state is (shared by replicas).
  const idempotency = createIdempotentRunner({
    ttlMs: config.idempotencyTtlMs,
    store: sharedState?.idempotency ?? createMemoryIdempotency({ maxKeys: config.idempotencyMaxKeys, now }),
    now,
  });
  // 1 for each part that serves from this replica's memory although REDIS_URL shares it (Redis unreachable or failing).
  if (sharedState) metrics.registerSnapshot(() => ({ sharedState: { byPart: fallbackByPart(sharedState) } }));
  // Per gateway process, like the idempotency store: callers' daily create caps (CREATE_QUOTA_PER_CALLER_*).
  const createQuota = createCreateQuota({ caps: config.createQuotaPerCaller, now });
  // Slow clients: headers, body and idle keep-alive are timed, and open connections capped (HTTP_* settings).
  const server = createServer(httpServerOptions(config.httpServer));
  capConnections(server, config.httpServer.maxConnections, logger);
  const observations = createObservations();
  const apollo = await startApollo({ config, logger, httpServer: server, observations, executor: deps.executor });
  const readiness = createReadiness({
    probes: [
      // The gateway's main job; an account may not have it enabled (docs/upstream.md#url-tasks, "Enabling").
      // A short window newest first, one record: the cheapest call the API has.
      {
        operation: 'url-tasks',
        probe: (deadline) => {
          const end = now();
          return cdn.urlTasks({ startTime: end - READINESS_WINDOW_MS, endTime: end, offset: 0, limit: 1 }, { deadline, requestId: `readyz-${newRequestId()}` });
        },
      },
      // Stands for the enterprise-project-scoped APIs (historytasks, detail, creates; docs/upstream.md#enterprise-projects):
      // url-tasks takes no enterprise_project_id, so only this probe catches a missing or wrong HUAWEICLOUD_ENTERPRISE_PROJECT_ID.
      // The detail needs a task id and the creates cost quota, so they are not probed.
      {
        operation: 'historytasks',
        probe: (deadline) =>
          cdn.historyTasks({ pageSize: 1, pageNumber: 1, enterpriseProjectId: config.enterpriseProjectId }, { deadline, requestId: `readyz-${newRequestId()}` }),
      },
    ],
    ttlMs: config.readinessTtlMs,
    probeTimeoutMs: config.upstreamTimeoutMs,
    ...(sharedState ? { sharedState: () => sharedState.status() } : {}),
    lastSuccessAt: deps.upstreamObserver?.lastSuccessAt,
    now,
  });
  const explorer = config.explorer === 'graphiql' ? createExplorer({ headers: credentialHeaders(config.callerAuth) }) : undefined;
  const accessLog = createAccessLog({ logger, metrics, now });
  const authenticate = createAuthenticator(config.callerAuth);
  const progress = createProgressHub({
    settings: { intervalMs: config.subscriptions.pollMs, maxIntervalMs: config.subscriptions.pollMaxMs },
    fetch: progressFetch(cdn, config, now),
    pollTimeoutMs: config.requestTimeoutMs,
    ...(deps.pollers ? { coordination: deps.pollers } : {}),
    onPoll: (outcome) => metrics.observeProgressPoll(outcome),
  });
  const contextOf = (request: ContextRequest) => createContext({ ...request, cdn, config, now, logger, idempotency, createQuota, progress });
  const graphql = createGraphQLRoute({ apollo, config, authenticate, explorer, observations, createContext: contextOf, logger, now, ...(deps.tracer ? { tracer: deps.tracer } : {}) });
  // Both subscription transports share one executor and one gate (Origin, credentials, connections per caller).
  const schema = createSchema();
  const executor = createSubscriptionExecutor({ schema, config, createContext: contextOf, logger, now });
  const gate = createSubscriptionGate({ authenticate, corsOrigins: config.corsOrigins, connectionsPerCaller: config.subscriptions.connectionsPerCaller, logger });
  const subscriptions = attachSubscriptions({ server, schema, config, gate, executor, logger });
  const eventStreams = createEventStreams({ schema, config, gate, executor });
  metrics.watchSubscriptions(() => ({ ...progress.stats(), connections: { websocket: subscriptions.connections(), sse: eventStreams.connections() } }));
  server.on('clientError', createClientErrorHandler(accessLog));
  server.on(
    'request',
    createRouter({ accessLog, cors: createCors({ origins: config.corsOrigins, extraAllowHeaders: config.corsAllowHeaders }), graphql, eventStreams, explorer, readiness, metrics, logger }),
  );

  return {
    server,
    apollo,
    metrics,
    readiness,
    subscriptions,
    eventStreams,
    progress,
    listen: (port, host) => listen(server, port, host),
    close: async () => {
      readiness.markShuttingDown();
      // Subscriptions first: their sockets and streams would keep the HTTP server from closing; clients reconnect elsewhere.
      await Promise.all([subscriptions.close(), eventStreams.close()]);
      // Leases this replica held are given up, so that other replicas take their tasks over at once.
      await progress.close();
      // Apollo's drain plugin closes the listener, ends idle keep-alive connections, and waits for in-flight requests.
      await apollo.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The shared state's fallback gauge, by part: 1 while a part Redis should share serves from this replica's memory.
function fallbackByPart(state: Pick<SharedState, 'status'>): Record<string, { fallback: number }> {
  const status = state.status();
  return Object.fromEntries(SHARED_PARTS.map((part) => [part, { fallback: status.kind === 'redis' && status.local.includes(part) ? 1 : 0 }]));
}

// Polls a followed task's summary (one small detail call) as the longest-standing subscriber's caller,
// through the same client and economy as every other call (docs/architecture.md#subscriptions).
function progressFetch(cdn: CdnApi, config: Config, now: () => number): FetchTask {
  const scoped = scopeToEnterpriseProject(cdn, config.enterpriseProjectId);
  return (taskId, poll) =>
    scoped.taskDetail(
      taskId,
      { pageSize: 1, pageNumber: 1, ...(poll.createTime === null ? {} : { createTime: poll.createTime }) },
      { deadline: now() + config.requestTimeoutMs, signal: poll.signal, requestId: `progress-${newRequestId()}`, caller: poll.caller, requestTag: `progress:${taskId}` },
    );
}

// Listens on the port and host; resolves with the URL of `/graphql`.
function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shownHost}:${address.port}/graphql`);
    });
  });
}
