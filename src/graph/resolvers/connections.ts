/** Field resolvers shared by the connection types. */
import type { TaskConnectionResolvers, UrlTaskConnectionResolvers } from '../generated/resolvers-types';
import type { ConnectionModel } from '../connection-models';

// Computes the total only when the field is selected.
const totalCount = <T>(c: ConnectionModel<T>) => (typeof c.totalCount === 'function' ? c.totalCount() : c.totalCount);

/** Resolvers of UrlTaskConnection. */
export const UrlTaskConnection: UrlTaskConnectionResolvers = { totalCount };
/** Resolvers of TaskConnection. */
export const TaskConnection: TaskConnectionResolvers = { totalCount };
