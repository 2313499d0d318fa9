/**
 * Enum conversions between the upstream's strings and the schema's enums. Unknown upstream
 * values become `UNKNOWN` instead of failing the page; `UNKNOWN` is never accepted as a filter.
 */
import { badUserInput } from '../errors';

const URL_TASK_STATUSES = ['PROCESSING', 'SUCCEED', 'FAILED', 'WAITING', 'REFRESHING', 'PREHEATING'] as const;
const TASK_TYPES = ['REFRESH', 'PREHEATING', 'REFRESH_AFTER_PREHEATING'] as const;
const FAIL_CLASSIFICATIONS = ['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR'] as const;
const FILE_TYPES = ['FILE', 'DIRECTORY'] as const;
const REFRESH_MODES = ['ALL', 'DETECT_MODIFY_REFRESH'] as const;
// A Map, not an object literal: an upstream value such as `constructor` must not find inherited keys.
const TASK_STATUSES = new Map<string, 'IN_PROCESS' | 'DONE'>([
  ['task_inprocess', 'IN_PROCESS'],
  ['task_done', 'DONE'],
]);

/** Maps an upstream status (any case) to the UrlTaskStatus enum; null when absent. */
export function toUrlTaskStatus(value: string | null): (typeof URL_TASK_STATUSES)[number] | 'UNKNOWN' | null {
  return value == null ? null : pick(URL_TASK_STATUSES, value.toUpperCase());
}

/** Maps an upstream task type (any case) to the TaskType enum; null when absent. */
export function toTaskType(value: string | null): (typeof TASK_TYPES)[number] | 'UNKNOWN' | null {
  return value == null ? null : pick(TASK_TYPES, value.toUpperCase());
}

/** Maps an upstream file type to the FileType enum; null when absent. */
export function toFileType(value: string | null): (typeof FILE_TYPES)[number] | 'UNKNOWN' | null {
  return value == null ? null : pick(FILE_TYPES, value.toUpperCase());
}

/** Maps an upstream refresh mode to the RefreshMode enum; null when absent. */
export function toRefreshMode(value: string | null): (typeof REFRESH_MODES)[number] | 'UNKNOWN' | null {
  return value ? pick(REFRESH_MODES, value.toUpperCase()) : null;
}

/** Maps an upstream failure classification to the FailClassify enum; null when absent. */
export function toFailClassify(value: string | null): (typeof FAIL_CLASSIFICATIONS)[number] | 'UNKNOWN' | null {
  return value == null ? null : pick(FAIL_CLASSIFICATIONS, value.toUpperCase());
}

/** Maps an upstream task status (`task_inprocess`, `task_done`) to the TaskStatus enum; null when absent. */
export function toTaskStatus(value: string | null): 'IN_PROCESS' | 'DONE' | 'UNKNOWN' | null {
  return value == null ? null : (TASK_STATUSES.get(value.toLowerCase()) ?? 'UNKNOWN');
}

/** Maps a TaskStatus filter to the upstream's value. */
export function fromTaskStatus(value: string): 'task_inprocess' | 'task_done' {
  if (value === 'IN_PROCESS') return 'task_inprocess';
  if (value === 'DONE') return 'task_done';
  throw unknownFilter('status', value);
}

/** Checks a TaskType filter: the upstream filters by REFRESH or PREHEATING only. */
export function checkTaskTypeFilter(value: string): 'REFRESH' | 'PREHEATING' {
  if (value === 'REFRESH' || value === 'PREHEATING') return value;
  if (value === 'UNKNOWN') throw unknownFilter('taskType', value);
  throw badUserInput(`filter.taskType: the CDN filters by REFRESH or PREHEATING only; ${value} cannot be used as a filter`);
}

/** Rejects `UNKNOWN` (or any unlisted value) used as a filter; returns the value otherwise. */
export function checkFilterEnum<T extends string>(field: string, value: T): Exclude<T, 'UNKNOWN'> {
  if (value === 'UNKNOWN') throw unknownFilter(field, value);
  return value as Exclude<T, 'UNKNOWN'>;
}

// Returns the value when it is one of the known ones, otherwise UNKNOWN.
function pick<T extends string>(known: readonly T[], value: string): T | 'UNKNOWN' {
  return (known as readonly string[]).includes(value) ? (value as T) : 'UNKNOWN';
}

// The error for UNKNOWN used as a filter.
function unknownFilter(field: string, value: string) {
  return badUserInput(`filter.${field}: ${value} only describes values the gateway does not know and cannot be used as a filter`);
}
