/**
 * The one place where errors become GraphQL errors, and the one rule sorting them: catalogue
 * errors keep their code and upstream context; Apollo's own client errors (validation,
 * parsing, refused requests) pass through with their message bounded (it may quote the
 * request); anything unexpected is masked (no stack, no upstream body) as
 * INTERNAL_SERVER_ERROR. The same sorting (`errorKind`) decides how an error is logged
 * (src/graph/plugins.ts): only what is masked is a bug.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { CODES, PROTOCOL_ERROR_CODES, isGatewayError, type ClientErrorCode } from '../errors';
import { boundMessage } from './client-text';

// Codes Apollo Server itself assigns to client mistakes (the catalogue's protocol codes, and
// BAD_USER_INPUT for variables and scalars); safe to show as they are. Any other code on an
// error that is not a GatewayError (INTERNAL_SERVER_ERROR included) is masked.
const CLIENT_CODES: ReadonlySet<string> = new Set<ClientErrorCode>([...(Object.keys(PROTOCOL_ERROR_CODES) as ClientErrorCode[]), CODES.BAD_USER_INPUT]);

/**
 * What an error is, for clients and for the logs:
 * - `client`: the request's own fault (bad input, a document that does not validate, a refused
 *   or unknown persisted query, a quota the caller used up): shown as it is, logged at info without a stack;
 * - `upstream`: the CDN or the way to it failed (an `UPSTREAM_*` code, or the error carries
 *   `upstream`, like a domain the CDN refuses): shown with its code, logged at warn with the
 *   upstream's status, code and request id when known, without a stack;
 * - `internal`: anything else, a bug: masked as INTERNAL_SERVER_ERROR (a GatewayError of that code
 *   keeps the message the gateway wrote for it), logged at error with its stack.
 */
export type ErrorKind = 'client' | 'upstream' | 'internal';

/** Sorts an error as Apollo reports it (`code` is its `extensions.code`, when it has one). */
export function errorKind(error: unknown, code: unknown): ErrorKind {
  const original = unwrapResolverError(error);
  if (isGatewayError(original)) {
    if (original.code === CODES.INTERNAL_SERVER_ERROR) return 'internal';
    return original.upstream || original.code.startsWith('UPSTREAM_') ? 'upstream' : 'client';
  }
  if (typeof code === 'string' && CLIENT_CODES.has(code)) return 'client';
  // Apollo refuses some requests with an HTTP 4xx status but no code (a persisted query whose hash does not match).
  return isRefusedRequest(original) ? 'client' : 'internal';
}

/** Formats an error for clients (Apollo's `formatError` hook). */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isGatewayError(original)) {
    const { upstream, retryAfterMs } = original;
    return {
      message: original.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: {
        code: original.code,
        ...(upstream ? { upstream: { status: upstream.status, code: upstream.code ?? null, requestId: upstream.requestId ?? null } } : {}),
        ...(retryAfterMs !== undefined ? { retryAfter: Math.ceil(retryAfterMs / 1000) } : {}),
      },
    };
  }
  const code = formatted.extensions?.code;
  if (errorKind(error, code) === 'client') {
    return { ...formatted, message: boundMessage(formatted.message), extensions: { code: typeof code === 'string' && CLIENT_CODES.has(code) ? code : CODES.BAD_REQUEST } };
  }
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: CODES.INTERNAL_SERVER_ERROR },
  };
}

// An error Apollo raised about the request itself, marked with an HTTP 4xx status (resolver errors have a path).
function isRefusedRequest(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
