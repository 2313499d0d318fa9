/**
 * The request id, in one place: how it is made, the header that carries it, and how it goes
 * into error bodies. The gateway makes its own for every request and never takes the
 * caller's: two callers sending the same `x-request-id` must not share log lines. A person
 * quoting it finds the request's log lines and its upstream calls (the CDN client sends it
 * upstream as `X-Request-Id`). A caller's own `x-request-id`, when it is a sane token, is
 * carried beside it as the client request id (logged as `clientRequestId` on the access line),
 * so a caller can still find its request by the id it chose.
 */
import { randomUUID } from 'node:crypto';

/** The header that carries the request id: the gateway's own in every answer; a caller may send its own in a request. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest client request id kept. */
export const MAX_CLIENT_REQUEST_ID_LENGTH = 64;

// What a caller's id may look like to be kept: short, and safe in logs, headers and log tooling.
const SANE_CLIENT_REQUEST_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_CLIENT_REQUEST_ID_LENGTH}}$`);

/** Returns the caller's request id when it is one sane token (letters, digits, `.`, `_`, `:`, `-`, at most 64), else undefined: never the gateway's request id. */
export function clientRequestIdOf(header: string | readonly string[] | undefined): string | undefined {
  const value = typeof header === 'string' || header === undefined ? header : header.length === 1 ? header[0] : undefined;
  return value !== undefined && SANE_CLIENT_REQUEST_ID.test(value) ? value : undefined;
}

/** Makes a new request id: one per request served, and for work no request names (readiness probes). */
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
