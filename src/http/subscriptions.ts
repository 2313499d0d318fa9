/**
 * GraphQL over WebSocket (the graphql-ws protocol, `graphql-transport-ws`) on the gateway's
 * own port and `/graphql` path, for subscriptions only (docs/architecture.md#subscriptions):
 * the upgrade's Origin is checked like CORS, the caller authenticates in `connection_init`
 * (`connectionParams` `authorization` / `x-api-key`, or the upgrade request's headers), and
 * connections per caller (shared with event streams, subscription-gate.ts) and subscriptions
 * per connection are capped. Operations run through the shared executor
 * (subscription-execution.ts).
 */
import type { IncomingMessage, IncomingHttpHeaders, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Context as WsContext } from 'graphql-ws';
import type { Config } from '../config';
import { CODES } from '../errors';
import type { Logger } from '../logger';
import { refusal, type SubscriptionExecutor } from './subscription-execution';
import { ORIGIN_REFUSED_MESSAGE, type Admission, type SubscriptionGate } from './subscription-gate';

/** The close code graphql-ws clients read as "too many": SUBSCRIPTION_CONNECTIONS_PER_CALLER reached. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** The WebSocket close code of a shutdown (going away): clients reconnect, to another replica. */
export const CLOSE_GOING_AWAY = 1001;

/** Options of `attachSubscriptions`. */
export interface SubscriptionServerOptions {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  readonly config: Pick<Config, 'subscriptions' | 'bodyLimitBytes'>;
  /** Origin, credentials and connections per caller, shared with event streams. */
  readonly gate: SubscriptionGate;
  readonly executor: SubscriptionExecutor;
  readonly logger: Logger;
}

/** The running WebSocket endpoint. */
export interface SubscriptionServer {
  /** Returns the number of open WebSocket connections. */
  connections(): number;
  /** Refuses new upgrades and closes every connection with 1001 (going away). */
  close(): Promise<void>;
}

type Extra = { readonly socket: WebSocket; readonly request: IncomingMessage };

/** Attaches the graphql-ws endpoint to the gateway's HTTP server (`upgrade` on `/graphql`). */
export function attachSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { server, schema, config, gate, executor } = options;
  const settings = config.subscriptions;
  const admissions = new WeakMap<WebSocket, Admission>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyLimitBytes });
  let closing = false;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql') return refuseUpgrade(socket, 404, 'Not Found', 'WebSocket connections are served at /graphql');
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable', 'The gateway is shutting down; connect again');
    if (!gate.originAllowed(req.headers)) return refuseUpgrade(socket, 403, 'Forbidden', ORIGIN_REFUSED_MESSAGE);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const admission = await gate.admit(connectionHeaders(request.headers, ctx.connectionParams), request.socket.remoteAddress);
        if (!admission.ok) {
          socket.close(admission.kind === 'unauthenticated' ? 4401 : CLOSE_TOO_MANY_CONNECTIONS, closeReason(admission.message));
          return false;
        }
        admissions.set(socket, admission);
        return true;
      },
      onClose: (ctx) => {
        admissions.get(ctx.extra.socket)?.release();
        admissions.delete(ctx.extra.socket);
      },
      onSubscribe: (ctx, _id, payload) => {
        const admission = admissions.get(ctx.extra.socket);
        if (!admission) return [refusal(CODES.UNAUTHENTICATED, 'The connection is not authenticated')];
        // The new subscription's id is already counted.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > settings.perConnection) {
          return [refusal(CODES.BAD_REQUEST, `Too many subscriptions on this connection (SUBSCRIPTIONS_PER_CONNECTION=${settings.perConnection}): complete one, or open another connection`)];
        }
        return executor.prepare(payload, admission.callerId, 'WebSocket');
      },
      subscribe: (args) => executor.run(args),
      onNext: (_ctx, _id, _payload, _args, result) => executor.format(result as ExecutionResult),
      onError: (_ctx, _id, _payload, errors) => executor.formatErrors(errors as GraphQLError[]),
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

// The headers a connection authenticates with: connectionParams' credentials over the upgrade's.
function connectionHeaders(headers: IncomingHttpHeaders, params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const merged: IncomingHttpHeaders = { ...headers };
  // Header names are case-insensitive, and people type them either way (GraphiQL's header editor becomes connectionParams).
  const pick = (name: string) => {
    const key = Object.keys(params ?? {}).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : params?.[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const authorization = pick('authorization');
  const apiKey = pick('x-api-key');
  if (authorization !== undefined) merged.authorization = authorization;
  if (apiKey !== undefined) merged['x-api-key'] = apiKey;
  return merged;
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

export type { WsContext };
