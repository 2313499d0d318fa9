/**
 * GraphQL over WebSocket (the graphql-ws protocol, `graphql-transport-ws`) on the gateway's
 * own port and `/graphql` path, for subscriptions only (docs/architecture.md#subscriptions):
 * the upgrade's Origin is checked like CORS, the caller authenticates in `connection_init`
 * (`connectionParams` `authorization` / `x-api-key`, or the upgrade request's headers), and
 * connections per caller and subscriptions per connection are capped. Operations execute on
 * graphql-js (`createSourceEventStream` + `execute`) with a fresh context per event.
 */
import type { IncomingMessage, IncomingHttpHeaders, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Context as WsContext } from 'graphql-ws';
import type { Config } from '../config';
import { CODES } from '../errors';
import type { GraphContext } from '../graph/context';
import { formatGraphQLError } from '../graph/errors';
import { createQueryLimits } from '../graph/limits';
import type { Logger } from '../logger';
import type { Authenticator } from './auth';
import { callerIdOf } from './caller-id';
import { upgradeOriginAllowed } from './cors';
import type { ContextRequest } from './graphql-route';
import { newRequestId } from './request-id';

/** The close code graphql-ws clients read as "too many": SUBSCRIPTION_CONNECTIONS_PER_CALLER reached. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** The WebSocket close code of a shutdown (going away): clients reconnect, to another replica. */
export const CLOSE_GOING_AWAY = 1001;

/** Options of `attachSubscriptions`. */
export interface SubscriptionServerOptions {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  readonly config: Pick<Config, 'subscriptions' | 'corsOrigins' | 'queryLimits' | 'defaultPageSize' | 'requestTimeoutMs' | 'bodyLimitBytes'>;
  readonly authenticate: Authenticator;
  readonly createContext: (request: ContextRequest) => GraphContext;
  readonly logger: Logger;
  readonly now: () => number;
}

/** The running WebSocket endpoint. */
export interface SubscriptionServer {
  /** Returns the number of open WebSocket connections. */
  connections(): number;
  /** Refuses new upgrades and closes every connection with 1001 (going away). */
  close(): Promise<void>;
}

interface Connection {
  readonly callerId: string;
}

type Extra = { readonly socket: WebSocket; readonly request: IncomingMessage };

/** Attaches the graphql-ws endpoint to the gateway's HTTP server (`upgrade` on `/graphql`). */
export function attachSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { server, schema, config, logger, now } = options;
  const settings = config.subscriptions;
  const limits = createQueryLimits(config.queryLimits, config.defaultPageSize);
  const rules: ValidationRule[] = [...specifiedRules, ...limits.validationRules];
  const connections = new WeakMap<WebSocket, Connection>();
  const perCaller = new Map<string, number>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyLimitBytes });
  let closing = false;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql') return refuseUpgrade(socket, 404, 'Not Found', 'WebSocket connections are served at /graphql');
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable', 'The gateway is shutting down; connect again');
    if (!upgradeOriginAllowed(req.headers.origin, req.headers.host, config.corsOrigins)) {
      logger.info({ origin: String(req.headers.origin).slice(0, 200) }, 'WebSocket upgrade refused: origin not allowed (CORS_ORIGINS)');
      return refuseUpgrade(socket, 403, 'Forbidden', 'This origin may not connect: add it to CORS_ORIGINS');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const verdict = await options.authenticate(connectionHeaders(request.headers, ctx.connectionParams));
        if (!verdict.ok) {
          logger.info({ reason: verdict.reason }, `WebSocket caller refused: ${verdict.message}`);
          socket.close(4401, closeReason(verdict.message));
          return false;
        }
        const callerId = callerIdOf(verdict.caller, request.socket.remoteAddress);
        const open = perCaller.get(callerId) ?? 0;
        if (open >= settings.connectionsPerCaller) {
          socket.close(CLOSE_TOO_MANY_CONNECTIONS, closeReason(`Too many connections for this caller (SUBSCRIPTION_CONNECTIONS_PER_CALLER=${settings.connectionsPerCaller})`));
          return false;
        }
        perCaller.set(callerId, open + 1);
        connections.set(socket, { callerId });
        return true;
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return;
        connections.delete(ctx.extra.socket);
        const left = (perCaller.get(connection.callerId) ?? 1) - 1;
        if (left > 0) perCaller.set(connection.callerId, left);
        else perCaller.delete(connection.callerId);
      },
      onSubscribe: (ctx, _id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [refusal(CODES.UNAUTHENTICATED, 'The connection is not authenticated')];
        // The new subscription's id is already counted.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > settings.perConnection) {
          return [refusal(CODES.BAD_REQUEST, `Too many subscriptions on this connection (SUBSCRIPTIONS_PER_CONNECTION=${settings.perConnection}): complete one, or open another connection`)];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, limits.parseOptions);
        } catch (err) {
          return [refusal(CODES.GRAPHQL_PARSE_FAILED, err instanceof Error ? err.message : 'The document does not parse')];
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) return invalid.map((e) => refusal(CODES.GRAPHQL_VALIDATION_FAILED, e.message));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [refusal(CODES.OPERATION_RESOLUTION_FAILURE, 'The operation to run cannot be chosen: name it with operationName')];
        if (operation.operation !== 'subscription') {
          return [refusal(CODES.BAD_REQUEST, `Only subscriptions are served over WebSocket; send this ${operation.operation} over HTTP to /graphql`)];
        }
        const args: ExecutionArgs = {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          // Replaced per event (runSubscription); this one serves the subscribe step.
          contextValue: undefined,
        };
        return args;
      },
      subscribe: (args) => runSubscription(args as ExecutionArgs & { contextValue: unknown }, (signal, callerId) =>
        options.createContext({ requestId: newRequestId(), deadline: now() + config.requestTimeoutMs, signal, callerId }),
      ),
      context: (ctx) => ({ callerId: connections.get(ctx.extra.socket)?.callerId ?? 'anonymous' }),
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result as ExecutionResult, logger),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatGraphQLError(e.toJSON(), e) as GraphQLError),
    },
    wss,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      closing = true;
      const sockets = [...wss.clients];
      const closed = Promise.all(sockets.map((s) => new Promise<void>((resolve) => (s.readyState === s.CLOSED ? resolve() : s.once('close', () => resolve())))));
      // graphql-ws closes every socket with 1001 (going away), then the server.
      await disposable.dispose();
      // A client that does not answer the close handshake within a second is cut.
      const cut = setTimeout(() => sockets.forEach((s) => s.terminate()), 1000);
      await closed;
      clearTimeout(cut);
    },
  };
}

/**
 * Runs a subscription like graphql-js's `subscribe`, but each event executes with a fresh
 * context (own loaders, deadline and request id), so nested fields see fresh upstream data.
 */
async function runSubscription(
  args: ExecutionArgs,
  contextFor: (signal: AbortSignal, callerId: string) => GraphContext,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const callerId = (args.contextValue as { callerId?: string } | undefined)?.callerId ?? 'anonymous';
  const controller = new AbortController();
  const stream = await createSourceEventStream({ ...args, contextValue: contextFor(controller.signal, callerId) });
  if (!isAsyncIterator(stream)) return stream as ExecutionResult;
  const finish = async (): Promise<IteratorResult<ExecutionResult>> => {
    controller.abort();
    await stream.return?.();
    return { value: undefined, done: true };
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const event = await stream.next();
      if (event.done) {
        controller.abort();
        return { value: undefined, done: true };
      }
      const result = await execute({ ...args, rootValue: event.value, contextValue: contextFor(controller.signal, callerId) });
      return { value: result, done: false };
    },
    return: finish,
    throw: async (err: unknown) => {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

// Formats a result's errors as the HTTP path does (src/graph/errors.ts).
function formatResult(result: ExecutionResult, logger: Logger): ExecutionResult | void {
  if (!result.errors) return undefined;
  for (const error of result.errors) logger.info({ code: error.extensions?.code, message: error.message }, 'subscription event error');
  return { ...result, errors: result.errors.map((e) => formatGraphQLError(e.toJSON(), e) as unknown as GraphQLError) };
}

// The headers a connection authenticates with: connectionParams' credentials over the upgrade's.
function connectionHeaders(headers: IncomingHttpHeaders, params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const merged: IncomingHttpHeaders = { ...headers };
  const pick = (name: string) => {
    const value = params?.[name] ?? params?.[name.toLowerCase()];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const authorization = pick('authorization') ?? pick('Authorization');
  const apiKey = pick('x-api-key');
  if (authorization !== undefined) merged.authorization = authorization;
  if (apiKey !== undefined) merged['x-api-key'] = apiKey;
  return merged;
}

// A GraphQL error with a catalogue code, for a refused subscribe message.
function refusal(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

// Truncates a close reason to the protocol's 123 bytes.
function closeReason(message: string): string {
  let reason = message;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

// Answers a refused upgrade with a plain HTTP status and closes the socket.
function refuseUpgrade(socket: Duplex, status: number, statusText: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

// Tells whether a value is an async iterator.
function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & { return?: () => Promise<unknown> } {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterator<unknown>).next === 'function';
}

export type { WsContext };
