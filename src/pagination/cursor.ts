/**
 * The one cursor codec of the gateway's connections. A cursor is:
 * - opaque: base64url of `payload || mac`, in exactly one spelling (re-encoded and compared,
 *   because Node's decoder ignores stray bits and junk);
 * - versioned: the payload starts with `v2` (v1 cursors named url-tasks records only);
 * - addressed: the payload names the connection that issued it, so a cursor of another
 *   connection is refused as such rather than misread;
 * - bound: it carries the filter binding (binding.ts) the connection compares with the
 *   arguments it comes back with;
 * - tamper-evident: the mac is HMAC-SHA256 (truncated to 128 bits) under a server secret.
 * What a cursor says beyond that (its fields) belongs to its connection; see
 * url-task-cursor.ts and offset-cursor.ts, and docs/architecture.md (stable cursors).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput, type GatewayError } from '../errors';
import type { CursorArgument } from './args';

/** The version this module writes and reads. */
export const CURSOR_VERSION = 'v2';

/** The server secret cursors are signed with. */
export type CursorSecret = string | Uint8Array;

/** What the codec seals: the issuing connection, the filter binding, the connection's own fields. */
export interface CursorEnvelope {
  /** Names the connection (and parent object) that issued the cursor, e.g. `urlTasks`, `Task.urls:123`. */
  readonly connection: string;
  readonly binding: string;
  readonly fields: readonly string[];
}

/** Signs an envelope into a cursor. Fields must not contain `~`. */
export function encodeCursor(envelope: CursorEnvelope, secret: CursorSecret): string {
  const parts = [CURSOR_VERSION, envelope.connection, envelope.binding, ...envelope.fields];
  if (parts.some((part) => part.includes(SEPARATOR))) throw new RangeError(`cursor fields must not contain "${SEPARATOR}"; got ${JSON.stringify(parts)}`);
  const payload = Buffer.from(parts.join(SEPARATOR), 'latin1');
  return Buffer.concat([payload, mac(payload, secret)]).toString('base64url');
}

/**
 * Verifies a cursor given as `argument` to `connection` and returns its envelope. A malformed,
 * altered or foreign cursor, one of another version or one of another connection is a
 * BAD_USER_INPUT error naming the argument.
 */
export function decodeCursor(text: string, secret: CursorSecret, argument: CursorArgument, connection: string): CursorEnvelope {
  const bytes = BASE64URL.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (!bytes || bytes.length <= MAC_BYTES) throw malformedCursor(argument, text);
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  // A second spelling of the same bytes (spare bits, trailing junk) is an altered cursor too.
  if (bytes.toString('base64url') !== text || !timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), mac(payload, secret))) {
    throw badUserInput(`${argument} cursor was altered or issued by another gateway (signature check failed)`);
  }
  const [version, issuer, binding, ...fields] = payload.toString('latin1').split(SEPARATOR);
  if (version !== CURSOR_VERSION) {
    throw badUserInput(`${argument} cursor has version ${JSON.stringify(version?.slice(0, 8))}, this gateway reads ${CURSOR_VERSION}; start again without ${argument}`);
  }
  if (issuer === undefined || binding === undefined) throw malformedCursor(argument, text);
  if (issuer !== connection) {
    throw badUserInput(
      `${argument} cursor was issued for a different connection (${JSON.stringify(issuer.slice(0, 40))}); pass it where it was issued, or start again without ${argument}`,
    );
  }
  return { connection: issuer, binding, fields };
}

/** Returns the error for a cursor whose text or fields do not parse. */
export function malformedCursor(argument: CursorArgument, text: string): GatewayError {
  return badUserInput(`${argument} is not a valid cursor (malformed); got ${quote(text)}`);
}

/** Writes a non-negative safe integer as a cursor field (base 36). */
export function toB36(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cursor fields are non-negative safe integers; got ${value}`);
  return value.toString(36);
}

/** Reads a field written by `toB36`; undefined for anything else. */
export function fromB36(text: string | undefined): number | undefined {
  if (text === undefined || !B36.test(text)) return undefined;
  const value = parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : undefined;
}

const SEPARATOR = '~';
const MAC_BYTES = 16;
const MAC_CONTEXT = 'cdn-gateway cursor\n';
const BASE64URL = /^[A-Za-z0-9_-]{1,1024}$/;
const B36 = /^[0-9a-z]{1,11}$/;

// The cursor's mac: HMAC-SHA256 under the secret, with a context label so the secret cannot
// be confused with a signature of something else, truncated to 128 bits.
function mac(payload: Buffer, secret: CursorSecret): Buffer {
  return createHmac('sha256', secret).update(MAC_CONTEXT).update(payload).digest().subarray(0, MAC_BYTES);
}

// A cursor in an error message: JSON-quoted, cut to 60 characters.
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
