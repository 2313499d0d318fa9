/**
 * Who may hold a subscription connection, for both streaming transports (a WebSocket, an
 * event stream): the browser Origin (CORS_ORIGINS, since browsers apply no CORS to WebSockets
 * and an event stream's work starts before CORS could hide its answer), the caller's
 * credentials (the HTTP authenticator), and how many connections each caller holds at once
 * (SUBSCRIPTION_CONNECTIONS_PER_CALLER, counted over both transports together).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../logger';
import type { Authenticator, Caller } from './auth';
import { callerIdOf } from './caller-id';
import { streamOriginAllowed } from './cors';

/** The message of a refused Origin, naming the setting that admits it. */
export const ORIGIN_REFUSED_MESSAGE = 'This origin may not connect: add it to CORS_ORIGINS';

/** A connection let in: its caller, and the release of its place in the caller's count (idempotent). */
export interface Admission {
  readonly ok: true;
  readonly caller: Caller;
  readonly callerId: string;
  release(): void;
}

/** A connection kept out, and why: no valid credentials, or the caller holds too many connections. */
export interface Refusal {
  readonly ok: false;
  readonly kind: 'unauthenticated' | 'too-many';
  /** Says what to do; never contains the credential. */
  readonly message: string;
  /** The authenticator's reason (`missing`, `unknown-key`, …), for `unauthenticated`. */
  readonly reason?: string;
}

/** Options of `createSubscriptionGate`. */
export interface SubscriptionGateOptions {
  readonly authenticate: Authenticator;
  /** CORS_ORIGINS. */
  readonly corsOrigins: readonly string[];
  /** SUBSCRIPTION_CONNECTIONS_PER_CALLER. */
  readonly connectionsPerCaller: number;
  readonly logger: Logger;
}

/** The checks every subscription connection passes, whatever its transport. */
export interface SubscriptionGate {
  /** Tells whether a request's Origin may open a connection (logs a refusal). */
  originAllowed(headers: IncomingHttpHeaders): boolean;
  /** Authenticates a connection's credentials and takes a place in its caller's count. */
  admit(headers: IncomingHttpHeaders, remoteAddress: string | undefined): Promise<Admission | Refusal>;
  /** Returns the number of connections admitted and not yet released. */
  open(): number;
}

/** Creates the gate shared by the WebSocket and event-stream transports. */
export function createSubscriptionGate(options: SubscriptionGateOptions): SubscriptionGate {
  const { authenticate, corsOrigins, connectionsPerCaller, logger } = options;
  const perCaller = new Map<string, number>();
  let total = 0;
  return {
    originAllowed(headers) {
      if (streamOriginAllowed(headers.origin, headers.host, corsOrigins)) return true;
      logger.info({ origin: String(headers.origin).slice(0, 200) }, 'subscription connection refused: origin not allowed (CORS_ORIGINS)');
      return false;
    },
    async admit(headers, remoteAddress) {
      const verdict = await authenticate(headers);
      if (!verdict.ok) {
        logger.info({ reason: verdict.reason }, `subscription caller refused: ${verdict.message}`);
        return { ok: false, kind: 'unauthenticated', message: verdict.message, reason: verdict.reason };
      }
      const callerId = callerIdOf(verdict.caller, remoteAddress);
      const held = perCaller.get(callerId) ?? 0;
      if (held >= connectionsPerCaller) {
        return {
          ok: false,
          kind: 'too-many',
          message: `Too many connections for this caller (SUBSCRIPTION_CONNECTIONS_PER_CALLER=${connectionsPerCaller}): close one first`,
        };
      }
      perCaller.set(callerId, held + 1);
      total++;
      let released = false;
      return {
        ok: true,
        caller: verdict.caller,
        callerId,
        release() {
          if (released) return;
          released = true;
          total--;
          const left = (perCaller.get(callerId) ?? 1) - 1;
          if (left > 0) perCaller.set(callerId, left);
          else perCaller.delete(callerId);
        },
      };
    },
    open: () => total,
  };
}
