/**
 * Relay global ids. A UrlTask id embeds its task id (and creation time) so that node lookups
 * group by task in the task loader; a Task id embeds the task's creation time as a lookup hint.
 */

/** A decoded global id. */
export type GlobalId =
  | { readonly type: 'UrlTask'; readonly taskId: string; readonly recordId: number; readonly createTime: number }
  | { readonly type: 'Task'; readonly taskId: string; readonly createTime: number };

/** Encodes a UrlTask's global id. */
export function toUrlTaskGlobalId(taskId: string, recordId: number, createTime: number): string {
  return encode(`UrlTask:${taskId}:${recordId}:${createTime}`);
}

/** Encodes a Task's global id. */
export function toTaskGlobalId(taskId: string, createTime: number): string {
  return encode(`Task:${taskId}:${createTime}`);
}

/** Decodes a global id; `undefined` when it is not one of ours. */
export function fromGlobalId(id: string): GlobalId | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) return undefined;
  const parts = Buffer.from(id, 'base64url').toString('utf8').split(':');
  const taskId = parts[1] ?? '';
  if (!/^\d{1,20}$/.test(taskId)) return undefined;
  if (parts[0] === 'UrlTask' && parts.length === 4) {
    const recordId = toSafeInt(parts[2]);
    const createTime = toSafeInt(parts[3]);
    return recordId === undefined || createTime === undefined ? undefined : { type: 'UrlTask', taskId, recordId, createTime };
  }
  if (parts[0] === 'Task' && parts.length === 3) {
    const createTime = toSafeInt(parts[2]);
    return createTime === undefined ? undefined : { type: 'Task', taskId, createTime };
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
