/**
 * Lookups past the task-detail retention (docs/architecture.md, "Lookups past the detail
 * retention"). The detail API finds a task for 15 days (DETAIL_RETENTION_DAYS); `urlTasks` and
 * `tasks` list older ones. Their global ids carry the creation time, so such a record is found
 * through url-tasks, and such a task through historytasks, in a narrow window around it: the
 * same calls, and so the same fields, that list them. Per-request DataLoaders: ids created
 * close together share a window and its calls (src/pagination/lookup-windows.ts), and every
 * call is taken from the request's allowance (src/graph/lookup-allowance.ts) first.
 */
import DataLoader from 'dataloader';
import type { ListedUrlTaskModel, TaskModel } from '../cdn/models';
import { DETAIL_RETENTION_MS } from '../cdn/operations';
import { ensureError } from '../errors';
import { findRecordsById } from '../pagination/find-by-id';
import { groupLookupWindows, TASK_LOOKUP_GAP_MS, type LookupWindow } from '../pagination/lookup-windows';
import { UPSTREAM_LIMIT } from '../pagination/wants';
import type { CallOptions, CdnApi } from './context';
import type { LookupAllowance } from './lookup-allowance';

/** A url-tasks record to find: its id and the creation time its global id carries. */
export interface RecordKey {
  readonly recordId: number;
  readonly createTime: number;
}

/** A history task to find: its id and the creation time its global id carries. */
export interface TaskKey {
  readonly taskId: string;
  readonly createTime: number;
}

/** This request's loaders of old records. */
export interface ArchiveLoaders {
  /** Finds url-tasks records; null where the window around the time holds no record with the id. */
  readonly urlTask: DataLoader<RecordKey, ListedUrlTaskModel | null, string>;
  /** Finds history tasks, file tasks first, then directories (historytasks lists one kind per call); null where none matches. */
  readonly task: DataLoader<TaskKey, TaskModel | null, string>;
  /**
   * Lists a task's url-tasks records, newest first: those of the window around its creation time
   * whose `task_id` is the task's id. Only decimal ids can match: url-tasks' `task_id` is an
   * integer (docs/upstream.md#ids), so a task with a 32-hex id lists nothing here.
   */
  readonly taskUrls: DataLoader<TaskKey, readonly ListedUrlTaskModel[], string>;
}

/** Page size of a historytasks lookup: a window of a few seconds holds a handful of tasks, one of 24 hours at most a few thousand. */
export const HISTORY_LOOKUP_PAGE_SIZE = 1000;
/** Most historytasks pages read per window and file type. */
export const MAX_HISTORY_LOOKUP_PAGES = 3;
/** A creation time this far past the gateway's clock is not one the upstream gave: such an id names nothing, and costs no call. */
export const FUTURE_SLACK_MS = 3600 * 1000;

/** Tells whether the task-detail API no longer holds what was created at `createTime`. */
export function isPastDetailRetention(createTime: number, now: number): boolean {
  return createTime < now - DETAIL_RETENTION_MS;
}

/** Tells whether a creation time lies too far in the future to be real. */
export function isFutureTime(createTime: number, now: number): boolean {
  return createTime > now + FUTURE_SLACK_MS;
}

/** Creates the loaders of old records for one request. */
export function createArchiveLoaders(cdn: CdnApi, call: CallOptions, allowance: LookupAllowance): ArchiveLoaders {
  const urlTask = new DataLoader<RecordKey, ListedUrlTaskModel | null, string>(
    async (keys) => {
      const found = new Map<number, ListedUrlTaskModel>();
      const failures = new Map<number, Error>();
      await Promise.all(
        groupLookupWindows(keys.map((k) => k.createTime)).map(async (window) => {
          const ids = window.members.map((i) => (keys[i] as RecordKey).recordId);
          try {
            const records = await findRecordsById(ids, async ({ offset, limit }) => {
              allowance.spend('url-tasks');
              const page = await cdn.urlTasks({ startTime: window.start, endTime: window.end, offset, limit }, call);
              return { total: page.total, records: page.records };
            });
            for (const [id, record] of records) found.set(id, record);
          } catch (error) {
            for (const id of ids) failures.set(id, ensureError(error));
          }
        }),
      );
      return keys.map((k) => failures.get(k.recordId) ?? found.get(k.recordId) ?? null);
    },
    { cacheKeyFn: (k) => `${k.recordId}:${k.createTime}` },
  );

  const task = new DataLoader<TaskKey, TaskModel | null, string>(
    async (keys) => {
      const results: Array<TaskModel | null | Error> = keys.map(() => null);
      // Each kind in turn: directories are searched only for the ids no file task matched.
      for (const fileType of ['file', 'directory'] as const) {
        const open = keys.map((_, i) => i).filter((i) => results[i] === null);
        if (open.length === 0) break;
        const windows = groupLookupWindows(open.map((i) => (keys[i] as TaskKey).createTime), TASK_LOOKUP_GAP_MS);
        await Promise.all(
          windows.map(async (window) => {
            const members = window.members.map((m) => open[m] as number);
            try {
              const tasks = await findTasks(cdn, call, allowance, window, new Set(members.map((i) => (keys[i] as TaskKey).taskId)), fileType);
              for (const i of members) results[i] = tasks.get((keys[i] as TaskKey).taskId) ?? null;
            } catch (error) {
              for (const i of members) results[i] = ensureError(error);
            }
          }),
        );
      }
      return results;
    },
    { cacheKeyFn: (k) => `${k.taskId}:${k.createTime}` },
  );

  const taskUrls = new DataLoader<TaskKey, readonly ListedUrlTaskModel[], string>(
    async (keys) => {
      const results: Array<readonly ListedUrlTaskModel[] | Error> = keys.map(() => []);
      // Only decimal ids can equal a url-tasks task_id; tasks close in time share a window, read once.
      const open = keys.map((_, i) => i).filter((i) => /^\d+$/.test((keys[i] as TaskKey).taskId));
      await Promise.all(
        groupLookupWindows(open.map((i) => (keys[i] as TaskKey).createTime)).map(async (window) => {
          const members = window.members.map((m) => open[m] as number);
          try {
            const records = await readWindow(cdn, call, allowance, window);
            for (const i of members) results[i] = records.filter((r) => r.taskId === (keys[i] as TaskKey).taskId);
          } catch (error) {
            for (const i of members) results[i] = ensureError(error);
          }
        }),
      );
      return results;
    },
    { cacheKeyFn: (k) => `${k.taskId}:${k.createTime}` },
  );

  return { urlTask, task, taskUrls };
}

// Reads every url-tasks record of a window: the first call says how many there are, the rest are read in parallel.
async function readWindow(cdn: CdnApi, call: CallOptions, allowance: LookupAllowance, window: LookupWindow): Promise<ListedUrlTaskModel[]> {
  // Async, so that a refused spend rejects its own call instead of throwing past the calls already started.
  const read = async (offset: number) => {
    allowance.spend('url-tasks');
    return cdn.urlTasks({ startTime: window.start, endTime: window.end, offset, limit: UPSTREAM_LIMIT }, call);
  };
  const first = await read(0);
  const offsets: number[] = [];
  for (let offset = UPSTREAM_LIMIT; offset < first.total; offset += UPSTREAM_LIMIT) offsets.push(offset);
  const rest = await Promise.all(offsets.map(read));
  return [first, ...rest].flatMap((page) => page.records);
}

// Reads historytasks of one kind in a window, page by page, until every id is found or the window is read.
async function findTasks(
  cdn: CdnApi,
  call: CallOptions,
  allowance: LookupAllowance,
  window: LookupWindow,
  ids: ReadonlySet<string>,
  fileType: 'file' | 'directory',
): Promise<Map<string, TaskModel>> {
  const found = new Map<string, TaskModel>();
  for (let pageNumber = 1; pageNumber <= MAX_HISTORY_LOOKUP_PAGES; pageNumber++) {
    allowance.spend('historytasks');
    const page = await cdn.historyTasks({ startDate: window.start, endDate: window.end, pageSize: HISTORY_LOOKUP_PAGE_SIZE, pageNumber, fileType }, call);
    for (const t of page.tasks) if (ids.has(t.id)) found.set(t.id, t);
    if (found.size === ids.size || pageNumber * HISTORY_LOOKUP_PAGE_SIZE >= page.total) break;
  }
  return found;
}
