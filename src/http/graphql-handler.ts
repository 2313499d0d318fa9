/**
 * Bridges node:http to Apollo Server's `executeHTTPGraphQLRequest`: body limit, CSRF refusal
 * with a message saying what to add (src/http/csrf.ts), JSON parsing, header conversion and
 * streaming the answer. It settles the request's outcome and puts the request id on every
 * error body, including those Apollo sends without running plugins (malformed requests).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type ContextThunk } from '@apollo/server';
import { CODES } from '../errors';
import { errorCodesOf, type GraphQLOutcome } from '../graph/plugins';
import { readBody } from './body';
import { csrfRefusal } from './csrf';
import type { Exchange } from './exchange';
import { withRequestId, type ErrorWithExtensions } from './request-id';

/** Options of one GraphQL HTTP request. */
export interface GraphQLRequestOptions<TContext extends object> {
  readonly bodyLimitBytes: number;
  /** The request asks for the explorer page, which Apollo serves (EXPLORER=sandbox) before any CSRF check: ours is skipped too. */
  readonly landingPage?: boolean;
  readonly context: ContextThunk<TContext>;
  /** Returns what Apollo's plugins saw of this request once it ran; `undefined` when Apollo answered without running them. */
  readonly observed: () => GraphQLOutcome | undefined;
}

/** Serves one GraphQL request through Apollo Server, and settles its exchange's outcome. */
export async function handleGraphQLRequest<TContext extends object>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  options: GraphQLRequestOptions<TContext>,
): Promise<void> {
  const body = await readBody(req, options.bodyLimitBytes);
  // The connection is gone: nothing to answer; the access log records the request as aborted.
  if (body.kind === 'aborted') return;
  if (body.kind === 'too-large') return exchange.refuse(413, CODES.BAD_REQUEST, `The request body exceeds ${options.bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`);
  // Apollo's csrfPrevention would refuse the same requests, with a message that does not say what to add.
  const csrf = options.landingPage ? undefined : csrfRefusal((req.method ?? 'GET').toUpperCase(), req.headers);
  if (csrf !== undefined) return exchange.refuse(400, CODES.BAD_REQUEST, csrf);
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let parsed: unknown = body.text;
  if (body.text !== '' && (headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(body.text);
    } catch {
      return exchange.refuse(400, CODES.BAD_REQUEST, 'The request body is not valid JSON');
    }
  }
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: new URL(req.url ?? '/', 'http://localhost').search, body: parsed },
    context: options.context,
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  const observed = options.observed();
  if (result.body.kind === 'complete') {
    // Only an answer that may hold errors is read again: one Apollo made without plugins, an HTTP error, or one the plugins saw errors in.
    const mayHoldErrors = observed === undefined || observed.errorCodes.length > 0 || res.statusCode >= 400;
    const stamped = mayHoldErrors ? stampErrors(result.body.string, exchange.requestId) : undefined;
    exchange.settle(observed ?? { operation: null, errorCodes: stamped?.codes ?? [] });
    if (stamped?.text !== undefined) res.removeHeader('content-length');
    res.end(stamped?.text ?? result.body.string);
    return;
  }
  exchange.settle(observed ?? { operation: null, errorCodes: [] });
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

// Reads the errors of a serialized answer: their codes, and the answer with the request id in each (`undefined` text when it has no errors).
function stampErrors(text: string, requestId: string): { codes: string[]; text?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { codes: [] };
  }
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return { codes: [] };
  const typed = errors as ErrorWithExtensions[];
  return { codes: errorCodesOf(typed), text: JSON.stringify({ ...(body as object), errors: withRequestId(typed, requestId) }) };
}
