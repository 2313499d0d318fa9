/**
 * Relay global ids. A UrlTask id embeds its task id (and creation time) so that node lookups
 * group by task in the task loader; a Task id embeds the task's creation time as a lookup hint.
 * A creation time the upstream did not give is left empty (`Task:418389:`), and the lookup
 * then sends none. Task ids follow the upstream's formats (TASK_ID_PATTERN): an id holding
 * anything else decodes to `undefined`, so arbitrary text never reaches the upstream.
 */
import { isTaskId } from '../cdn/params';

/** A decoded global id. */
export type GlobalId =
  | { readonly type: 'UrlTask'; readonly taskId: string; readonly recordId: number; readonly createTime?: number }
  | { readonly type: 'Task'; readonly taskId: string; readonly createTime?: number };

/** Encodes a UrlTask's global id. */
export function toUrlTaskGlobalId(taskId: string, recordId: number, createTime: number | null): string {
  return encode(`UrlTask:${taskId}:${recordId}:${createTime ?? ''}`);
}

/** Encodes a Task's global id. */
export function toTaskGlobalId(taskId: string, createTime: number | null): string {
  return encode(`Task:${taskId}:${createTime ?? ''}`);
}

/** Decodes a global id; `undefined` when it is not one of ours or names no task in the upstream's formats. */
export function fromGlobalId(id: string): GlobalId | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) return undefined;
  const parts = Buffer.from(id, 'base64url').toString('utf8').split(':');
  const taskId = parts[1];
  if (!isTaskId(taskId)) return undefined;
  if (parts[0] === 'UrlTask' && parts.length === 4) {
    const recordId = toSafeInt(parts[2]);
    const createTime = toOptionalTime(parts[3]);
    return recordId === undefined || createTime === null ? undefined : { type: 'UrlTask', taskId, recordId, ...withTime(createTime) };
  }
  if (parts[0] === 'Task' && parts.length === 3) {
    const createTime = toOptionalTime(parts[2]);
    return createTime === null ? undefined : { type: 'Task', taskId, ...withTime(createTime) };
  }
  return undefined;
}

// base64url without padding, so ids are URL-safe.
function encode(raw: string): string {
  return Buffer.from(raw, 'utf8').toString('base64url');
}

// Parses a non-negative safe integer written in decimal.
function toSafeInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

// A time part: empty means "not known" (undefined); anything unparsable is null (not our id).
function toOptionalTime(value: string | undefined): number | undefined | null {
  if (value === '') return undefined;
  return toSafeInt(value) ?? null;
}

// Adds `createTime` only when known, so decoded ids compare equal whether or not it was given.
function withTime(createTime: number | undefined): { createTime?: number } {
  return createTime === undefined ? {} : { createTime };
}
