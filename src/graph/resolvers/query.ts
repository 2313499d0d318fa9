/** Root query resolvers: thin calls into loaders and the connection planners. */
import type { QueryResolvers } from '../generated/resolvers-types';
import type { TaskModel, UrlTaskModel } from '../../cdn/models';
import { badUserInput, ensureError } from '../../errors';
import { checkLookupList } from '../lookup-limits';
import { isTaskId, TASK_ID_RULE } from '../../cdn/params';
import { selectsTaskUrls } from '../task-selection';
import { loadNode } from './node';
import { resolveUrlTasks } from './url-tasks';
import { resolveTasks } from './tasks';

export { MAX_NODE_IDS } from '../lookup-limits';

/** Resolvers of the Query type. */
export const Query: QueryResolvers = {
  urlTasks: (_root, args, ctx) => resolveUrlTasks(args, ctx),
  tasks: (_root, args, ctx) => resolveTasks(args, ctx),
  task: (_root, { taskId }, ctx, info) => {
    if (!isTaskId(taskId)) throw badUserInput(`taskId: ${TASK_ID_RULE}; received ${JSON.stringify(String(taskId).slice(0, 80))}`);
    return ctx.loaders.loadTask(taskId, selectsTaskUrls(info));
  },
  node: (_root, { id }, ctx, info) => loadNode(id, ctx, info),
  nodes: (_root, { ids }, ctx, info) => {
    // The query-limits plugin refuses this before execution (src/graph/limits.ts); kept for callers of the resolvers alone.
    const tooMany = checkLookupList('nodes', 'ids', ids.length);
    if (tooMany) throw tooMany;
    // Each id on its own: an id that fails (over the request's allowance, an upstream error) is null
    // with its own error at ["nodes", i], and the others keep their objects (an Error in a list is
    // that item's error to graphql-js and graphql-jit alike; the generated type does not say so).
    // A request its client left fails whole, as one error: nobody reads the answer, and a hundred
    // errors would cost CPU for nothing while the quota serves others.
    const items = ids.map((id) =>
      loadNode(id, ctx, info).catch((error: unknown) => {
        if (ctx.signal.aborted) throw error;
        return ensureError(error);
      }),
    );
    return Promise.all(items) as unknown as Promise<Array<UrlTaskModel | TaskModel | null>>;
  },
};
