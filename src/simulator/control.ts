/**
 * The control API: unsigned, loopback only, plain JSON. Tests, benchmarks and
 * demos use it to reset the data, insert and change records, inject faults and read stats.
 */
import { parseFaultConfig } from './faults';
import { URL_STATUSES, type FileType, type RecordType, type UrlStatus } from './model';
import { toUrlTaskWire } from './render';
import type { SimulatorState } from './state';

/** A control API answer. */
export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

const MAX_INSERT = 10_000;
const MAX_RECORDS = 2_000_000;

/** Tells whether a remote address is a loopback one (the only callers the control API serves). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address));
}

/** Answers a control API call; `path` is the raw path starting with `/__sim`. */
export function handleControl(state: SimulatorState, method: string, path: string, body: string): ControlAnswer {
  const parsed = parseBody(body);
  if (parsed === INVALID) return fail(400, 'the request body must be JSON');
  const route = `${method} ${path.replace(/^\/__sim\/url-tasks\/[^/]+$/, '/__sim/url-tasks/{id}')}`;
  switch (route) {
    case 'GET /__sim/stats':
      return ok(state.counter.snapshot(state.limiter.peaks()));
    case 'GET /__sim/requests':
      return ok({ requests: state.requestLog.list() });
    case 'GET /__sim/arrivals':
      return ok({ arrivals: state.arrivals.list() });
    case 'POST /__sim/reset':
      return reset(state, parsed);
    case 'POST /__sim/url-tasks':
      return insert(state, parsed);
    case 'PATCH /__sim/url-tasks/{id}':
      return patch(state, path.slice('/__sim/url-tasks/'.length), parsed);
    case 'GET /__sim/faults':
      return ok(state.faults);
    case 'PUT /__sim/faults': {
      const config = parseFaultConfig(parsed ?? {}, state.settings.rateLimits, { enterpriseProjectRequired: state.settings.enterpriseProjectRequired });
      if (!config.ok) return fail(400, config.message);
      state.setFaults(config.value);
      return ok(state.faults);
    }
    case 'DELETE /__sim/faults':
      state.setFaults(state.defaultFaults());
      return ok(state.faults);
    default:
      return fail(404, `no control route ${method} ${path}`);
  }
}

// POST /__sim/reset {seed?, records?, now?}
function reset(state: SimulatorState, body: unknown): ControlAnswer {
  const input = asObject(body ?? {});
  if (!input) return fail(400, 'the reset body must be a JSON object {seed?, records?, now?}');
  const seed = input.seed;
  const records = input.records;
  const now = input.now;
  if (seed !== undefined && !Number.isSafeInteger(seed)) return fail(400, `seed must be an integer, got ${JSON.stringify(seed)}`);
  if (records !== undefined && !(isCount(records) && records <= MAX_RECORDS)) return fail(400, `records must be an integer from 0 to ${MAX_RECORDS}, got ${JSON.stringify(records)}`);
  if (now !== undefined && !isCount(now)) return fail(400, `now must be a time in epoch milliseconds, got ${JSON.stringify(now)}`);
  return ok(state.reset({ seed: seed as number | undefined, records: records as number | undefined, now: now as number | undefined }));
}

// POST /__sim/url-tasks {count, type?, status?, fileType?, createTime?}: one new task holding `count` newest records.
function insert(state: SimulatorState, body: unknown): ControlAnswer {
  const input = asObject(body);
  if (!input) return fail(400, 'the body must be a JSON object {count, type?, status?, fileType?, createTime?}');
  const { count, createTime } = input;
  if (!(isCount(count) && count >= 1 && count <= MAX_INSERT)) return fail(400, `count must be an integer from 1 to ${MAX_INSERT}, got ${JSON.stringify(count)}`);
  if (createTime !== undefined && !isCount(createTime)) return fail(400, `createTime must be a time in epoch milliseconds, got ${JSON.stringify(createTime)}`);
  const type = enumOf<RecordType>(input.type, ['REFRESH', 'PREHEATING']);
  if (type === null) return fail(400, `type must be REFRESH or PREHEATING, got ${JSON.stringify(input.type)}`);
  const status = enumOf<UrlStatus>(input.status, URL_STATUSES);
  if (status === null) return fail(400, `status must be one of ${URL_STATUSES.join(', ')}, got ${JSON.stringify(input.status)}`);
  const fileType = enumOf<FileType>(input.fileType, ['file', 'directory']);
  if (fileType === null) return fail(400, `fileType must be file or directory, got ${JSON.stringify(input.fileType)}`);
  const now = state.settings.clock();
  const at = isCount(createTime) ? createTime : now;
  const directory = fileType === 'directory';
  const urls = Array.from({ length: count }, (_, i) => `https://inserted.simulator.example/${at}/${i}${directory ? '/' : '.html'}`);
  const task = state.store.addTask({
    type: type ?? 'REFRESH',
    fileType: fileType ?? 'file',
    ...(directory ? { mode: 'all' as const } : {}),
    urls,
    createTime: at,
    transitionMs: state.settings.transitionMs,
    ...(status ? { fixedStatus: status } : {}),
  });
  return ok({ result: task.records.slice().reverse().map((r) => toUrlTaskWire(r, now)) });
}

// PATCH /__sim/url-tasks/{id} {status}
function patch(state: SimulatorState, rawId: string, body: unknown): ControlAnswer {
  const status = enumOf<UrlStatus>(asObject(body)?.status, URL_STATUSES);
  if (!status) return fail(400, `status must be one of ${URL_STATUSES.join(', ')}, got ${JSON.stringify(asObject(body)?.status)}`);
  const now = state.settings.clock();
  const record = /^\d{1,15}$/.test(rawId) ? state.store.patchRecord(Number(rawId), status, now) : undefined;
  if (!record) return fail(404, `no url record with id ${rawId}`);
  return ok(toUrlTaskWire(record, now));
}

const INVALID = Symbol('invalid');

// Parses a JSON body; an empty body is `undefined`.
function parseBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return INVALID;
  }
}

// Returns a JSON object, or undefined for anything else.
function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

// Reads an optional enum in any case: undefined when absent, null when not one of the values.
function enumOf<T extends string>(value: unknown, values: readonly T[]): T | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return null;
  return values.find((v) => v.toLowerCase() === value.toLowerCase()) ?? null;
}

// Tells whether a value is a non-negative safe integer.
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// Builds a 200 answer.
function ok(body: unknown): ControlAnswer {
  return { status: 200, body };
}

// Builds an error answer `{error}`.
function fail(status: number, message: string): ControlAnswer {
  return { status, body: { error: message } };
}
