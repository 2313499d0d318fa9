/**
 * The response contract of each endpoint, derived from the fixtures: the fields a record may
 * carry and their JSON kinds (`response.fields`), and the documented enum values with their
 * casing (the request enums, plus what the fixtures' notes add for responses).
 */
import { enumOf, fieldsAt, FIXTURES, type FieldKind } from './fixtures';

/** The contract of one level of a body: its fields' kinds and the allowed values of its enum fields. */
export interface LevelContract {
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly enums: Readonly<Record<string, readonly string[]>>;
}

/** The response contract of one endpoint: the top level and, for lists, the records under `list`. */
export interface BodyContract {
  readonly top: LevelContract;
  readonly list?: { readonly key: string; readonly records: LevelContract };
}

const url = FIXTURES['url-tasks'];
const history = FIXTURES.historytasks;
const detail = FIXTURES.detail;
const taskEnums = { task_type: enumOf(history, 'task_type'), status: enumOf(history, 'status'), file_type: enumOf(history, 'file_type') };

/** The response contracts by operation name. */
export const CONTRACTS: Readonly<Record<keyof typeof FIXTURES, BodyContract>> = {
  'url-tasks': {
    top: { fields: fieldsAt(url, ''), enums: {} },
    list: {
      key: 'result',
      records: {
        fields: fieldsAt(url, 'result[]'),
        enums: {
          // Upper case as the API reference example and the fixture body show (url-tasks.json _notes).
          status: enumOf(url, 'status').map((s) => s.toUpperCase()),
          type: enumOf(url, 'task_type'),
          file_type: enumOf(url, 'file_type'),
          mode: enumOf(FIXTURES.refresh, 'refresh_task.mode'),
        },
      },
    },
  },
  historytasks: {
    top: { fields: fieldsAt(history, ''), enums: {} },
    list: { key: 'tasks', records: { fields: fieldsAt(history, 'tasks[]'), enums: taskEnums } },
  },
  detail: {
    top: { fields: fieldsAt(detail, ''), enums: taskEnums },
    list: {
      key: 'urls',
      records: {
        fields: fieldsAt(detail, 'urls[]'),
        enums: {
          status: enumOf(detail, 'status'),
          // Upper case, and REFRESH_AFTER_PREHEATING besides the two task types (task-detail.json _notes).
          task_type: [...enumOf(url, 'task_type'), 'REFRESH_AFTER_PREHEATING'],
          fail_classify: ['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR'],
        },
      },
    },
  },
  refresh: { top: { fields: fieldsAt(FIXTURES.refresh, ''), enums: {} } },
  preheat: { top: { fields: fieldsAt(FIXTURES.preheat, ''), enums: {} } },
};

/** Lists how a 200 body breaks its operation's contract; empty when it keeps it. */
export function contractViolations(operation: keyof typeof CONTRACTS, body: unknown): string[] {
  const contract = CONTRACTS[operation];
  if (!isObject(body)) return [`${operation}: body is not an object`];
  const out = levelViolations(`${operation}`, contract.top, body);
  if (contract.list) {
    const records = body[contract.list.key];
    if (Array.isArray(records)) {
      records.forEach((record, i) => {
        const where = `${operation}.${contract.list!.key}[${i}]`;
        if (isObject(record)) out.push(...levelViolations(where, contract.list!.records, record));
        else out.push(`${where}: not an object`);
      });
    }
  }
  return out;
}

// Checks one level: no field the model lacks, each field of its kind, enum values in the documented set.
function levelViolations(where: string, contract: LevelContract, value: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [name, field] of Object.entries(value)) {
    const kind = contract.fields[name];
    if (kind === undefined) out.push(`${where}.${name}: not a field of the model`);
    else if (!hasKind(field, kind)) out.push(`${where}.${name}: ${JSON.stringify(field)} is not ${kind}`);
    const allowed = contract.enums[name];
    if (allowed && typeof field === 'string' && !allowed.includes(field)) out.push(`${where}.${name}: ${JSON.stringify(field)} not in ${allowed.join('|')}`);
  }
  return out;
}

// Tells whether a JSON value has a model kind (null never does: the SDK omits absent fields).
function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'int':
      return Number.isSafeInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
  }
}

// Tells whether a value is a plain JSON object.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
