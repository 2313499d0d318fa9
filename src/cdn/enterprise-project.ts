/**
 * Scoping a CDN client to one enterprise project: every call that takes
 * `enterprise_project_id` (historytasks, task detail, refresh, preheat) carries it, and
 * url-tasks, which takes none, is left alone (docs/upstream.md, Enterprise projects).
 */
import type { CdnClient } from './client';

type Scoped = Pick<CdnClient, 'historyTasks' | 'taskDetail' | 'createRefreshTask' | 'createPreheatTask'>;

/** Returns a client whose calls carry the enterprise project (one given per call wins); the client itself when there is none. */
export function scopeToEnterpriseProject<T extends Scoped>(cdn: T, enterpriseProjectId: string | undefined): T {
  if (enterpriseProjectId === undefined) return cdn;
  const id = enterpriseProjectId;
  return {
    ...cdn,
    historyTasks: (params = {}, opts) => cdn.historyTasks({ enterpriseProjectId: id, ...dropUndefined(params) }, opts),
    taskDetail: (taskId, params = {}, opts) => cdn.taskDetail(taskId, { enterpriseProjectId: id, ...dropUndefined(params) }, opts),
    createRefreshTask: (input, opts) => cdn.createRefreshTask({ enterpriseProjectId: id, ...dropUndefined(input) }, opts),
    createPreheatTask: (input, opts) => cdn.createPreheatTask({ enterpriseProjectId: id, ...dropUndefined(input) }, opts),
  } satisfies Scoped;
}

// An explicit `enterpriseProjectId: undefined` must not erase the scope when spread over it.
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
