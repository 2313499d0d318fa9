/**
 * The per-request context: the deadline and cancellation of this GraphQL request, the
 * upstream API, and this request's DataLoaders (never shared between requests).
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { TaskDetailModel, TaskPage, UrlTaskPage } from '../cdn/models';
import { createLoaders, type Loaders } from './loaders';

/** Per-call options passed to the upstream client. */
export interface CallOptions {
  readonly deadline?: number;
  readonly signal?: AbortSignal;
  readonly requestId?: string;
}

/** url-tasks query parameters (camelCase; times in epoch ms). */
export interface UrlTasksParams {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly offset?: number;
  readonly limit?: number;
  readonly url?: string;
  readonly taskType?: 'REFRESH' | 'PREHEATING';
  readonly status?: string;
  readonly fileType?: 'file' | 'directory';
}

/** historytasks query parameters. */
export interface HistoryTasksParams {
  readonly pageSize?: number;
  readonly pageNumber?: number;
  readonly status?: 'task_inprocess' | 'task_done';
  readonly startDate?: number;
  readonly endDate?: number;
  readonly orderField?: 'task_type' | 'total' | 'processing' | 'succeed' | 'failed' | 'create_time';
  readonly orderType?: 'desc' | 'asc';
  readonly fileType?: 'file' | 'directory';
  readonly taskType?: 'refresh' | 'preheating';
}

/** Task detail query parameters. */
export interface TaskDetailParams {
  readonly pageSize?: number;
  readonly pageNumber?: number;
  readonly status?: string;
  readonly url?: string;
  readonly createTime?: number;
}

/** What the graph needs of the upstream client (the client in src/cdn/ implements it). */
export interface CdnApi {
  urlTasks(params: UrlTasksParams, opts?: CallOptions): Promise<UrlTaskPage>;
  historyTasks(params: HistoryTasksParams, opts?: CallOptions): Promise<TaskPage>;
  taskDetail(taskId: string, params: TaskDetailParams, opts?: CallOptions): Promise<TaskDetailModel | null>;
}

/** Paging settings resolvers need. */
export interface PagingSettings {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly maxRangeDays: number;
  readonly cursorSecret: string;
}

/** Per-request context handed to every resolver. */
export interface GraphContext {
  readonly requestId: string;
  /** Absolute deadline (epoch ms) of this GraphQL request. */
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly cdn: CdnApi;
  /** Call options for this request (deadline, cancellation, request id). */
  readonly call: CallOptions;
  readonly loaders: Loaders;
  readonly paging: PagingSettings;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Inputs of `createContext`. */
export interface ContextInputs {
  readonly requestId: string;
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly cdn: CdnApi;
  readonly config: Pick<Config, 'defaultPageSize' | 'maxPageSize' | 'maxRangeDays' | 'cursorSecret'>;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Creates the context of one GraphQL request, with fresh loaders. */
export function createContext(inputs: ContextInputs): GraphContext {
  const call: CallOptions = { deadline: inputs.deadline, signal: inputs.signal, requestId: inputs.requestId };
  const { defaultPageSize, maxPageSize, maxRangeDays, cursorSecret } = inputs.config;
  return {
    requestId: inputs.requestId,
    deadline: inputs.deadline,
    signal: inputs.signal,
    cdn: inputs.cdn,
    call,
    loaders: createLoaders(inputs.cdn, call),
    paging: { defaultPageSize, maxPageSize, maxRangeDays, cursorSecret },
    now: inputs.now,
    logger: inputs.logger,
  };
}
