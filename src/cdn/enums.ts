/**
 * The upstream's enum values the gateway knows, normalized to the schema's enums as records are
 * converted (convert.ts): upper case, and a value the gateway does not know becomes `UNKNOWN`
 * instead of failing the page. The schema's enums (schema/*.graphql) list the same values.
 */

const URL_TASK_STATUSES = ['PROCESSING', 'SUCCEED', 'FAILED', 'WAITING', 'REFRESHING', 'PREHEATING'] as const;
const TASK_TYPES = ['REFRESH', 'PREHEATING', 'REFRESH_AFTER_PREHEATING'] as const;
const FAIL_CLASSIFICATIONS = ['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR'] as const;
const FILE_TYPES = ['FILE', 'DIRECTORY'] as const;
const REFRESH_MODES = ['ALL', 'DETECT_MODIFY_REFRESH'] as const;
/** The schema's UrlTaskStatus values (UNKNOWN: a status the gateway does not know). */
export type UrlTaskStatusValue = (typeof URL_TASK_STATUSES)[number] | 'UNKNOWN';
/** The schema's TaskType values. */
export type TaskTypeValue = (typeof TASK_TYPES)[number] | 'UNKNOWN';
/** The schema's FileType values. */
export type FileTypeValue = (typeof FILE_TYPES)[number] | 'UNKNOWN';
/** The schema's RefreshMode values. */
export type RefreshModeValue = (typeof REFRESH_MODES)[number] | 'UNKNOWN';
/** The schema's FailClassify values. */
export type FailClassifyValue = (typeof FAIL_CLASSIFICATIONS)[number] | 'UNKNOWN';

// A Map, not an object literal: an upstream value such as `constructor` must not find inherited keys.
const TASK_STATUSES = new Map<string, 'IN_PROCESS' | 'DONE'>([
  ['task_inprocess', 'IN_PROCESS'],
  ['task_done', 'DONE'],
]);

/** Maps an upstream status (any case) to the UrlTaskStatus enum; null when absent. */
export function toUrlTaskStatus(value: string | null): UrlTaskStatusValue | null {
  return value == null ? null : pick(URL_TASK_STATUSES, value.toUpperCase());
}

/** Maps an upstream task type (any case) to the TaskType enum; null when absent. */
export function toTaskType(value: string | null): TaskTypeValue | null {
  return value == null ? null : pick(TASK_TYPES, value.toUpperCase());
}

/** Maps an upstream file type to the FileType enum; null when absent. */
export function toFileType(value: string | null): FileTypeValue | null {
  return value == null ? null : pick(FILE_TYPES, value.toUpperCase());
}

/** Maps an upstream refresh mode to the RefreshMode enum; null when absent. */
export function toRefreshMode(value: string | null): RefreshModeValue | null {
  return value ? pick(REFRESH_MODES, value.toUpperCase()) : null;
}

/** Maps an upstream failure classification to the FailClassify enum; null when absent. */
export function toFailClassify(value: string | null): FailClassifyValue | null {
  return value == null ? null : pick(FAIL_CLASSIFICATIONS, value.toUpperCase());
}

/** Maps an upstream task status (`task_inprocess`, `task_done`) to the TaskStatus enum; null when absent. */
export function toTaskStatus(value: string | null): 'IN_PROCESS' | 'DONE' | 'UNKNOWN' | null {
  return value == null ? null : (TASK_STATUSES.get(value.toLowerCase()) ?? 'UNKNOWN');
}

// Returns the value when it is one of the known ones, otherwise UNKNOWN.
function pick<T extends string>(known: readonly T[], value: string): T | 'UNKNOWN' {
  return (known as readonly string[]).includes(value) ? (value as T) : 'UNKNOWN';
}

