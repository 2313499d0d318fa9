/** Start-up warnings about who can get in: a listen address beyond loopback without caller authentication, JWKS tokens whose issuer is not checked. */
import type { CallerAuthConfig } from '../config';

/** Tells whether a host name or address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Returns the start-up warning for a gateway listening beyond loopback without caller authentication, if any. */
export function exposureWarning(host: string, auth: CallerAuthConfig): string | undefined {
  if (auth.mode !== 'none' || isLoopbackHost(host)) return undefined;
  return (
    `HOST=${host} accepts connections from other machines and AUTH_MODE=none lets anyone query the CDN account through this gateway. ` +
    'Set AUTH_MODE=api-key (with API_KEYS) or AUTH_MODE=jwt (with JWT_SECRET or JWKS_URL), or keep HOST=127.0.0.1 behind an authenticating proxy.'
  );
}

/**
 * Returns the start-up warning for JWKS mode without JWT_ISSUER, if any. (Without
 * JWT_AUDIENCE the configuration is refused instead: see config.ts.) Some issuers publish one
 * key set for many tenants, whose tokens only `iss` tells apart.
 */
export function jwtIssuerWarning(auth: CallerAuthConfig): string | undefined {
  if (auth.mode !== 'jwt' || auth.jwksUrl === undefined || auth.issuer !== undefined) return undefined;
  return (
    'JWKS_URL is set without JWT_ISSUER: tokens are accepted whatever their "iss" claim, so any issuer sharing these keys ' +
    '(another tenant of a multi-tenant identity provider) can sign tokens this gateway accepts. Set JWT_ISSUER to the issuer of your tokens.'
  );
}
