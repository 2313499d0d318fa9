/**
 * The check's calls, made through the project's real client and read raw from the recorder:
 * url-tasks for one record of the last 24 h, historytasks for the newest task, that task's
 * detail, and, only when the last 24 h held no record, url-tasks once more in the 24 h ending
 * at that task's creation. At most 5 calls (a second historytasks call lists directory tasks
 * when there is no file task); none creates anything.
 */
import { GatewayError } from '../errors';
import { checkBody, type LevelCheck } from '../cdn/contract-check';
import type { CdnClient } from '../cdn/client';
import { readErrorFields, UNKNOWN_TASK_CODE } from '../cdn/classify';
import type { OperationName } from '../cdn/operations';
import { parseJson } from '../cdn/json';
import type { QueryParams } from '../cdn/signer';
import type { Recorder } from './recorder';
import { refusalHint, stopsTheCheck } from './refusal';
import type { CheckSettings } from './settings';

/** The most calls a check makes. */
export const CALL_BUDGET = 5;

const DAY_MS = 86_400_000;

/** An upstream refusal: its status (0: no answer), Huawei's code and message, and the advice. */
export interface Refusal {
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  readonly hint: string;
}

/** One call of the check and what came of it. */
export interface CallRecord {
  readonly operation: OperationName;
  /** Why the call was made, for the report. */
  readonly purpose: string;
  readonly path?: string;
  readonly query?: QueryParams;
  /** HTTP status; absent when no answer came. */
  readonly status?: number;
  readonly requestId?: string;
  /** The 200 body, level by level against the contract. */
  readonly levels?: readonly LevelCheck[];
  /** The 200 body as parsed (not printed: it holds the account's URLs). */
  readonly body?: unknown;
  readonly refusal?: Refusal;
  /** The gateway's client could not read an answer (the report counts it as a mismatch). */
  readonly clientError?: string;
  /** Why nothing was checked, when nothing went wrong (no task, task too old). */
  readonly note?: string;
}

/** Makes the check's calls in order and returns their records. */
export async function runCalls(client: CdnClient, recorder: Recorder, settings: CheckSettings, now: number): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  const project = settings.enterpriseProjectId === undefined ? {} : { enterpriseProjectId: settings.enterpriseProjectId };
  const perform = async (operation: OperationName, purpose: string, call: () => Promise<unknown>): Promise<CallRecord> => {
    const record = await performCall(operation, purpose, call, recorder, settings);
    records.push(record);
    return record;
  };
  const stopped = () => records.some((r) => r.refusal && stopsTheCheck(r.refusal));

  // docs/upstream.md#url-tasks: no enterprise_project_id; a span of at most 24 h.
  const recent = await perform('url-tasks', 'one record of the last 24 h', () => client.urlTasks({ startTime: now - DAY_MS, endTime: now, offset: 0, limit: 1 }));
  if (stopped()) return records;

  // docs/upstream.md#historytasks: page_size with page_number; file_type file (the default) first.
  let history = await perform('historytasks', 'the newest file task', () =>
    client.historyTasks({ pageSize: 1, pageNumber: 1, fileType: 'file', ...project }),
  );
  if (stopped()) return records;
  if (history.levels && firstTask(history) === undefined) {
    history = await perform('historytasks', 'the newest directory task (there is no file task)', () =>
      client.historyTasks({ pageSize: 1, pageNumber: 1, fileType: 'directory', ...project }),
    );
    if (stopped()) return records;
  }

  // docs/upstream.md#task-detail: create_time lets tasks up to 15 days old be found.
  const task = firstTask(history);
  if (task) {
    await perform('detail', `task ${task.id}, one URL`, () =>
      client.taskDetail(task.id, { pageSize: 1, pageNumber: 1, ...(task.createTime === undefined ? {} : { createTime: task.createTime }), ...project }),
    );
    if (stopped()) return records;
  }

  if (recordsIn(recent) === 0 && task?.createTime !== undefined && task.createTime < now - DAY_MS) {
    const end = task.createTime + 60_000;
    await perform('url-tasks', `one record of the 24 h ending at task ${task.id}'s creation (none in the last 24 h)`, () =>
      client.urlTasks({ startTime: end - DAY_MS, endTime: end, offset: 0, limit: 1 }),
    );
  }
  return records;
}

// Runs one client call and builds its record from the raw exchange the recorder kept.
async function performCall(operation: OperationName, purpose: string, call: () => Promise<unknown>, recorder: Recorder, settings: CheckSettings): Promise<CallRecord> {
  let thrown: unknown;
  try {
    await call();
  } catch (e) {
    thrown = e;
  }
  const exchange = recorder.take().at(-1);
  const thrownMessage = thrown instanceof Error ? thrown.message : thrown === undefined ? undefined : String(thrown);
  if (!exchange) return { operation, purpose, note: `not sent: ${thrownMessage ?? 'the client made no request'}` };
  const base = { operation, purpose, path: exchange.request.path, query: exchange.request.query };
  const upstream = thrown instanceof GatewayError ? thrown.upstream : undefined;
  const enterpriseProject = settings.enterpriseProjectId !== undefined;
  if (!exchange.response) {
    return { ...base, refusal: { status: 0, message: thrownMessage, hint: refusalHint({ operation, status: 0, enterpriseProject }) } };
  }
  const res = exchange.response;
  const json = parseJson(res.body);
  const fields = json.ok ? readErrorFields(json.value) : undefined;
  const requestId = res.requestId ?? fields?.requestId ?? upstream?.requestId;
  const answered = { ...base, status: res.status, ...(requestId === undefined ? {} : { requestId }) };
  if (res.status >= 200 && res.status < 300 && !fields) {
    const levels = json.ok ? checkBody(operation, json.value) : [{ where: operation, matched: [], absent: [], findings: [{ where: operation, kind: 'not-object' as const, value: res.body.slice(0, 40) }] }];
    return { ...answered, levels, ...(json.ok ? { body: json.value } : {}), ...(thrownMessage === undefined ? {} : { clientError: thrownMessage }) };
  }
  if (operation === 'detail' && fields?.code === UNKNOWN_TASK_CODE && res.status < 300) {
    return { ...answered, note: `the task is unknown to the detail API (${UNKNOWN_TASK_CODE}): it is probably older than the 15 days the detail keeps; nothing to check` };
  }
  // The classify stage redacted the message it kept; the raw one is not shown.
  const message = upstream?.message;
  const refusal: Refusal = {
    status: res.status,
    ...(fields?.code === undefined ? {} : { code: fields.code }),
    ...(message === undefined ? {} : { message }),
    hint: refusalHint({ operation, status: res.status, code: fields?.code, enterpriseProject }),
  };
  return { ...answered, refusal };
}

// The newest task of a historytasks answer, read from the raw body (a numeric id, though against the contract, is still usable).
function firstTask(record: CallRecord): { id: string; createTime?: number } | undefined {
  const tasks = isObject(record.body) ? record.body.tasks : undefined;
  const task: unknown = Array.isArray(tasks) ? tasks[0] : undefined;
  if (!isObject(task) || (typeof task.id !== 'string' && typeof task.id !== 'number')) return undefined;
  return { id: String(task.id), ...(Number.isSafeInteger(task.create_time) ? { createTime: task.create_time as number } : {}) };
}

// Records in a url-tasks answer; undefined when it was not read.
function recordsIn(record: CallRecord): number | undefined {
  const result = isObject(record.body) ? record.body.result : undefined;
  return record.levels ? (Array.isArray(result) ? result.length : 0) : undefined;
}

// Tells whether a value is a plain JSON object.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
