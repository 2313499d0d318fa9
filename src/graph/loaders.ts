/**
 * Per-request DataLoaders keyed by task id. Every task lookup (UrlTask.task, Query.task,
 * node ids, Federation `_entities`) goes through them, so a page of records sharing k tasks
 * costs at most k detail calls, all sent in one tick.
 */
import DataLoader from 'dataloader';
import { ensureError } from '../errors';
import type { TaskDetailModel, TaskModel } from '../cdn/models';
import type { CallOptions, CdnApi } from './context';

/** Largest page of a task's URLs the upstream serves in one detail call. */
export const MAX_DETAIL_PAGE_SIZE = 10000;

/** This request's loaders. */
export interface Loaders {
  /** Loads a task's summary (one small detail call per task). */
  readonly task: DataLoader<string, TaskModel | null>;
  /** Loads a task with all its URLs (for UrlTask lookups by global id). */
  readonly taskWithUrls: DataLoader<string, TaskDetailModel | null>;
  /** Records a task's creation time, which lets the upstream find tasks older than 7 days. */
  hintCreateTime(taskId: string, createTime: number): void;
}

/** Creates fresh loaders for one request. */
export function createLoaders(cdn: CdnApi, call: CallOptions): Loaders {
  const createTimes = new Map<string, number>();
  const loadDetails = (pageSize: number) => (taskIds: readonly string[]) =>
    Promise.all(
      taskIds.map((taskId) =>
        cdn.taskDetail(taskId, { pageSize, pageNumber: 1, createTime: createTimes.get(taskId) }, call).catch((err: unknown) => ensureError(err)),
      ),
    );
  const task = new DataLoader<string, TaskModel | null>(loadDetails(1));
  const taskWithUrls = new DataLoader<string, TaskDetailModel | null>(async (taskIds) => {
    const details = await loadDetails(MAX_DETAIL_PAGE_SIZE)(taskIds);
    // A full detail answers the summary too: later `task` loads of these ids cost nothing.
    details.forEach((detail, i) => {
      if (!(detail instanceof Error)) task.prime(taskIds[i] as string, detail);
    });
    return details;
  });
  return {
    task,
    taskWithUrls,
    hintCreateTime(taskId, createTime) {
      if (!createTimes.has(taskId)) createTimes.set(taskId, createTime);
    },
  };
}
