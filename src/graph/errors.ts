/**
 * The one place where errors become GraphQL errors: catalogue errors keep their code and
 * upstream context; anything unexpected is masked (no stack, no upstream body) as
 * INTERNAL_SERVER_ERROR. Apollo's own client errors (validation, parsing) pass through.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { CODES, PROTOCOL_ERROR_CODES, isGatewayError, type ClientErrorCode } from '../errors';

// Codes Apollo Server itself assigns to client mistakes (the catalogue's protocol codes, and
// BAD_USER_INPUT for variables and scalars); safe to show as they are. Any other code on an
// error that is not a GatewayError (INTERNAL_SERVER_ERROR included) is masked.
const CLIENT_CODES: ReadonlySet<string> = new Set<ClientErrorCode>([...(Object.keys(PROTOCOL_ERROR_CODES) as ClientErrorCode[]), CODES.BAD_USER_INPUT]);

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
  if (isRefusedRequest(original)) return { ...formatted, extensions: { code: CODES.BAD_REQUEST } };
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
