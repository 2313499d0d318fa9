/** Root query resolvers: thin calls into loaders and the connection planners. */
import type { QueryResolvers } from '../generated/resolvers-types';
import { badUserInput } from '../../errors';
import { loadNode } from './node';
import { resolveUrlTasks } from './url-tasks';
import { resolveTasks } from './tasks';

/** Most ids one `nodes` call may ask for. */
export const MAX_NODE_IDS = 100;

/** Resolvers of the Query type. */
export const Query: QueryResolvers = {
  urlTasks: (_root, args, ctx) => resolveUrlTasks(args, ctx),
  tasks: (_root, args, ctx) => resolveTasks(args, ctx),
  task: (_root, { taskId }, ctx) => {
    if (!/^\d{1,20}$/.test(taskId)) throw badUserInput(`taskId must be the upstream's numeric task id; got ${JSON.stringify(taskId.slice(0, 40))}`);
    return ctx.loaders.task.load(taskId);
  },
  node: (_root, { id }, ctx) => loadNode(id, ctx),
  nodes: (_root, { ids }, ctx) => {
    if (ids.length > MAX_NODE_IDS) throw badUserInput(`nodes takes at most ${MAX_NODE_IDS} ids; got ${ids.length}`);
    return Promise.all(ids.map((id) => loadNode(id, ctx)));
  },
};
