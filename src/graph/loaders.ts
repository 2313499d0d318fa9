/**
 * Per-request DataLoaders keyed by task id. Every task lookup (UrlTask.task, Query.task,
 * node ids, Federation `_entities`) goes through them, so a page of records sharing k tasks
 * costs at most k detail calls, all sent in one tick.
 */
import DataLoader from 'dataloader';
import { ensureError } from '../errors';
import type { TaskDetailModel, TaskModel } from '../cdn/models';
import type { CallOptions, CdnApi } from './context';
import { createArchiveLoaders, type ArchiveLoaders } from './archive';
import { createLookupAllowance } from './lookup-allowance';

/** Largest page of a task's URLs the upstream serves in one detail call. */
export const MAX_DETAIL_PAGE_SIZE = 10000;

/** This request's loaders. */
export interface Loaders {
  /** Loads a task's summary (one small detail call per task). */
  readonly task: DataLoader<string, TaskModel | null>;
  /** Loads a task with all its URLs (for UrlTask lookups by global id and unfiltered Task.urls). */
  readonly taskWithUrls: DataLoader<string, TaskDetailModel | null>;
  /**
   * Loads a task for a field that returns it: the whole detail when the query also reads the
   * task's unfiltered URLs (`withUrls`, see src/graph/task-selection.ts), else the summary. Both
   * answer the counts, so a task costs one detail call either way.
   */
  loadTask(taskId: string, withUrls: boolean): Promise<TaskModel | null>;
  /**
   * Records a task's creation time as the upstream gave it, which lets the detail call find tasks
   * older than 7 days; an unknown time (null) records nothing, and the call then sends none.
   */
  hintCreateTime(taskId: string, createTime: number | null | undefined): void;
  /** Loads records and tasks the detail API no longer holds, through url-tasks and historytasks (src/graph/archive.ts). */
  readonly archive: ArchiveLoaders;
}

/** What the loaders need besides the upstream. */
export interface LoaderOptions {
  /** MAX_DETAIL_LOOKUPS: bounds the url-tasks and historytasks calls of lookups of old records too (src/graph/lookup-allowance.ts). */
  readonly maxDetailLookups: number;
}

/** Default of `LoaderOptions.maxDetailLookups`, as the configuration's. */
export const DEFAULT_MAX_DETAIL_LOOKUPS = 200;

/** Creates fresh loaders for one request. */
export function createLoaders(cdn: CdnApi, call: CallOptions, options: LoaderOptions = { maxDetailLookups: DEFAULT_MAX_DETAIL_LOOKUPS }): Loaders {
  const createTimes = new Map<string, number>();
  // Full loads sent in this request: a summary of the same task reuses them instead of its own call.
  const fullLoads = new Map<string, Promise<TaskDetailModel | null | Error>>();
  const loadDetail = (taskId: string, pageSize: number) =>
    cdn.taskDetail(taskId, { pageSize, pageNumber: 1, createTime: createTimes.get(taskId) }, call).catch((err: unknown) => ensureError(err));
  const flush = createFlush();
  const taskWithUrls = new DataLoader<string, TaskDetailModel | null>(
    async (taskIds) => {
      const details = await Promise.all(
        taskIds.map((taskId) => {
          const detail = loadDetail(taskId, MAX_DETAIL_PAGE_SIZE);
          fullLoads.set(taskId, detail);
          return detail;
        }),
      );
      // A full detail answers the summary too: later `task` loads of these ids cost nothing.
      details.forEach((detail, i) => {
        if (!(detail instanceof Error)) task.prime(taskIds[i] as string, detail);
      });
      return details;
    },
    { batchScheduleFn: flush.first },
  );
  const task = new DataLoader<string, TaskModel | null>(
    (taskIds) => Promise.all(taskIds.map((taskId) => fullLoads.get(taskId) ?? loadDetail(taskId, 1))),
    { batchScheduleFn: flush.second },
  );
  return {
    task,
    taskWithUrls,
    loadTask: (taskId, withUrls) => (withUrls ? taskWithUrls.load(taskId) : task.load(taskId)),
    archive: createArchiveLoaders(cdn, call, createLookupAllowance(options.maxDetailLookups)),
    hintCreateTime(taskId, createTime) {
      if (createTime != null && !createTimes.has(taskId)) createTimes.set(taskId, createTime);
    },
  };
}

// One dispatch for both loaders, full loads first: a UrlTask id and a Task id of the same task
// asked for in one tick (nodes, _entities) then cost one detail call, not two.
function createFlush(): { first: (dispatch: () => void) => void; second: (dispatch: () => void) => void } {
  const queues: [Array<() => void>, Array<() => void>] = [[], []];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    const dispatches = [...queues[0].splice(0), ...queues[1].splice(0)];
    for (const dispatch of dispatches) dispatch();
  };
  const schedule = (queue: Array<() => void>) => (dispatch: () => void) => {
    queue.push(dispatch);
    if (scheduled) return;
    scheduled = true;
    // Like DataLoader's own default: after the current promise jobs, so loads made in their continuations join the batch.
    void Promise.resolve().then(() => process.nextTick(run));
  };
  return { first: schedule(queues[0]), second: schedule(queues[1]) };
}
