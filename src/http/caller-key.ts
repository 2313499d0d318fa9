/**
 * Names the caller a request is made for, for the upstream quota's fair share
 * (docs/architecture.md, Fairness): the authenticated identity when callers authenticate, the
 * client address otherwise. Never a credential: API keys are named by position, JWTs by subject.
 */
import type { Caller } from './auth';

/** Returns the caller key of a request: `api-key:key-N`, `jwt:<sub>` (`jwt@addr:…` without a subject), or `addr:<client address>`. */
export function callerKey(caller: Caller | undefined, remoteAddress: string | undefined): string {
  switch (caller?.kind) {
    case 'api-key':
      return `api-key:${caller.keyId}`;
    case 'jwt':
      // A token without a subject names nobody: its sender is told apart by address, like an anonymous one.
      return caller.subject === undefined ? `jwt@addr:${remoteAddress ?? 'unknown'}` : `jwt:${caller.subject}`;
    default:
      return `addr:${remoteAddress ?? 'unknown'}`;
  }
}
