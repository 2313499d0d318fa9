/**
 * The progress events replicas send each other (docs/architecture.md#subscriptions): what the
 * polling replica saw, as JSON; a failed poll travels as its catalogue code and message, so the
 * other replicas' subscribers get the same error.
 */
import type { TaskModel } from '../../cdn/models';
import { ERROR_CODES, GatewayError, isGatewayError, type ErrorCode, type UpstreamInfo } from '../../errors';
import type { ProgressEvent } from './hub';
import { parseJsonObject } from '../../state/json-object';

type Wire =
  | { readonly kind: 'state'; readonly task: TaskModel }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'error'; readonly code?: ErrorCode; readonly message: string; readonly retryAfterMs?: number; readonly upstream?: UpstreamInfo };

/** Encodes an event for the other replicas. */
export function encodeEvent(event: ProgressEvent): string {
  const wire: Wire =
    event.kind === 'state'
      ? { kind: 'state', task: event.task }
      : event.kind === 'not-found'
        ? { kind: 'not-found' }
        : isGatewayError(event.error)
          ? { kind: 'error', code: event.error.code, message: event.error.message, retryAfterMs: event.error.retryAfterMs, upstream: event.error.upstream }
          : { kind: 'error', message: event.error.message };
  return JSON.stringify(wire);
}

/** Decodes an event another replica sent about task `taskId`; undefined for anything unreadable (another version's format). */
export function decodeEvent(payload: string, taskId: string): ProgressEvent | undefined {
  const v = parseJsonObject(payload);
  if (v === undefined) return undefined;
  if (v.kind === 'not-found') return { kind: 'not-found', taskId };
  if (v.kind === 'state') return isTask(v.task) ? { kind: 'state', task: v.task } : undefined;
  if (v.kind !== 'error' || typeof v.message !== 'string') return undefined;
  if (typeof v.code === 'string' && Object.hasOwn(ERROR_CODES, v.code)) {
    return {
      kind: 'error',
      error: new GatewayError(v.code as ErrorCode, v.message, {
        ...(typeof v.retryAfterMs === 'number' ? { retryAfterMs: v.retryAfterMs } : {}),
        ...(isUpstreamInfo(v.upstream) ? { upstream: v.upstream } : {}),
      }),
    };
  }
  return { kind: 'error', error: new Error(v.message) };
}

// A task model: a string id, and every other field a string, number or null, as the client converts them.
function isTask(value: unknown): value is TaskModel {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  const kinds: Array<[string, 'string' | 'number']> = [
    ['taskType', 'string'],
    ['status', 'string'],
    ['processing', 'number'],
    ['succeeded', 'number'],
    ['failed', 'number'],
    ['total', 'number'],
    ['createTime', 'number'],
    ['fileType', 'string'],
  ];
  return typeof t.id === 'string' && kinds.every(([name, type]) => t[name] === null || typeof t[name] === type);
}

function isUpstreamInfo(value: unknown): value is UpstreamInfo {
  return typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number';
}
