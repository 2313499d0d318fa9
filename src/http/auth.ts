/**
 * Optional caller authentication, checked before any GraphQL work: static API keys (header
 * `x-api-key` or `Authorization: Bearer <key>`), or JWTs verified with a shared secret or an
 * issuer's JWKS. Verdicts never contain the credential itself.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { CallerAuthConfig } from '../config';
import { lifetimeFailure } from './jwt-lifetime';

/** Who called, as far as the logs are concerned (never the credential). */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'api-key'; readonly keyId: string }
  | { readonly kind: 'jwt'; readonly subject?: string };

/** The verdict on one request. */
export type AuthVerdict =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly message: string; readonly reason: string };

/** Checks a request's headers. */
export type Authenticator = (headers: IncomingHttpHeaders) => Promise<AuthVerdict>;

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Seconds of clock difference tolerated on `exp`/`nbf`, and on an `iat` ahead of this gateway's clock. */
export const JWT_CLOCK_TOLERANCE_S = 5;

/** Creates the authenticator of a caller-authentication setting. */
export function createAuthenticator(settings: CallerAuthConfig): Authenticator {
  switch (settings.mode) {
    case 'none':
      return async () => ({ ok: true, caller: { kind: 'anonymous' } });
    case 'api-key':
      return apiKeyAuthenticator(settings.keys);
    case 'jwt':
      return jwtAuthenticator(settings);
  }
}

// Static keys, compared as SHA-256 digests in constant time so neither length nor prefix leaks.
function apiKeyAuthenticator(keys: readonly string[]): Authenticator {
  const digests = keys.map(digest);
  return async (headers) => {
    const presented = firstHeader(headers['x-api-key']) ?? bearerToken(headers);
    if (presented === undefined) {
      return { ok: false, reason: 'missing', message: 'Authentication required: send an API key in the x-api-key header or as Authorization: Bearer <key>' };
    }
    const given = digest(presented);
    let match = -1;
    digests.forEach((d, i) => {
      if (timingSafeEqual(d, given) && match < 0) match = i;
    });
    if (match < 0) return { ok: false, reason: 'unknown-key', message: 'The API key is not valid' };
    return { ok: true, caller: { kind: 'api-key', keyId: `key-${match + 1}` } };
  };
}

// JWTs: HMAC with a shared secret, or public keys fetched (and cached) from a JWKS URL; each
// token must expire, and within JWT_MAX_LIFETIME_S of its issue (jwt-lifetime.ts).
function jwtAuthenticator(settings: Extract<CallerAuthConfig, { mode: 'jwt' }>): Authenticator {
  const options: JWTVerifyOptions = {
    algorithms: settings.secret ? HMAC_ALGORITHMS : PUBLIC_KEY_ALGORITHMS,
    clockTolerance: JWT_CLOCK_TOLERANCE_S,
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
  };
  const secret = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    : undefined;
  return async (headers) => {
    const token = bearerToken(headers);
    if (token === undefined) return { ok: false, reason: 'missing', message: 'Authentication required: send Authorization: Bearer <JWT>' };
    try {
      const { payload } = secret ? await jwtVerify(token, secret, options) : await jwtVerify(token, jwks as JWTVerifyGetKey, options);
      const refused = lifetimeFailure(payload, Date.now() / 1000, { maxLifetimeS: settings.maxLifetimeS, clockToleranceS: JWT_CLOCK_TOLERANCE_S });
      if (refused) return { ok: false, ...refused };
      return { ok: true, caller: { kind: 'jwt', ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}) } };
    } catch (err) {
      return { ok: false, ...describeJwtFailure(err) };
    }
  };
}

// Turns a verification failure into a message a caller can act on, without echoing the token.
function describeJwtFailure(err: unknown): { reason: string; message: string } {
  if (err instanceof joseErrors.JWTExpired) return { reason: err.code, message: 'The token has expired' };
  if (err instanceof joseErrors.JWTClaimValidationFailed) return { reason: err.code, message: `The token's "${err.claim}" claim is not accepted (${err.reason})` };
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return { reason: err.code, message: 'The token is signed with an algorithm this gateway does not accept' };
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { reason: err.code, message: 'The token signature is not valid' };
  if (err instanceof joseErrors.JWKSNoMatchingKey) return { reason: err.code, message: 'No key of the issuer matches the token' };
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) return { reason: err.code, message: 'The token could not be verified: the issuer keys are unavailable' };
  if (err instanceof joseErrors.JOSEError) return { reason: err.code, message: 'The token is not a valid JWT' };
  return { reason: 'error', message: 'The token could not be verified' };
}

// The token of an `Authorization: Bearer <token>` header.
function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

// A header's first value, when non-empty.
function firstHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

// SHA-256 of a credential, so comparisons take the same time whatever its length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
