/**
 * The one place where errors become GraphQL errors: catalogue errors keep their code and
 * upstream context; anything unexpected is masked (no stack, no upstream body) as
 * INTERNAL_SERVER_ERROR. Apollo's own client errors (validation, parsing) pass through.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isGatewayError } from '../errors';

// Codes Apollo Server itself assigns to client mistakes; safe to show as they are.
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
]);

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
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return { ...formatted, extensions: { code } };
  }
  // Apollo refuses some requests with an HTTP 4xx status but no code (a persisted query whose hash does not match).
  if (isRefusedRequest(original)) return { ...formatted, extensions: { code: 'BAD_REQUEST' } };
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

// An error Apollo raised about the request itself, marked with an HTTP 4xx status (resolver errors have a path).
function isRefusedRequest(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
