/**
 * Response reshaping for client robustness tests: every response field is optional in Huawei's
 * SDKs and enum values may grow, so a test can drop fields (`omitFields`) or make enum fields
 * carry values the client has never seen (`unknownEnumValues`) on real, successful answers.
 */
import type { OperationName } from '../cdn/models';

/** What a reshaping rule applies to: an operation's answer, or the URLs inside a task detail. */
export type ResponseScope = OperationName | 'detail-urls';

/** Fields by scope: top-level names first, then record fields; the same name may be both (historytasks `total`). */
export const RESPONSE_FIELDS: Readonly<Record<ResponseScope, readonly string[]>> = {
  'url-tasks': ['total', 'count', 'result', 'id', 'url', 'status', 'type', 'task_id', 'modify_time', 'create_time', 'file_type', 'mode'],
  historytasks: ['total', 'tasks', 'id', 'task_type', 'status', 'processing', 'succeed', 'failed', 'create_time', 'file_type'],
  detail: ['id', 'task_type', 'status', 'processing', 'succeed', 'failed', 'total', 'create_time', 'file_type', 'urls'],
  'detail-urls': ['id', 'url', 'status', 'create_time', 'task_id', 'task_type', 'fail_classify', 'fail_desc'],
  refresh: ['refresh_task'],
  preheat: ['preheating_task'],
};

/** Every scope, in a stable order for messages. */
export const RESPONSE_SCOPES = Object.keys(RESPONSE_FIELDS) as ResponseScope[];

/**
 * The value each enum field takes under `unknownEnumValues`, cased like the field's documented
 * values (url-tasks statuses come back upper case, detail URL statuses lower case).
 */
export const UNKNOWN_ENUM_VALUES: Readonly<Partial<Record<ResponseScope, Readonly<Record<string, string>>>>> = {
  'url-tasks': { status: 'QUEUED', type: 'PURGE', file_type: 'archive', mode: 'soft_refresh' },
  historytasks: { status: 'task_queued', task_type: 'purge', file_type: 'archive' },
  detail: { status: 'task_queued', task_type: 'purge', file_type: 'archive' },
  'detail-urls': { status: 'queued', task_type: 'PURGE', fail_classify: 'NETWORK_ERROR' },
};

/** The enum fields `unknownEnumValues: true` changes: the status and type fields. */
export const STATUS_AND_TYPE_FIELDS: Readonly<Partial<Record<ResponseScope, readonly string[]>>> = {
  'url-tasks': ['status', 'type'],
  historytasks: ['status', 'task_type'],
  detail: ['status', 'task_type'],
  'detail-urls': ['status', 'task_type'],
};

/** Field names by scope. */
export type FieldsByScope = Readonly<Partial<Record<ResponseScope, readonly string[]>>>;

/** The two reshaping settings of the fault configuration. */
export interface ReshapeSettings {
  readonly omitFields: FieldsByScope;
  readonly unknownEnumValues: boolean | FieldsByScope;
}

// The key holding an operation's records, with the scope of those records.
const RECORD_LISTS: Readonly<Partial<Record<OperationName, { key: string; scope: ResponseScope }>>> = {
  'url-tasks': { key: 'result', scope: 'url-tasks' },
  historytasks: { key: 'tasks', scope: 'historytasks' },
  detail: { key: 'urls', scope: 'detail-urls' },
};

/** Tells whether any reshaping is configured (the common case has none, and skips the copy). */
export function reshapes(settings: ReshapeSettings): boolean {
  return settings.unknownEnumValues !== false || Object.values(settings.omitFields).some((fields) => fields !== undefined && fields.length > 0);
}

/** Applies the settings to a successful answer body of an operation; error bodies are never passed here. */
export function reshapeBody(operation: OperationName, body: unknown, settings: ReshapeSettings): unknown {
  if (!isRecord(body)) return body;
  const unknown = unknownFieldsOf(settings.unknownEnumValues);
  // The detail body is itself a task record; url-tasks and historytasks bodies only hold a list of records.
  const out = operation === 'detail' ? reshapeRecord(body, 'detail', settings.omitFields, unknown) : { ...body };
  const list = RECORD_LISTS[operation];
  if (list && Array.isArray(out[list.key])) {
    out[list.key] = (out[list.key] as unknown[]).map((r) => (isRecord(r) ? reshapeRecord(r, list.scope, settings.omitFields, unknown) : r));
  }
  if (operation !== 'detail') for (const field of settings.omitFields[operation] ?? []) delete out[field];
  return out;
}

// Returns a reshaped copy of one record.
function reshapeRecord(record: Record<string, unknown>, scope: ResponseScope, omit: FieldsByScope, unknown: FieldsByScope): Record<string, unknown> {
  const out = { ...record };
  for (const field of unknown[scope] ?? []) {
    const value = UNKNOWN_ENUM_VALUES[scope]?.[field];
    // Only fields the record carries change: a succeeded URL stays without fail_classify.
    if (value !== undefined && field in out) out[field] = value;
  }
  for (const field of omit[scope] ?? []) delete out[field];
  return out;
}

// Resolves `unknownEnumValues` to the fields it changes per scope.
function unknownFieldsOf(setting: boolean | FieldsByScope): FieldsByScope {
  if (setting === true) return STATUS_AND_TYPE_FIELDS;
  return setting === false ? {} : setting;
}

// Tells whether a value is a plain JSON object.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
