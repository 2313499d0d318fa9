/**
 * The arithmetic of following a task (docs/architecture.md#subscriptions): whether a new
 * state is worth an event, whether it is the last, and how long to wait before the next poll.
 */
import type { TaskModel } from '../../cdn/models';
import { toTaskStatus } from '../enums';

/** How often a followed task is polled. */
export interface PollSettings {
  /** The delay after a poll that saw a change (and after the first), ms (PROGRESS_POLL_MS). */
  readonly intervalMs: number;
  /** The longest delay, reached by doubling while nothing changes, ms (PROGRESS_POLL_MAX_MS). */
  readonly maxIntervalMs: number;
}

/** Tells whether `next` differs from `previous` in what subscribers see change: status or counts. */
export function progressChanged(previous: TaskModel | undefined, next: TaskModel): boolean {
  if (previous === undefined) return true;
  return (
    previous.status !== next.status ||
    previous.processing !== next.processing ||
    previous.succeeded !== next.succeeded ||
    previous.failed !== next.failed ||
    previous.total !== next.total
  );
}

/** Tells whether a task state is final: its status is DONE, so no later event can follow. */
export function isFinished(task: TaskModel): boolean {
  return toTaskStatus(task.status) === 'DONE';
}

/**
 * Returns the delay before the next poll: the base interval after a change, otherwise the
 * previous delay doubled, never above the maximum (a task that changes slowly costs less).
 */
export function nextPollDelay(previousMs: number | undefined, changed: boolean, settings: PollSettings): number {
  if (changed || previousMs === undefined) return settings.intervalMs;
  return Math.min(settings.maxIntervalMs, Math.max(settings.intervalMs, previousMs * 2));
}

/**
 * Returns how long a task's lease is taken for to cover `coverMs` of polling or waiting: that,
 * plus a margin for the holder running late (the poll interval, at least a second). Another
 * replica takes the task over only once the lease has run out.
 */
export function leaseMs(coverMs: number, settings: PollSettings): number {
  return coverMs + Math.max(settings.intervalMs, 1000);
}
