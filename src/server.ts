/**
 * The HTTP side of the gateway: Apollo Server on node:http with the GraphQL route and the
 * operational routes. `createGateway` builds it without listening; `main.ts` wires and listens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from './config';
import type { Logger } from './logger';
import { createSchema } from './graph/schema';
import { createContext, type CdnApi, type GraphContext } from './graph/context';
import { formatGraphQLError } from './graph/errors';
import { requestIdPlugin } from './graph/plugins';

/** What the gateway needs besides its configuration. */
export interface GatewayDeps {
  readonly cdn: CdnApi;
  readonly logger: Logger;
  /** Clock in epoch ms (tests freeze it). */
  readonly now?: () => number;
}

/** A built, not yet listening gateway. */
export interface Gateway {
  readonly server: Server;
  readonly apollo: ApolloServer<GraphContext>;
  /** Listens on the port and host; resolves with the URL of `/graphql`. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, drains in-flight requests, then stops Apollo. */
  close(): Promise<void>;
}

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the gateway: schema, Apollo Server and the HTTP routes. */
export async function createGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const now = deps.now ?? Date.now;
  const server = createServer();
  const apollo = new ApolloServer<GraphContext>({
    schema: createSchema(),
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server }), ApolloServerPluginLandingPageDisabled(), requestIdPlugin()],
  });
  await apollo.start();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requestId = pickRequestId(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/graphql') {
      handleGraphQL(req, res, requestId).catch((err: unknown) => {
        deps.logger.error({ err, requestId }, 'unhandled error serving /graphql');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
        else res.end();
      });
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else {
      sendJson(res, 404, { error: `No route for ${req.method ?? 'GET'} ${path}; GraphQL is served at /graphql` });
    }
  });

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'too-large') {
      sendJson(res, 413, { errors: [{ message: `Request body exceeds ${MAX_BODY_BYTES} bytes`, extensions: { code: 'BAD_REQUEST', requestId } }] });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let parsed: unknown = body;
    if (body !== '' && (headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(body);
      } catch {
        sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST', requestId } }] });
        return;
      }
    }
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const deadline = now() + config.requestTimeoutMs;
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: new URL(req.url ?? '/', 'http://x').search, body: parsed },
      context: async () =>
        createContext({ requestId, deadline, signal: controller.signal, cdn: deps.cdn, config, now, logger: deps.logger }),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return {
    server,
    apollo,
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

// Reads a request body up to a byte limit.
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Sends a small JSON answer.
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

