/**
 * The request id, in one place: how it is chosen, the header that carries it, and how it
 * goes into error bodies. A person quoting it finds the request's log lines and its upstream
 * calls (the CDN client sends it upstream as `X-Request-Id`).
 */
import { randomUUID } from 'node:crypto';

/** The header that carries the request id, in the request (optional) and in every answer. */
export const REQUEST_ID_HEADER = 'x-request-id';

// What a caller's id may look like: short, and safe in logs, headers and metrics tooling.
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Returns the caller's request id when it is a sane token, otherwise a new one. */
export function pickRequestId(header: string | readonly string[] | undefined): string {
  const value = typeof header === 'string' || header === undefined ? header : header[0];
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : newRequestId();
}

/** Makes a new request id, for work no caller request names (readiness probes, unparsable requests). */
export function newRequestId(): string {
  return randomUUID();
}

/** A GraphQL error as sent, as far as the request id is concerned. */
export interface ErrorWithExtensions {
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** Returns the errors with the request id in each one's `extensions.requestId`, so a person can quote it when reporting. */
export function withRequestId<E extends ErrorWithExtensions>(errors: readonly E[], requestId: string): E[] {
  return errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId } }));
}
