/**
 * Fault injection (DESIGN.md, simulator control API): the configuration, its validation, and
 * the per-request decision, drawn from a seeded generator so that a run can be repeated.
 */
import type { OperationName } from '../cdn/models';
import type { Random } from './prng';
import { OPERATIONS } from './ratelimit';
import type { Validated } from './validation';

/** The whole fault configuration; a PUT replaces it, omitted fields take these defaults. */
export interface FaultConfig {
  /** Delay before each answer. @default 0 */
  readonly latencyMs: number;
  /** Share of calls answered with `errorStatus`. @default 0 */
  readonly errorRate: number;
  /** @default 500 */
  readonly errorStatus: number;
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
}

/** What to do with one call. */
export type FaultAction = 'timeout' | 'reset' | 'error' | 'business' | 'malformed' | 'none';

const RATE_FIELDS = ['errorRate', 'timeoutRate', 'resetRate', 'malformedRate', 'businessErrorRate'] as const;
const KNOWN_FIELDS = new Set<string>([...RATE_FIELDS, 'latencyMs', 'errorStatus', 'businessErrorCode', 'retryAfterSeconds', 'operations', 'rateLimits']);

/** Returns the configuration without faults, with the given rate limits. */
export function defaultFaults(rateLimits: Readonly<Record<OperationName, number>>): FaultConfig {
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
  };
}

/** Validates a `PUT /__sim/faults` body; rate limits left out keep the baseline's. */
export function parseFaultConfig(input: unknown, baseline: Readonly<Record<OperationName, number>>): Validated<FaultConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return refuse(`the fault configuration must be a JSON object, got ${JSON.stringify(input)}`);
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) return refuse(`unknown fault field(s): ${unknown.join(', ')}`);
  const config: Record<string, unknown> = { ...defaultFaults(baseline) };
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
