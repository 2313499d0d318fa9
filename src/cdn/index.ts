/** The upstream client's public surface: what src/graph and src/main may import from src/cdn. */
export { createCdnClient, type CdnClient } from './client';
export type { CreatedTask } from './endpoints';
export type { CallOptions, CdnAuth, CdnClientOptions, RetryOptions, UpstreamEvent } from './options';
export type {
  CreatePreheatTaskInput,
  CreateRefreshTaskInput,
  FileTypeFilter,
  HistoryTasksParams,
  TaskDetailParams,
  UrlStatusFilter,
  UrlTasksParams,
} from './params';
export type { OperationName, TaskDetailModel, TaskModel, TaskPage, TaskUrlModel, UrlTaskModel, UrlTaskPage } from './models';
export type { Handler, Stage, UpstreamRequest, UpstreamResponse } from './pipeline';
export { composeStages } from './pipeline';
export { failedBeforeSending, OPERATION_LABELS } from './classify';
