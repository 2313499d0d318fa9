/** Small response writers shared by the HTTP routes. */
import type { ServerResponse } from 'node:http';
import type { ClientErrorCode } from '../errors';
import { withRequestId } from './request-id';

/** Sends a small JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/**
 * Returns the JSON body of a request refused before GraphQL execution (401, 413, ...),
 * shaped like every other error of the gateway: a message, `extensions.code` and the request id.
 */
export function graphQLErrorBody(code: ClientErrorCode, message: string, requestId: string): string {
  return JSON.stringify({ errors: withRequestId([{ message, extensions: { code } }], requestId) });
}

/** Sends a GraphQL error body for a request refused before GraphQL execution. */
export function sendGraphQLError(res: ServerResponse, status: number, code: ClientErrorCode, message: string, requestId: string): void {
  sendJsonText(res, status, graphQLErrorBody(code, message, requestId));
}

// Sends serialized JSON that no cache may keep (every answer here is about this one request or the live process).
function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}
