/**
 * Fault injection (the simulator control API): the configuration, its validation, and the
 * per-request decision, drawn from a seeded generator so that a run can be repeated. Besides
 * random faults it holds account modes (enterprise projects, url-tasks not enabled) and
 * response reshaping (omitted fields, unknown enum values).
 */
import type { OperationName } from '../cdn/models';
import type { Random } from './prng';
import { OPERATIONS } from './ratelimit';
import { RESPONSE_FIELDS, RESPONSE_SCOPES, UNKNOWN_ENUM_VALUES, type FieldsByScope, type ResponseScope } from './reshape';
import type { Validated } from './validation';

/** The whole fault configuration; a PUT replaces it, omitted fields take these defaults. */
export interface FaultConfig {
  /** Delay before each answer. @default 0 */
  readonly latencyMs: number;
  /** Share of calls answered with `errorStatus`. @default 0 */
  readonly errorRate: number;
  /** @default 500 */
  readonly errorStatus: number;
  /** `error_code` of the injected `errorStatus` answers, any text (to test how clients treat odd codes). @default Huawei's code for the status */
  readonly errorCode?: string;
  /** `error_msg` of the injected error and business-error answers. @default a message naming the fault */
  readonly errorMessage?: string;
  /** Share of calls never answered (the socket is held until the client gives up). @default 0 */
  readonly timeoutRate: number;
  /** Share of calls whose socket is destroyed without an answer. @default 0 */
  readonly resetRate: number;
  /** Share of calls answered 200 with truncated JSON. @default 0 */
  readonly malformedRate: number;
  /** Share of calls answered 200 with `{"error": {...}}`. @default 0 */
  readonly businessErrorRate: number;
  /** @default "CDN.0005" */
  readonly businessErrorCode: string;
  /** Sent as `Retry-After` on every 429 (injected or real) when set. */
  readonly retryAfterSeconds?: number;
  /** Operations the faults (not the rate limits) apply to; all when absent. */
  readonly operations?: readonly OperationName[];
  /** Calls per second per tenant; 0 = unlimited. */
  readonly rateLimits: Readonly<Record<OperationName, number>>;
  /** historytasks, detail and the creates refuse calls without `enterprise_project_id`. @default the start option, false */
  readonly enterpriseProjectRequired: boolean;
  /** Every url-tasks call is refused, as on an account that has not had the API enabled. @default false */
  readonly urlTasksDisabled: boolean;
  /** Fields removed from successful answers, by scope (an operation, or `detail-urls`). @default {} */
  readonly omitFields: FieldsByScope;
  /** `true`: status and type fields carry values no client knows; or the enum fields to change, by scope. @default false */
  readonly unknownEnumValues: boolean | FieldsByScope;
}

/** What a fault configuration falls back to besides rate limits: the start options' modes. */
export interface FaultBaseline {
  readonly enterpriseProjectRequired?: boolean;
}

/** What to do with one call. */
export type FaultAction = 'timeout' | 'reset' | 'error' | 'business' | 'malformed' | 'none';

// Longest injected error_code or error_msg: room for hostile values, not for megabytes.
const MAX_INJECTED_TEXT = 65536;
const RATE_FIELDS = ['errorRate', 'timeoutRate', 'resetRate', 'malformedRate', 'businessErrorRate'] as const;
const SWITCH_FIELDS = ['enterpriseProjectRequired', 'urlTasksDisabled'] as const;
const KNOWN_FIELDS = new Set<string>([
  ...RATE_FIELDS,
  ...SWITCH_FIELDS,
  'latencyMs',
  'errorStatus',
  'errorCode',
  'errorMessage',
  'businessErrorCode',
  'retryAfterSeconds',
  'operations',
  'rateLimits',
  'omitFields',
  'unknownEnumValues',
]);

/** Returns the configuration without faults, with the given rate limits and the baseline's modes. */
export function defaultFaults(rateLimits: Readonly<Record<OperationName, number>>, baseline: FaultBaseline = {}): FaultConfig {
  return {
    latencyMs: 0,
    errorRate: 0,
    errorStatus: 500,
    timeoutRate: 0,
    resetRate: 0,
    malformedRate: 0,
    businessErrorRate: 0,
    businessErrorCode: 'CDN.0005',
    rateLimits: { ...rateLimits },
    enterpriseProjectRequired: baseline.enterpriseProjectRequired ?? false,
    urlTasksDisabled: false,
    omitFields: {},
    unknownEnumValues: false,
  };
}

/** Validates a `PUT /__sim/faults` body; rate limits left out keep the baseline's. */
export function parseFaultConfig(input: unknown, baseline: Readonly<Record<OperationName, number>>, modes: FaultBaseline = {}): Validated<FaultConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return refuse(`the fault configuration must be a JSON object, got ${JSON.stringify(input)}`);
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) return refuse(`unknown fault field(s): ${unknown.join(', ')}`);
  const config: Record<string, unknown> = { ...defaultFaults(baseline, modes) };
  for (const field of SWITCH_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return refuse(`${field} must be true or false, got ${JSON.stringify(value)}`);
    config[field] = value;
  }
  if (body.omitFields !== undefined) {
    const omit = fieldsByScope(body.omitFields, 'omitFields', RESPONSE_FIELDS);
    if (!omit.ok) return omit;
    config.omitFields = omit.value;
  }
  if (body.unknownEnumValues !== undefined && body.unknownEnumValues !== false) {
    const value = body.unknownEnumValues;
    if (value === true) config.unknownEnumValues = true;
    else {
      const enums = fieldsByScope(value, 'unknownEnumValues', enumFieldsByScope());
      if (!enums.ok) return refuse(`${enums.message} (or true for every status and type field)`);
      config.unknownEnumValues = enums.value;
    }
  }
  for (const field of RATE_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) return refuse(`${field} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
    config[field] = value;
  }
  if (body.latencyMs !== undefined) {
    if (!isCount(body.latencyMs)) return refuse(`latencyMs must be a non-negative integer, got ${JSON.stringify(body.latencyMs)}`);
    config.latencyMs = body.latencyMs;
  }
  if (body.errorStatus !== undefined) {
    if (!isCount(body.errorStatus) || body.errorStatus < 400 || body.errorStatus > 599) {
      return refuse(`errorStatus must be an HTTP error status from 400 to 599, got ${JSON.stringify(body.errorStatus)}`);
    }
    config.errorStatus = body.errorStatus;
  }
  for (const field of ['errorCode', 'errorMessage'] as const) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '' || value.length > MAX_INJECTED_TEXT) {
      return refuse(`${field} must be a non-empty string of at most ${MAX_INJECTED_TEXT} characters, got ${JSON.stringify(value).slice(0, 80)}`);
    }
    config[field] = value;
  }
  if (body.businessErrorCode !== undefined) {
    if (typeof body.businessErrorCode !== 'string' || body.businessErrorCode === '') return refuse(`businessErrorCode must be a non-empty string, got ${JSON.stringify(body.businessErrorCode)}`);
    config.businessErrorCode = body.businessErrorCode;
  }
  if (body.retryAfterSeconds !== undefined) {
    if (!isCount(body.retryAfterSeconds)) return refuse(`retryAfterSeconds must be a non-negative integer, got ${JSON.stringify(body.retryAfterSeconds)}`);
    config.retryAfterSeconds = body.retryAfterSeconds;
  }
  if (body.operations !== undefined) {
    const ops = body.operations;
    if (!Array.isArray(ops) || !ops.every(isOperation)) return refuse(`operations must be an array of ${OPERATIONS.join(', ')}, got ${JSON.stringify(ops)}`);
    config.operations = [...new Set(ops)];
  }
  if (body.rateLimits !== undefined) {
    const limits = body.rateLimits;
    if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return refuse(`rateLimits must be an object of calls per second by operation, got ${JSON.stringify(limits)}`);
    const merged: Record<string, number> = { ...baseline };
    for (const [op, value] of Object.entries(limits)) {
      if (!isOperation(op)) return refuse(`rateLimits has an unknown operation ${JSON.stringify(op)}; operations are ${OPERATIONS.join(', ')}`);
      if (!isCount(value)) return refuse(`rateLimits.${op} must be a non-negative integer (0 = unlimited), got ${JSON.stringify(value)}`);
      merged[op] = value;
    }
    config.rateLimits = merged;
  }
  return { ok: true, value: config as unknown as FaultConfig };
}

/** Tells whether the faults apply to an operation. */
export function faultsApplyTo(config: FaultConfig, operation: OperationName): boolean {
  return config.operations === undefined || config.operations.includes(operation);
}

/** Decides a call's fault; draws only for rates above zero, so unrelated settings do not shift the sequence. */
export function drawFault(config: FaultConfig, random: Random): FaultAction {
  const hit = (rate: number): boolean => rate > 0 && random() < rate;
  if (hit(config.timeoutRate)) return 'timeout';
  if (hit(config.resetRate)) return 'reset';
  if (hit(config.errorRate)) return 'error';
  if (hit(config.businessErrorRate)) return 'business';
  if (hit(config.malformedRate)) return 'malformed';
  return 'none';
}

// Validates `{scope: [field, ...]}` against the fields each scope may name.
function fieldsByScope(value: unknown, name: string, allowed: Readonly<Partial<Record<ResponseScope, readonly string[]>>>): Validated<FieldsByScope> {
  const scopes = RESPONSE_SCOPES.filter((scope) => allowed[scope] !== undefined);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(`${name} must be an object of field names by ${scopes.join(', ')}, got ${JSON.stringify(value)}`);
  const out: Partial<Record<ResponseScope, readonly string[]>> = {};
  for (const [scope, fields] of Object.entries(value)) {
    const known = allowed[scope as ResponseScope];
    if (known === undefined) return refuse(`${name} has an unknown key ${JSON.stringify(scope)}; keys are ${scopes.join(', ')}`);
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string' && known.includes(f))) {
      return refuse(`${name}.${scope} must be an array of ${known.join(', ')}, got ${JSON.stringify(fields)}`);
    }
    out[scope as ResponseScope] = [...new Set(fields as string[])];
  }
  return { ok: true, value: out };
}

// The enum fields each scope has, for `unknownEnumValues` objects.
function enumFieldsByScope(): Partial<Record<ResponseScope, readonly string[]>> {
  return Object.fromEntries(Object.entries(UNKNOWN_ENUM_VALUES).map(([scope, values]) => [scope, Object.keys(values ?? {})]));
}

// Returns a refusal.
function refuse(message: string): Validated<never> {
  return { ok: false, message };
}

// Tells whether a value is a non-negative integer.
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

// Tells whether a value names an operation.
function isOperation(value: unknown): value is OperationName {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}
