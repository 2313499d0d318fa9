/**
 * The typed CDN API client the graph uses: the five endpoint functions bound to one
 * assembled pipeline. The pipeline itself is built in src/cdn/upstream.ts.
 */
import * as endpoints from './endpoints';
import type { CreatedTask, EndpointContext } from './endpoints';
import type { TaskDetailModel, TaskPage, UrlTaskPage } from './models';
import type { CallOptions } from './options';
import type { CreatePreheatTaskInput, CreateRefreshTaskInput, HistoryTasksParams, TaskDetailParams, UrlTasksParams } from './params';

/** The typed CDN API client the graph uses. */
export interface CdnClient {
  /** The upstream origin the client talks to (for startup logs). */
  readonly endpoint: string;
  /** Fetches one page of URL refresh/preheat records. */
  urlTasks(params?: UrlTasksParams, opts?: CallOptions): Promise<UrlTaskPage>;
  /** Fetches one page of refresh/preheat tasks. */
  historyTasks(params?: HistoryTasksParams, opts?: CallOptions): Promise<TaskPage>;
  /** Fetches a task with one page of its URLs; `null` when the task does not exist. */
  taskDetail(taskId: string, params?: TaskDetailParams, opts?: CallOptions): Promise<TaskDetailModel | null>;
  /** Creates a refresh task and returns its id. */
  createRefreshTask(input: CreateRefreshTaskInput, opts?: CallOptions): Promise<CreatedTask>;
  /** Creates a preheat task and returns its id. */
  createPreheatTask(input: CreatePreheatTaskInput, opts?: CallOptions): Promise<CreatedTask>;
  /** Closes the connection pool after in-flight calls finish. */
  close(): Promise<void>;
}

/** Binds the endpoint functions to a pipeline; `close` releases what the pipeline holds. */
export function bindClient(ctx: EndpointContext, endpoint: string, close: () => Promise<void>): CdnClient {
  return {
    endpoint,
    urlTasks: (params, opts) => endpoints.fetchUrlTasks(ctx, params, opts),
    historyTasks: (params, opts) => endpoints.fetchHistoryTasks(ctx, params, opts),
    taskDetail: (taskId, params, opts) => endpoints.fetchTaskDetail(ctx, taskId, params, opts),
    createRefreshTask: (input, opts) => endpoints.createRefreshTask(ctx, input, opts),
    createPreheatTask: (input, opts) => endpoints.createPreheatTask(ctx, input, opts),
    close,
  };
}
