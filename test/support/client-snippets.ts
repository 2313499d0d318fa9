/**
 * What the README's client snippets (README, Clients) make each client send, for tests that send
 * exactly that over loopback. Apollo Client is installed and runs for real in the tests; urql
 * and relay-runtime are not, so their request shapes are reproduced here from their sources:
 *
 * - urql (`@urql/core` 4 and 5, `makeFetchURL`/`makeFetchOptions`): queries go as GET when
 *   `preferGetMethod` is on (`'within-url-limit'` by default since 4.0) and the URL stays under
 *   2048 characters, with the body's fields (`query`, `operationName`, `variables`,
 *   `extensions`) as search parameters (objects as JSON) and only an `Accept` header plus the
 *   `fetchOptions` headers, lower-cased; otherwise POST with `content-type: application/json`.
 *   urql adds `__typename` to every selection set, which the documents here already carry.
 * - Relay: the network layer is the app's own `fetchFunction`; `relayFetch` is the README's.
 */

/** The `Accept` header urql 4/5 sends on queries and mutations. */
export const URQL_ACCEPT = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';

/** The urql client options the README discusses. */
export interface UrqlOptions {
  /** @default 'within-url-limit' (urql 4/5) */
  readonly preferGetMethod?: boolean | 'force' | 'within-url-limit';
  readonly fetchOptions?: { readonly headers?: Record<string, string> };
}

/** A GraphQL request body as clients build it. */
export interface GraphQLBody {
  readonly query?: string;
  readonly operationName?: string;
  readonly variables?: Record<string, unknown>;
  readonly extensions?: Record<string, unknown>;
}

/** Builds the `fetch` arguments urql 4/5 makes for a query with these options. */
export function urqlQueryRequest(url: string, body: GraphQLBody, options: UrqlOptions = {}): { url: string; init: RequestInit } {
  const preferGet = options.preferGetMethod ?? 'within-url-limit';
  const headers: Record<string, string> = { accept: URQL_ACCEPT };
  for (const [name, value] of Object.entries(options.fetchOptions?.headers ?? {})) headers[name.toLowerCase()] = value;
  if (preferGet) {
    const target = new URL(url);
    for (const [key, value] of Object.entries(body)) {
      if (value) target.searchParams.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    if (target.toString().length <= 2047 || preferGet === 'force') return { url: target.toString(), init: { method: 'GET', headers } };
  }
  if (!headers['content-type']) headers['content-type'] = 'application/json';
  return { url, init: { method: 'POST', headers, body: JSON.stringify(body) } };
}

/** Relay's `RequestParameters`, the part a fetch function reads. */
export interface RelayRequest {
  readonly name: string;
  readonly text: string | null;
  readonly operationKind: string;
}

/** Creates the README's Relay fetch function for a gateway URL (in an app: `Network.create(fetchGraphQL)`). */
export function relayFetch(gatewayUrl: string): (request: RelayRequest, variables: Record<string, unknown>) => Promise<unknown> {
  return async function fetchGraphQL(request, variables) {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: request.text, operationName: request.name, variables }),
    });
    return await response.json();
  };
}
