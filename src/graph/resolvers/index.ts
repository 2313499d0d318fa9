/** All resolvers, one object per GraphQL type. */
import type { Resolvers } from '../generated/resolvers-types';
import { DateTimeScalar } from '../scalars';
import { Query } from './query';
import { UrlTask } from './url-task';
import { Task } from './task';
import { Node } from './node';
import { TaskConnection, UrlTaskConnection } from './connections';
import { CreatePreheatTaskPayload, CreateRefreshTaskPayload, Mutation } from './mutation';
import { Subscription } from './subscription';

/** The resolver map handed to the schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  UrlTask,
  Task,
  Node,
  UrlTaskConnection,
  TaskConnection,
  Mutation,
  Subscription,
  CreateRefreshTaskPayload,
  CreatePreheatTaskPayload,
};
