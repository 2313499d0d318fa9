/** The upstream client's public surface: what src/graph and src/main may import from src/cdn. */
export type { CdnClient } from './client';
export { createCdnClient, createUpstream, upstreamOptionsFromConfig, type EconomyHandles, type Upstream, type UpstreamOptions } from './upstream';
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
export type { Handler, RawHandler, RawResponse, Stage, UpstreamRequest, UpstreamResponse } from './pipeline';
export { composeStages } from './pipeline';
export { failedBeforeSending, OPERATION_LABELS } from './classify';
