/**
 * Cursors of url-tasks connections. A cursor names a record (id, create_time), where it sat
 * (window and offset, a hint) and the ids of its neighbours when they were seen, so the next
 * page can find its place again after offsets drifted. It is:
 * - opaque: base64url of `payload || mac`;
 * - versioned: the payload starts with `v1`;
 * - bound: it carries a short hash of the normalized filter, the connection's scope and the
 *   frozen range end (`bindFilter`), compared with the arguments it comes back with;
 * - tamper-evident: the mac is HMAC-SHA256 (truncated to 128 bits) under a server secret, so
 *   an altered cursor, or one from a gateway with another secret, is refused.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '../errors';

/** The version this module writes and reads. */
export const CURSOR_VERSION = 'v1';

/** The server secret cursors are signed with. */
export type CursorSecret = string | Uint8Array;

/** The Relay argument a cursor came in, named in error messages. */
export type CursorArgument = 'after' | 'before';

/** What a cursor holds. */
export interface CursorData {
  /** Hash of the scope, normalized filter and frozen end (see `bindFilter`). */
  readonly binding: string;
  /** The range end frozen by the first page (epoch ms, exclusive). */
  readonly rangeEnd: number;
  /** Index of the record's window, newest first. */
  readonly window: number;
  /** The record's offset within its window when the cursor was issued: a hint, not a promise. */
  readonly offset: number;
  readonly id: number;
  readonly createTime: number;
  /**
   * The id of the record that followed it in its window, `'window-end'` when it was the
   * window's last record, absent when the follower was not seen.
   */
  readonly nextId?: number | 'window-end';
  /** The id of the record that preceded it in its window, absent when not seen (or at offset 0). */
  readonly prevId?: number;
}

/** The filter arguments a cursor is bound to, as GraphQL hands them over. */
export interface BindingFilter {
  readonly createdAfter?: number | null;
  readonly createdBefore?: number | null;
  readonly url?: string | null;
  readonly taskType?: string | null;
  readonly status?: string | null;
  readonly fileType?: string | null;
}

/** Hashes a connection's scope, filter and frozen end into the short binding a cursor carries. */
export function bindFilter(scope: string, filter: BindingFilter, rangeEnd: number): string {
  const normalized = [
    scope,
    rangeEnd,
    filter.createdAfter ?? null,
    filter.createdBefore ?? null,
    filter.url ?? null,
    filter.taskType ?? null,
    filter.status ?? null,
    filter.fileType ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(normalized)).digest().subarray(0, 9).toString('base64url');
}

/** Encodes and signs a cursor. */
export function encodeCursor(data: CursorData, secret: CursorSecret): string {
  const next = data.nextId === undefined ? '' : data.nextId === 'window-end' ? WINDOW_END : toB36(data.nextId);
  const fields = [
    CURSOR_VERSION,
    data.binding,
    toB36(data.rangeEnd),
    toB36(data.window),
    toB36(data.offset),
    toB36(data.id),
    toB36(data.createTime),
    next,
    data.prevId === undefined ? '' : toB36(data.prevId),
  ];
  const payload = Buffer.from(fields.join(SEPARATOR), 'latin1');
  return Buffer.concat([payload, mac(payload, secret)]).toString('base64url');
}

/**
 * Verifies and decodes a cursor given as `argument`. A malformed, altered or foreign cursor,
 * or one of another version, is a BAD_USER_INPUT error naming the argument and the value.
 */
export function decodeCursor(text: string, secret: CursorSecret, argument: CursorArgument): CursorData {
  const bytes = BASE64URL.test(text) ? Buffer.from(text, 'base64url') : undefined;
  // Node's decoder ignores stray bits; re-encoding keeps exactly one spelling per cursor.
  if (!bytes || bytes.length <= MAC_BYTES || bytes.toString('base64url') !== text) {
    throw badUserInput(`${argument} is not a valid cursor (malformed); got ${quote(text)}`);
  }
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), mac(payload, secret))) {
    throw badUserInput(`${argument} cursor was altered or issued by another gateway (signature check failed); got ${quote(text)}`);
  }
  const fields = payload.toString('latin1').split(SEPARATOR);
  if (fields[0] !== CURSOR_VERSION) {
    throw badUserInput(`${argument} cursor has version ${JSON.stringify(fields[0]?.slice(0, 8))}, this gateway reads ${CURSOR_VERSION}; got ${quote(text)}`);
  }
  const data = fields.length === 9 ? parseFields(fields) : undefined;
  if (!data) throw badUserInput(`${argument} is not a valid cursor (malformed); got ${quote(text)}`);
  return data;
}

const SEPARATOR = '~';
const WINDOW_END = '-';
const MAC_BYTES = 16;
const MAC_CONTEXT = 'cdn-gateway url-tasks cursor\n';
const BASE64URL = /^[A-Za-z0-9_-]{1,1024}$/;
const B36 = /^[0-9a-z]{1,11}$/;
const BINDING = /^[A-Za-z0-9_-]{12}$/;

// The cursor's mac: HMAC-SHA256 under the secret, with a context label so the secret cannot
// be confused with a signature of something else, truncated to 128 bits.
function mac(payload: Buffer, secret: CursorSecret): Buffer {
  return createHmac('sha256', secret).update(MAC_CONTEXT).update(payload).digest().subarray(0, MAC_BYTES);
}

// Reads the fields of a verified v1 payload; undefined when one does not parse.
function parseFields(fields: string[]): CursorData | undefined {
  const [, binding, rangeEnd, window, offset, id, createTime, next, prev] = fields;
  if (binding === undefined || !BINDING.test(binding)) return undefined;
  const numbers = [rangeEnd, window, offset, id, createTime].map(fromB36);
  const [end, win, off, recordId, created] = numbers;
  if (end === undefined || win === undefined || off === undefined || recordId === undefined || created === undefined) return undefined;
  const nextId = next === '' ? undefined : next === WINDOW_END ? 'window-end' : fromB36(next);
  const prevId = prev === '' ? undefined : fromB36(prev);
  if ((next !== '' && nextId === undefined) || (prev !== '' && prevId === undefined)) return undefined;
  return {
    binding,
    rangeEnd: end,
    window: win,
    offset: off,
    id: recordId,
    createTime: created,
    ...(nextId === undefined ? {} : { nextId }),
    ...(prevId === undefined ? {} : { prevId }),
  };
}

// A non-negative safe integer in base 36.
function toB36(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cursor fields are non-negative safe integers; got ${value}`);
  return value.toString(36);
}

// The inverse of toB36; undefined for anything else.
function fromB36(text: string | undefined): number | undefined {
  if (text === undefined || !B36.test(text)) return undefined;
  const value = parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : undefined;
}

// A cursor in an error message: JSON-quoted, cut to 60 characters.
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
