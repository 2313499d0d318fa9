/**
 * The gateway's rules on a JWT's time claims beyond what jose checks: a token must expire
 * (`exp`), must not claim to be issued in the future (`iat`), and must not live longer than
 * `JWT_MAX_LIFETIME_S`, so a leaked token is useful for a bounded time whatever its issuer set.
 */

/** The limits a token's time claims are held to. */
export interface LifetimeLimits {
  /** Longest accepted lifetime in seconds: `exp − iat`, or `exp − now` when the token has no `iat`. */
  readonly maxLifetimeS: number;
  /** Seconds an `iat` may lie ahead of this gateway's clock (clock skew between issuer and gateway). */
  readonly clockToleranceS: number;
}

/** Why a token's time claims are refused: a short reason for logs and a message the caller can act on. */
export interface LifetimeFailure {
  readonly reason: string;
  readonly message: string;
}

/** Checks the `exp` and `iat` claims of a verified token at `nowS` (epoch seconds); returns the failure, or `undefined` when they are accepted. */
export function lifetimeFailure(claims: { readonly exp?: unknown; readonly iat?: unknown }, nowS: number, limits: LifetimeLimits): LifetimeFailure | undefined {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    return { reason: 'exp-missing', message: 'The token has no "exp" claim: this gateway accepts only tokens that expire' };
  }
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) {
    return { reason: 'iat-invalid', message: 'The token\'s "iat" claim is not a number of seconds' };
  }
  if (iat !== undefined && iat > nowS + limits.clockToleranceS) {
    return { reason: 'iat-in-future', message: `The token's "iat" claim is in the future (more than ${limits.clockToleranceS} s ahead of this gateway's clock)` };
  }
  const lifetime = Math.ceil(exp - (iat ?? nowS));
  if (lifetime > limits.maxLifetimeS) {
    const from = iat === undefined ? 'from now until its "exp"' : 'from its "iat" to its "exp"';
    return { reason: 'lifetime-too-long', message: `The token is valid for ${lifetime} s (${from}), longer than this gateway accepts (${limits.maxLifetimeS} s)` };
  }
  return undefined;
}
