/** Relay object identification: Query.node, Query.nodes and the Node interface. */
import type { TaskModel, UrlTaskModel } from '../../cdn/models';
import type { NodeResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId } from '../ids';
import { loadUrlTaskByGlobalId } from './url-task';
import { loadTaskByGlobalId } from './task';

/** Resolves any global id; null when it is not ours or the object is gone. */
export function loadNode(id: string, ctx: GraphContext): Promise<UrlTaskModel | TaskModel | null> {
  switch (fromGlobalId(id)?.type) {
    case 'UrlTask':
      return loadUrlTaskByGlobalId(id, ctx);
    case 'Task':
      return loadTaskByGlobalId(id, ctx);
    default:
      return Promise.resolve(null);
  }
}

/** Resolvers of the Node interface. */
export const Node: NodeResolvers = {
  // A UrlTask model always has the `url` key (null when the upstream omitted it); a Task model never does.
  __resolveType: (parent) => ('url' in parent ? 'UrlTask' : 'Task'),
};
