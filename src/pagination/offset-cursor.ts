/**
 * What a cursor of an offset connection (tasks, Task.urls) says, sealed by the one codec
 * (cursor.ts): the record's offset, and the range end the first page froze when the
 * connection has one. The binding covers the connection's filter and that end.
 */
import { checkBinding, type CursorArgument } from './args';
import { bindFilter } from './binding';
import { decodeCursor, encodeCursor, fromB36, malformedCursor, toB36, type CursorSecret } from './cursor';

/** Where an offset connection's cursors belong: the connection, its filter, the secret. */
export interface OffsetScope {
  /** Names the connection and its parent, e.g. `tasks` or `Task.urls:123`. */
  readonly connection: string;
  /** Every argument that shapes the list (filter, order), bound into each cursor. */
  readonly filter: object;
  readonly secret: CursorSecret;
}

/** What an offset cursor holds. */
export interface OffsetCursor {
  readonly offset: number;
  /** A frozen range end (epoch ms) carried from the first page, when the connection has one. */
  readonly frozenEnd?: number;
}

/** Encodes and signs the cursor of `offset` in the list `scope` names. */
export function encodeOffsetCursor(scope: OffsetScope, cursor: OffsetCursor): string {
  const binding = bindFilter(scope.connection, scope.filter, cursor.frozenEnd);
  const fields = [toB36(cursor.offset), cursor.frozenEnd === undefined ? '' : toB36(cursor.frozenEnd)];
  return encodeCursor({ connection: scope.connection, binding, fields }, scope.secret);
}

/** Verifies and decodes a cursor of the list `scope` names; anything else is BAD_USER_INPUT. */
export function decodeOffsetCursor(text: string, scope: OffsetScope, argument: CursorArgument): OffsetCursor {
  const { binding, fields } = decodeCursor(text, scope.secret, argument, scope.connection);
  const [offsetField, endField] = fields;
  const offset = fromB36(offsetField);
  const frozenEnd = endField === '' ? undefined : fromB36(endField);
  if (fields.length !== 2 || offset === undefined || (endField !== '' && frozenEnd === undefined)) throw malformedCursor(argument, text);
  checkBinding(argument, binding, bindFilter(scope.connection, scope.filter, frozenEnd));
  return { offset, ...(frozenEnd === undefined ? {} : { frozenEnd }) };
}
