/**
 * The upstream client, assembled in one spot:
 *
 *   [options.stages…] → deadline → retry → [options.attemptStages…] → observe → sign → classify → undici Pool
 *
 * Extra stages (coalescing, caching) go outermost, before retry; attempt stages (rate limiting)
 * run once per attempt, so retries spend quota through them too; signing sits
 * inside retry so each attempt carries a fresh signature; classification sits right above
 * the transport so retry decides on catalogue errors.
 */
import * as endpoints from './endpoints';
import type { CreatedTask, EndpointContext } from './endpoints';
import type { TaskDetailModel, TaskPage, UrlTaskPage } from './models';
import { normalizeOptions, type CallOptions, type CdnClientOptions, type NormalizedOptions } from './options';
import type { CreatePreheatTaskInput, CreateRefreshTaskInput, HistoryTasksParams, TaskDetailParams, UrlTasksParams } from './params';
import { composeStages, type Handler, type Stage } from './pipeline';
import { createRedactor, type Redactor } from './redact';
import { createRetryBudget } from './retry-budget';
import { classifyStage } from './stages/classify';
import { deadlineStage } from './stages/deadline';
import { observeStage } from './stages/observe';
import { retryStage } from './stages/retry';
import { signStage } from './stages/sign';
import { createPoolTransport } from './transport';

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

/** Lists the pipeline's stages, outermost first, for normalized options (one retry budget per call of this function). */
export function assembleStages(o: NormalizedOptions, redact: Redactor): Stage[] {
  const budget = createRetryBudget(
    { ratio: o.retry.budgetRatio, minPerSecond: o.retry.budgetMinPerSecond, capacity: o.retry.budgetCapacity },
    o.now,
  );
  return [
    ...o.stages,
    deadlineStage(o.now),
    retryStage({ policy: o.retry, budget, now: o.now, random: o.random }),
    ...o.attemptStages,
    ...(o.onEvent ? [observeStage(o.onEvent, o.now)] : []),
    signStage(o.auth, o.host, o.now),
    classifyStage(o.now, redact),
  ];
}

/** Creates a CDN client with its own connection pool; options are checked at once (`TypeError` on misuse). */
export function createCdnClient(options: CdnClientOptions): CdnClient {
  const o = normalizeOptions(options);
  const redact = createRedactor(
    o.auth.kind === 'aksk' ? [o.auth.ak, o.auth.sk, o.auth.securityToken] : [o.auth.token],
  );
  const transport = createPoolTransport({
    origin: o.origin,
    connections: o.connections,
    connectTimeoutMs: o.connectTimeoutMs,
    maxResponseBytes: o.maxResponseBytes,
    now: o.now,
  });
  const handler: Handler = composeStages(assembleStages(o, redact), transport.handler);
  const ctx: EndpointContext = { handler, now: o.now, timeoutMs: o.timeoutMs, redact };

  return {
    endpoint: o.origin,
    urlTasks: (params, opts) => endpoints.fetchUrlTasks(ctx, params, opts),
    historyTasks: (params, opts) => endpoints.fetchHistoryTasks(ctx, params, opts),
    taskDetail: (taskId, params, opts) => endpoints.fetchTaskDetail(ctx, taskId, params, opts),
    createRefreshTask: (input, opts) => endpoints.createRefreshTask(ctx, input, opts),
    createPreheatTask: (input, opts) => endpoints.createPreheatTask(ctx, input, opts),
    close: () => transport.close(),
  };
}
