/**
 * Bridges node:http to Apollo Server's `executeHTTPGraphQLRequest`: body limit, JSON parsing,
 * header conversion, streaming the answer, and a request id on every error body, including
 * those Apollo sends without running plugins (CSRF refusals, malformed requests).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type ContextThunk } from '@apollo/server';
import { readBody } from './body';
import { sendGraphQLError } from './respond';

/** Options of one GraphQL HTTP request. */
export interface GraphQLRequestOptions<TContext extends object> {
  readonly requestId: string;
  readonly bodyLimitBytes: number;
  readonly context: ContextThunk<TContext>;
  /** Called with the codes of an error answer that Apollo produced without running plugins. */
  readonly onUnobservedErrors?: (codes: readonly string[]) => void;
}

/** Serves one GraphQL request through Apollo Server. */
export async function handleGraphQLRequest<TContext extends object>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  options: GraphQLRequestOptions<TContext>,
): Promise<void> {
  const { requestId } = options;
  const body = await readBody(req, options.bodyLimitBytes);
  if (body.kind === 'too-large') {
    options.onUnobservedErrors?.(['BAD_REQUEST']);
    sendGraphQLError(res, 413, 'BAD_REQUEST', `The request body exceeds ${options.bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`, requestId);
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let parsed: unknown = body.text;
  if (body.text !== '' && (headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(body.text);
    } catch {
      options.onUnobservedErrors?.(['BAD_REQUEST']);
      sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON', requestId);
      return;
    }
  }
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: new URL(req.url ?? '/', 'http://localhost').search, body: parsed },
    context: options.context,
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    const text = res.statusCode >= 400 ? withRequestId(result.body.string, requestId, options.onUnobservedErrors) : result.body.string;
    if (text !== result.body.string) res.removeHeader('content-length');
    res.end(text);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

// Adds the request id to the errors of an error answer that lacks it; other bodies pass unchanged.
function withRequestId(text: string, requestId: string, onUnobserved?: (codes: readonly string[]) => void): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return text;
  const typed = errors as Array<{ extensions?: Record<string, unknown> }>;
  // Errors that went through the plugins already carry the id; these did not, so they were not observed either.
  if (typed.every((e) => e.extensions?.requestId !== undefined)) return text;
  onUnobserved?.(typed.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR')));
  const patched = typed.map((e) => ({ ...e, extensions: { ...e.extensions, requestId } }));
  return JSON.stringify({ ...(body as object), errors: patched });
}
