/**
 * Enum conversions between the upstream's strings and the schema's enums. Unknown upstream
 * values become `UNKNOWN` instead of failing the page; `UNKNOWN` is never accepted as a filter.
 */
import { badUserInput } from '../errors';

/** The mappings from upstream values, which conversion applies (src/cdn/enums.ts). */
export { toFailClassify, toFileType, toRefreshMode, toTaskStatus, toTaskType, toUrlTaskStatus } from '../cdn/enums';

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

// The error for UNKNOWN used as a filter.
function unknownFilter(field: string, value: string) {
  return badUserInput(`filter.${field}: ${value} only describes values the gateway does not know and cannot be used as a filter`);
}
