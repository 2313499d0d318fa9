/** Relay object identification: Query.node, Query.nodes and the Node interface. */
import type { GraphQLResolveInfo } from 'graphql';
import type { TaskModel, UrlTaskModel } from '../../cdn/models';
import type { NodeResolvers } from '../generated/resolvers-types';
import type { GraphContext } from '../context';
import { fromGlobalId } from '../ids';
import { selectsTaskUrls } from '../task-selection';
import { loadUrlTaskByGlobalId } from './url-task';
import { loadTaskByGlobalId } from './task';

/** Resolves any global id; null when it is not ours or the object is gone. `info` says whether a Task's URLs are selected too. */
export function loadNode(id: string, ctx: GraphContext, info?: GraphQLResolveInfo): Promise<UrlTaskModel | TaskModel | null> {
  switch (fromGlobalId(id)?.type) {
    case 'UrlTask':
      return loadUrlTaskByGlobalId(id, ctx);
    case 'Task':
      return loadTaskByGlobalId(id, ctx, selectsTaskUrls(info));
    default:
      return Promise.resolve(null);
  }
}

/** Resolvers of the Node interface. */
export const Node: NodeResolvers = {
  // A UrlTask model always has the `url` key (null when the upstream omitted it); a Task model never does.
  __resolveType: (parent) => ('url' in parent ? 'UrlTask' : 'Task'),
};
