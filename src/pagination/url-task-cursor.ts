/**
 * What a urlTasks cursor says, sealed by the one codec (cursor.ts). It names a record (id,
 * create_time), where it sat (window and offset, a hint) and the ids of its neighbours when
 * they were seen, so the next page can find its place again after offsets drifted (step.ts).
 */
import type { CursorArgument } from './args';
import { decodeCursor, encodeCursor, fromB36, malformedCursor, toB36, type CursorSecret } from './cursor';

/** The connection name urlTasks cursors carry. */
export const URL_TASKS_CONNECTION = 'urlTasks';

/** What a urlTasks cursor holds. */
export interface UrlTaskCursor {
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

/** Encodes and signs a urlTasks cursor. */
export function encodeUrlTaskCursor(data: UrlTaskCursor, secret: CursorSecret): string {
  const next = data.nextId === undefined ? '' : data.nextId === 'window-end' ? WINDOW_END : toB36(data.nextId);
  const fields = [toB36(data.rangeEnd), toB36(data.window), toB36(data.offset), toB36(data.id), toB36(data.createTime), next, data.prevId === undefined ? '' : toB36(data.prevId)];
  return encodeCursor({ connection: URL_TASKS_CONNECTION, binding: data.binding, fields }, secret);
}

/** Verifies and decodes a urlTasks cursor given as `argument`; anything else is BAD_USER_INPUT. */
export function decodeUrlTaskCursor(text: string, secret: CursorSecret, argument: CursorArgument): UrlTaskCursor {
  const { binding, fields } = decodeCursor(text, secret, argument, URL_TASKS_CONNECTION);
  const data = fields.length === 7 && BINDING.test(binding) ? parseFields(binding, fields) : undefined;
  if (!data) throw malformedCursor(argument, text);
  return data;
}

const WINDOW_END = '-';
const BINDING = /^[A-Za-z0-9_-]{12}$/;

// Reads the fields of a verified payload; undefined when one does not parse.
function parseFields(binding: string, fields: readonly string[]): UrlTaskCursor | undefined {
  const [rangeEnd, window, offset, id, createTime, next, prev] = fields;
  const [end, win, off, recordId, created] = [rangeEnd, window, offset, id, createTime].map(fromB36);
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
