/** Root subscription resolvers: follow a task through the shared pollers (src/graph/progress). */
import type { TaskModel } from '../../cdn/models';
import { badUserInput, GatewayError } from '../../errors';
import { isTaskId, TASK_ID_RULE } from '../../cdn/params';
import type { SubscriptionResolvers } from '../generated/resolvers-types';
import type { ProgressEvent } from '../progress/hub';

/** Resolvers of the Subscription type. */
export const Subscription: SubscriptionResolvers = {
  taskProgress: {
    subscribe: (_root, { taskId }, ctx) => {
      if (!isTaskId(taskId)) throw badUserInput(`taskId: ${TASK_ID_RULE}; received ${JSON.stringify(String(taskId).slice(0, 80))}`);
      if (!ctx.progress) throw new GatewayError('INTERNAL_SERVER_ERROR', 'Subscriptions are not served by this gateway instance');
      return ctx.progress.follow(taskId, { callerId: ctx.callerId });
    },
    resolve: (event: ProgressEvent) => eventToTask(event),
  },
};

/** Returns the task of a state event; throws the error of a failed poll or NOT_FOUND for an unknown task. */
export function eventToTask(event: ProgressEvent): TaskModel {
  switch (event.kind) {
    case 'state':
      return event.task;
    case 'error':
      throw event.error;
    case 'not-found':
      throw new GatewayError('NOT_FOUND', `No task ${event.taskId}: the CDN does not know it (ids are kept 15 days); the subscription ends`);
  }
}
