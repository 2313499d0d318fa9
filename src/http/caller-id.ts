/**
 * The caller identity per-caller state is kept under (idempotency keys, daily create caps):
 * the authenticated identity when callers authenticate, the client address otherwise.
 */
import type { Caller } from './auth';

/**
 * Returns the id of a caller: `api-key:<key id>`, `jwt:<subject>`, or `address:<client address>`
 * for unauthenticated callers and for JWTs without a `sub` claim (which name nobody). The address
 * is the socket's peer: behind a proxy every caller shares the proxy's address (forwarded headers
 * are not trusted, since any client can write them).
 */
export function callerIdOf(caller: Caller | undefined, address: string | undefined): string {
  if (caller?.kind === 'api-key') return `api-key:${caller.keyId}`;
  if (caller?.kind === 'jwt' && caller.subject !== undefined) return `jwt:${caller.subject}`;
  return `address:${address ?? 'unknown'}`;
}
