/**
 * GraphQL over Server-Sent Events (the graphql-sse protocol, "distinct connections mode") on
 * `/graphql`: a request whose Accept asks for `text/event-stream` (and no JSON) is one subscription, answered as
 * an event stream of `next` events and a `complete` (docs/architecture.md#subscriptions). The
 * same checks as the WebSocket path (subscription-gate.ts: Origin, caller credentials,
 * connections per caller counted over both transports) and HTTP's CSRF rule apply before
 * anything runs; execution is the shared executor's (subscription-execution.ts). graphql-sse's
 * "single connection mode" (a PUT reserving a stream for many operations) is refused: its
 * reservations are server state that outlives requests, and WebSocket already carries many
 * subscriptions on one connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { createHandler, type Handler, type OperationArgs } from 'graphql-sse';
import type { Config } from '../config';
import { CODES } from '../errors';
import { readBody } from './body';
import { csrfRefusal } from './csrf';
import type { Exchange } from './exchange';
import type { SubscriptionExecutor } from './subscription-execution';
import { ORIGIN_REFUSED_MESSAGE, type SubscriptionGate } from './subscription-gate';

/** The media type of an event stream. */
export const EVENT_STREAM_TYPE = 'text/event-stream';

/** The header graphql-sse's single connection mode sends its stream token in. */
const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';

/** Options of `createEventStreams`. */
export interface EventStreamOptions {
  readonly schema: GraphQLSchema;
  readonly config: Pick<Config, 'bodyLimitBytes'>;
  /** Origin, credentials and connections per caller, shared with WebSockets. */
  readonly gate: SubscriptionGate;
  readonly executor: SubscriptionExecutor;
}

/** The event-stream endpoint on `/graphql`. */
export interface EventStreams {
  /** Tells whether a request to `/graphql` is for this endpoint: an event stream, or a single-connection-mode reservation (a PUT without a body). */
  claims(req: IncomingMessage): boolean;
  /** Serves a claimed request. */
  serve(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void>;
  /** Returns the number of open event streams. */
  connections(): number;
  /** Refuses new streams (503) and ends every open one; their subscriptions stop. */
  close(): Promise<void>;
}

type OperationContext = { readonly callerId: string };
type RequestContext = { readonly callerId: string };

/** Creates the event-stream endpoint. */
export function createEventStreams(options: EventStreamOptions): EventStreams {
  const { schema, config, gate, executor } = options;
  const open = new Set<{ stop(): Promise<void>; ended: Promise<void> }>();
  let closing = false;

  const handler: Handler<IncomingMessage, RequestContext> = createHandler<IncomingMessage, RequestContext, OperationContext>({
    schema,
    // No token: every stream is its own connection ("distinct connections mode").
    authenticate: () => null,
    onSubscribe: (req, params) => {
      const prepared = executor.prepare(params, req.context.callerId, 'Server-Sent Events');
      // Refused before running: one event with the errors (formatted by onNext), then complete: an event-stream client reads errors from events.
      if (Array.isArray(prepared)) return single({ errors: prepared });
      return prepared as OperationArgs<OperationContext>;
    },
    subscribe: (args) => executor.run(args),
    onNext: (_ctx, _req, result) => executor.format(result as ExecutionResult),
  });

  return {
    claims(req) {
      return wantsEventStream(req.headers.accept) || isReservation(req) || req.headers[STREAM_TOKEN_HEADER] !== undefined;
    },
    async serve(req, res, exchange) {
      if (isReservation(req) || req.headers[STREAM_TOKEN_HEADER] !== undefined) {
        res.setHeader('allow', 'GET, POST');
        return exchange.refuse(
          405,
          CODES.BAD_REQUEST,
          "GraphQL over Server-Sent Events is served in distinct connections mode only (graphql-sse's createClient default, singleConnection: false): POST each subscription with Accept: text/event-stream. For many subscriptions on one connection, use WebSocket on /graphql",
        );
      }
      if (req.method !== 'GET' && req.method !== 'POST') {
        res.setHeader('allow', 'GET, POST');
        return exchange.refuse(405, CODES.BAD_REQUEST, `An event stream is opened with GET or POST, not ${req.method ?? 'no method'}`);
      }
      if (closing) return exchange.refuse(503, CODES.BAD_REQUEST, 'The gateway is shutting down; connect again');
      if (!gate.originAllowed(req.headers)) return exchange.refuse(403, CODES.BAD_REQUEST, ORIGIN_REFUSED_MESSAGE);
      const csrf = csrfRefusal(req.method, req.headers);
      if (csrf !== undefined) return exchange.refuse(400, CODES.BAD_REQUEST, csrf);
      // Credentials before the body, as over HTTP: an unknown caller costs no body read.
      const admission = await gate.admit(req.headers, req.socket.remoteAddress);
      if (!admission.ok) {
        if (admission.kind === 'too-many') return exchange.refuse(429, CODES.BAD_REQUEST, admission.message);
        res.setHeader('www-authenticate', `Bearer realm="cdn-url-tasks-gateway"${admission.reason === 'missing' ? '' : ', error="invalid_token"'}`);
        return exchange.refuse(401, CODES.UNAUTHENTICATED, admission.message);
      }
      exchange.caller = admission.caller;
      try {
        const body = req.method === 'POST' ? await readBody(req, config.bodyLimitBytes) : { kind: 'ok' as const, text: '' };
        if (body.kind === 'aborted') return;
        if (body.kind === 'too-large') return exchange.refuse(413, CODES.BAD_REQUEST, `The request body exceeds ${config.bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`);
        const [stream, init] = await handler({
          method: req.method,
          url: req.url ?? '/graphql',
          headers: {
            // graphql-sse compares Accept exactly; the claim above already read it as a list.
            get: (key) => (key === 'accept' ? EVENT_STREAM_TYPE : headerValue(req, key)),
          },
          body: body.text,
          raw: req,
          context: { callerId: admission.callerId },
        });
        if (stream === null || typeof stream === 'string') {
          // A request graphql-sse itself refused (unparsable body, missing query): its status, with a catalogue-shaped body.
          return exchange.refuse(init.status, CODES.BAD_REQUEST, refusedMessage(stream, init.status));
        }
        res.writeHead(init.status, { ...init.headers, 'x-accel-buffering': 'no' });
        await pipeStream(stream, res, open);
      } finally {
        admission.release();
      }
    },
    connections: () => open.size,
    async close() {
      closing = true;
      await Promise.all([...open].map((s) => s.stop()));
    },
  };
}

// Answer types of the HTTP route (Apollo): a client accepting any of them is served there.
const HTTP_ANSWER_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/graphql-response+json', 'application/graphql+json', 'multipart/mixed']);

/**
 * Tells whether an Accept header asks for an event stream: it lists `text/event-stream` and
 * none of the types the HTTP route answers with (JSON, `multipart/mixed`), parameters and case
 * aside. graphql-sse's client, `EventSource` and `curl -H 'accept: text/event-stream'` send it
 * alone; urql lists it after JSON on every request, and is answered over HTTP.
 */
export function wantsEventStream(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  const types = value.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
  return types.includes(EVENT_STREAM_TYPE) && !types.some((type) => HTTP_ANSWER_TYPES.has(type));
}

// Writes an event stream to the response until it ends, the client leaves, or the endpoint closes.
async function pipeStream(stream: AsyncGenerator<string, void, undefined>, res: ServerResponse, open: Set<{ stop(): Promise<void>; ended: Promise<void> }>): Promise<void> {
  let resolveEnded = () => {};
  const entry = {
    ended: new Promise<void>((resolve) => (resolveEnded = resolve)),
    // Ends the subscription (the hub stops polling for it); the loop below then ends the response.
    stop: async () => {
      await stream.return(undefined);
      await entry.ended;
    },
  };
  open.add(entry);
  const leave = () => void stream.return(undefined);
  res.once('close', leave);
  try {
    for await (const chunk of stream) {
      if (!res.writable) break;
      await new Promise<void>((resolve, reject) => res.write(chunk, (err) => (err ? reject(err) : resolve())));
    }
  } catch {
    // The client left mid-write: nothing to answer.
  } finally {
    res.off('close', leave);
    open.delete(entry);
    if (!res.writableEnded) res.end();
    resolveEnded();
  }
}

// A PUT without a body: how graphql-sse's single connection mode reserves a stream (any other PUT is Apollo's to refuse).
function isReservation(req: IncomingMessage): boolean {
  return req.method === 'PUT' && req.headers['content-type'] === undefined;
}

// An async iterable of one result, which graphql-sse sends as one event before `complete`.
function single(result: ExecutionResult): AsyncIterable<ExecutionResult> {
  return {
    async *[Symbol.asyncIterator]() {
      yield result;
    },
  };
}

// One request header as a string.
function headerValue(req: IncomingMessage, key: string): string | undefined {
  const value = req.headers[key.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

// The message of a request graphql-sse refused: its first error's, else its status's.
function refusedMessage(body: string | null, status: number): string {
  if (body) {
    try {
      const message = (JSON.parse(body) as { errors?: Array<{ message?: unknown }> }).errors?.[0]?.message;
      if (typeof message === 'string') return `${message}: send { "query": "subscription { … }", "variables": { … } } as application/json`;
    } catch {
      // Not JSON: fall through.
    }
  }
  return status === 415 ? 'An event stream is opened with a GET carrying the query in its URL, or a POST with content-type: application/json' : `The event stream request was refused (HTTP ${status})`;
}
