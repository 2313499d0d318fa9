/**
 * The five upstream operations. Each builds an `UpstreamRequest`, runs it through the
 * pipeline (which classifies and parses the response once), checks the parsed 200 body
 * against its zod schema and converts it to a model. The url-tasks page, the hot path, is
 * checked and converted in one pass (`readUrlTaskPage`); the schema still names any mismatch.
 */
import type { ZodType } from 'zod';
import { badUserInput, GatewayError } from '../errors';
import { badShape, UNKNOWN_TASK_CODE } from './classify';
import { readUrlTaskPage, toTaskDetailModel, toTaskPage, toUrlTaskPage } from './convert';
import type { TaskDetailModel, TaskPage, UrlTaskPage } from './models';
import { fillPath, OPERATIONS, type OperationName } from './operations';
import type { CallOptions } from './options';
import {
  taskDetailPath,
  toHistoryTasksQuery,
  toPreheatBody,
  toRefreshBody,
  toCreateQuery,
  toTaskDetailQuery,
  toUrlTasksQuery,
  TASK_ID_RULE,
  type CreatePreheatTaskInput,
  type CreateRefreshTaskInput,
  type HistoryTasksParams,
  type TaskDetailParams,
  type UrlTasksParams,
} from './params';
import type { Handler, UpstreamRequest, UpstreamResponse } from './pipeline';
import type { QueryParams } from './signer';
import {
  CreatePreheatResponseWire,
  CreateRefreshResponseWire,
  HistoryTasksResponseWire,
  TaskDetailResponseWire,
  UrlTasksResponseWire,
} from './wire';

/** What the endpoint functions need from the client. */
export interface EndpointContext {
  readonly handler: Handler;
  readonly now: () => number;
  /** Deadline of a call whose caller gives none. */
  readonly timeoutMs: number;
}

/** The result of a create call. */
export interface CreatedTask {
  readonly taskId: string;
}

/** Fetches one page of URL records (`GET /v1.0/cdn/contentgateway/url-tasks`). */
export async function fetchUrlTasks(ctx: EndpointContext, params: UrlTasksParams = {}, opts: CallOptions = {}): Promise<UrlTaskPage> {
  const { req, res } = await send(ctx, { ...route('url-tasks'), query: toUrlTasksQuery(params) }, opts);
  // A body shared by coalesced callers or cache hits is converted once (models are never changed).
  const body = res.json;
  const known = typeof body === 'object' && body !== null ? urlTaskPages.get(body) : undefined;
  if (known) return known;
  // One pass from the JSON to the models; a body it does not accept goes to the schema, which names the problem.
  const page = readUrlTaskPage(body) ?? toUrlTaskPage(checkShape(req, res, UrlTasksResponseWire));
  if (typeof body === 'object' && body !== null) urlTaskPages.set(body, page);
  return page;
}

// url-tasks pages by the parsed body they were converted from.
const urlTaskPages = new WeakMap<object, UrlTaskPage>();

/** Fetches one page of tasks (`GET /v1.0/cdn/historytasks`). */
export async function fetchHistoryTasks(ctx: EndpointContext, params: HistoryTasksParams = {}, opts: CallOptions = {}): Promise<TaskPage> {
  const wire = await call(
    ctx,
    { ...route('historytasks'), query: toHistoryTasksQuery(params) },
    HistoryTasksResponseWire,
    opts,
  );
  return toTaskPage(wire);
}

/** Fetches a task with one page of its URLs; `null` when the upstream does not know the task (CDN.0108). */
export async function fetchTaskDetail(
  ctx: EndpointContext,
  taskId: string,
  params: TaskDetailParams = {},
  opts: CallOptions = {},
): Promise<TaskDetailModel | null> {
  const path = taskDetailPath(taskId);
  if (path === undefined) {
    throw badUserInput(`taskId: ${TASK_ID_RULE}; received ${JSON.stringify(String(taskId).slice(0, 80))}`);
  }
  try {
    const wire = await call(ctx, { ...route('detail'), path, query: toTaskDetailQuery(params) }, TaskDetailResponseWire, opts);
    return toTaskDetailModel(wire);
  } catch (e) {
    if (isUnknownTask(e)) return null;
    throw e;
  }
}

/** Creates a refresh task (`POST /v1.0/cdn/content/refresh-tasks`); never retried once it may have been sent. */
export async function createRefreshTask(ctx: EndpointContext, input: CreateRefreshTaskInput, opts: CallOptions = {}): Promise<CreatedTask> {
  const wire = await call(
    ctx,
    { ...route('refresh'), query: toCreateQuery(input), body: JSON.stringify(toRefreshBody(input)) },
    CreateRefreshResponseWire,
    opts,
  );
  return { taskId: wire.refresh_task };
}

/** Creates a preheat task (`POST /v1.0/cdn/content/preheating-tasks`); never retried once it may have been sent. */
export async function createPreheatTask(ctx: EndpointContext, input: CreatePreheatTaskInput, opts: CallOptions = {}): Promise<CreatedTask> {
  const wire = await call(
    ctx,
    { ...route('preheat'), query: toCreateQuery(input), body: JSON.stringify(toPreheatBody(input)) },
    CreatePreheatResponseWire,
    opts,
  );
  return { taskId: wire.preheating_task };
}

/** Tells whether an error is the upstream's "task does not exist" answer to a detail call. */
export function isUnknownTask(error: unknown): boolean {
  return error instanceof GatewayError && error.code === 'UPSTREAM_ERROR' && error.upstream?.code === UNKNOWN_TASK_CODE;
}

// What an endpoint says about its request; the call options add deadline, signal and request id.
interface RequestSpec {
  readonly operation: OperationName;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: QueryParams;
  readonly body?: string;
}

// The operation, method and (template-free) path of a request, from the operations table.
function route(operation: OperationName): Pick<RequestSpec, 'operation' | 'method' | 'path'> {
  return { operation, method: OPERATIONS[operation].method, path: fillPath(operation) };
}

// Runs one request through the pipeline and returns its validated 200 body.
async function call<T>(ctx: EndpointContext, spec: RequestSpec, schema: ZodType<T>, opts: CallOptions): Promise<T> {
  const { req, res } = await send(ctx, spec, opts);
  return checkShape(req, res, schema);
}

// Returns the 200 body of a response checked against its schema; UPSTREAM_BAD_RESPONSE naming the first mismatch otherwise.
function checkShape<T>(req: UpstreamRequest, res: UpstreamResponse, schema: ZodType<T>): T {
  const parsed = schema.safeParse(res.json);
  if (!parsed.success) throw badShape(req, res, parsed.error);
  return parsed.data;
}

// Runs one request through the pipeline and returns it with its (classified, parsed) response.
async function send(ctx: EndpointContext, spec: RequestSpec, opts: CallOptions): Promise<{ req: UpstreamRequest; res: UpstreamResponse }> {
  if (opts.deadline !== undefined && !Number.isFinite(opts.deadline)) {
    throw new TypeError(`CallOptions.deadline must be a finite epoch-ms time; received ${String(opts.deadline)}`);
  }
  const req: UpstreamRequest = {
    ...spec,
    deadline: opts.deadline ?? ctx.now() + ctx.timeoutMs,
    signal: opts.signal,
    requestId: opts.requestId,
    ...(opts.onSend ? { onSend: opts.onSend } : {}),
    caller: opts.caller,
    requestTag: opts.requestTag,
  };
  return { req, res: await ctx.handler(req) };
}
