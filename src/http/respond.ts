/** Small response writers shared by the HTTP routes. */
import type { ServerResponse } from 'node:http';

/** Sends a small JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

/**
 * Sends a GraphQL error body for a request refused before GraphQL execution (401, 413, ...),
 * shaped like every other error of the gateway: a message, `extensions.code` and the request id.
 */
export function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string, requestId: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code, requestId } }] });
}
