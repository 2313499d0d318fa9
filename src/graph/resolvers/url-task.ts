/** Field resolvers of UrlTask, and its Federation reference resolver. */
import type { TaskDetailModel, UrlTaskModel } from '../../cdn/models';
import type { UrlTaskFailure, UrlTaskResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId, toUrlTaskGlobalId } from '../ids';
import { selectsTaskUrls } from '../task-selection';
import { isFutureTime, isPastDetailRetention } from '../archive';

/**
 * Resolvers of the UrlTask type. `url`, `status`, `type`, `taskId`, `fileType` and `mode` have
 * none: the model holds them as the schema returns them (models.ts), and graphql-jit reads a
 * field without a resolver straight off the object, where a resolver costs a call per record.
 */
export const UrlTask: UrlTaskResolvers = {
  // Built only when selected.
  id: (r) => toUrlTaskGlobalId(r.taskId, r.id, r.createTime),
  createdAt: (r) => r.createTime,
  modifiedAt: (r) => r.modifyTime,
  failureReason: (r) => toFailureReason(r),
  task: (r, _args, ctx, info) => {
    // The detail API holds no task past its retention: asking it would cost a call to learn nothing.
    if (r.createTime !== null && isPastDetailRetention(r.createTime, ctx.now())) return null;
    ctx.loaders.hintCreateTime(r.taskId, r.createTime);
    return ctx.loaders.loadTask(r.taskId, selectsTaskUrls(info));
  },
  __resolveReference: (ref, ctx) => loadUrlTaskByGlobalId(ref.id, ctx),
};

/** Returns why a record failed; null unless it is FAILED and the upstream said something about it (task details only). */
export function toFailureReason(r: UrlTaskModel): UrlTaskFailure | null {
  if (r.status !== 'FAILED' || (r.failClassify === null && r.failDesc === null)) return null;
  return { classification: r.failClassify, description: r.failDesc };
}

/**
 * Loads a UrlTask by its global id; null when unknown. Through the task detail (the task loader)
 * while the detail API holds its task; past its retention, or when the detail does not show the
 * record, through url-tasks around the creation time the id carries (src/graph/archive.ts), so
 * every record `urlTasks` lists is found. An id without a creation time (an older format) is
 * looked up through the detail only.
 */
export async function loadUrlTaskByGlobalId(id: string, ctx: GraphContext): Promise<UrlTaskModel | null> {
  const decoded = fromGlobalId(id);
  if (decoded?.type !== 'UrlTask') return null;
  const { taskId, recordId, createTime } = decoded;
  const now = ctx.now();
  if (createTime !== undefined && isFutureTime(createTime, now)) return null;
  if (createTime === undefined || !isPastDetailRetention(createTime, now)) {
    ctx.loaders.hintCreateTime(taskId, createTime);
    const detail = await ctx.loaders.taskWithUrls.load(taskId);
    const record = detail ? findRecord(detail, recordId) : null;
    if (record || createTime === undefined) return record;
  }
  const listed = await ctx.loaders.archive.urlTask.load({ recordId, createTime });
  // The id names its task too: a record of another task is not the one asked for.
  return listed && listed.taskId === taskId ? listed : null;
}

/** Returns a task's URL record as a UrlTask model (its task id the task's own); null when the task does not hold it. */
export function findRecord(detail: TaskDetailModel, recordId: number): UrlTaskModel | null {
  const url = detail.urls.find((u) => u.id === recordId);
  return url ? { ...url, taskId: detail.id } : null;
}
