/**
 * One shared poller per followed task (docs/architecture.md#subscriptions): however many
 * subscribers follow a task, on however many connections, its detail is fetched at most once
 * per poll delay. A poller starts with its first subscriber and stops when the last one leaves,
 * when the task is DONE, or when the upstream does not know the task.
 */
import type { TaskModel } from '../../cdn/models';
import { ensureError } from '../../errors';
import { isFinished, nextPollDelay, progressChanged, type PollSettings } from './change';
import { createEventQueue, type EventQueue } from './queue';

/** What a subscriber receives: a task state, a failed poll (polling carries on), or the end for an unknown task. */
export type ProgressEvent =
  | { readonly kind: 'state'; readonly task: TaskModel }
  | { readonly kind: 'error'; readonly error: Error }
  | { readonly kind: 'not-found'; readonly taskId: string };

/** One poll: the task's summary, or null when the upstream does not know it. */
export type FetchTask = (taskId: string, poll: { readonly caller: string; readonly createTime: number | null; readonly signal: AbortSignal }) => Promise<TaskModel | null>;

/** How one poll ended: a changed or unchanged state, an unknown task, a failed call, or cancelled (its poller stopped meanwhile). */
export type PollOutcome = 'changed' | 'unchanged' | 'not_found' | 'error' | 'cancelled';

/** Timers the hub schedules polls with (tests inject their own). */
export interface HubTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of `createProgressHub`. */
export interface ProgressHubOptions {
  readonly fetch: FetchTask;
  readonly settings: PollSettings;
  /** @default the global timers */
  readonly timers?: HubTimers;
  /** Told how each poll ended (metrics). */
  readonly onPoll?: (outcome: PollOutcome) => void;
}

/** Who follows a task: polls are made as the longest-standing subscriber's caller (fair share applies to it). */
export interface Follower {
  readonly callerId: string;
}

/** The gateway's shared pollers. */
export interface ProgressHub {
  /** Follows a task: the iterator yields its events and ends after DONE or NOT_FOUND; `return()` unsubscribes. */
  follow(taskId: string, follower: Follower): AsyncIterableIterator<ProgressEvent>;
  /** Returns the number of tasks being polled, of their subscribers, and the polls made since the hub started. */
  stats(): { readonly pollers: number; readonly subscribers: number; readonly polls: number };
  /** Stops every poller and ends every subscription. */
  close(): void;
}

interface Subscriber {
  readonly follower: Follower;
  readonly queue: EventQueue<ProgressEvent>;
}

const GLOBAL_TIMERS: HubTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Creates the hub of shared pollers. */
export function createProgressHub(options: ProgressHubOptions): ProgressHub {
  const timers = options.timers ?? GLOBAL_TIMERS;
  const pollers = new Map<string, TaskPoller>();
  let polls = 0;

  // Polls one task for its subscribers.
  class TaskPoller {
    readonly subscribers = new Set<Subscriber>();
    private last: TaskModel | undefined;
    private delayMs: number | undefined;
    private timer: unknown;
    private inFlight: AbortController | undefined;
    private stopped = false;

    constructor(private readonly taskId: string) {}

    add(subscriber: Subscriber): void {
      this.subscribers.add(subscriber);
      // The current state at once: the last one polled (at most one poll delay old), or the first poll's.
      if (this.last) subscriber.queue.push({ kind: 'state', task: this.last });
    }

    remove(subscriber: Subscriber): void {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    }

    stop(): void {
      if (this.stopped) return;
      this.stopped = true;
      if (this.timer !== undefined) timers.clearTimeout(this.timer);
      this.inFlight?.abort();
      if (pollers.get(this.taskId) === this) pollers.delete(this.taskId);
      for (const subscriber of this.subscribers) subscriber.queue.end();
    }

    async poll(): Promise<void> {
      this.timer = undefined;
      const first = this.subscribers.values().next().value;
      if (this.stopped || !first) return;
      const controller = new AbortController();
      this.inFlight = controller;
      polls++;
      let event: ProgressEvent;
      let changed = false;
      try {
        const task = await options.fetch(this.taskId, { caller: first.follower.callerId, createTime: this.last?.createTime ?? null, signal: controller.signal });
        if (task === null) event = { kind: 'not-found', taskId: this.taskId };
        else {
          changed = progressChanged(this.last, task);
          this.last = task;
          event = { kind: 'state', task };
        }
      } catch (err) {
        event = { kind: 'error', error: ensureError(err) };
      } finally {
        this.inFlight = undefined;
      }
      options.onPoll?.(this.stopped ? 'cancelled' : event.kind === 'state' ? (changed ? 'changed' : 'unchanged') : event.kind === 'error' ? 'error' : 'not_found');
      if (this.stopped) return;
      if (event.kind !== 'state' || changed) this.broadcast(event);
      if (event.kind === 'not-found' || (event.kind === 'state' && isFinished(event.task))) return this.stop();
      this.delayMs = nextPollDelay(this.delayMs, changed, options.settings);
      this.timer = timers.setTimeout(() => void this.poll(), this.delayMs);
    }

    private broadcast(event: ProgressEvent): void {
      for (const subscriber of this.subscribers) subscriber.queue.push(event);
    }
  }

  return {
    follow(taskId, follower) {
      let poller = pollers.get(taskId);
      const fresh = poller === undefined;
      if (!poller) {
        poller = new TaskPoller(taskId);
        pollers.set(taskId, poller);
      }
      const owner = poller;
      const subscriber: Subscriber = { follower, queue: createEventQueue<ProgressEvent>(() => owner.remove(subscriber)) };
      owner.add(subscriber);
      if (fresh) void owner.poll();
      return subscriber.queue.iterator;
    },
    stats: () => ({ pollers: pollers.size, subscribers: [...pollers.values()].reduce((n, p) => n + p.subscribers.size, 0), polls }),
    close() {
      for (const poller of [...pollers.values()]) poller.stop();
    },
  };
}
