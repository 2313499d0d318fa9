/**
 * One shared poller per followed task (docs/architecture.md#subscriptions): however many
 * subscribers follow a task, on however many connections and replicas, its detail is fetched at
 * most once per poll delay. Within the process one poller per task serves every subscriber;
 * across replicas (`PollerCoordination`, Redis) the replica holding the task's lease polls and
 * publishes each new state, and the others pass it to their subscribers and take the lease over
 * when it is given up or runs out. A poller starts with its first subscriber and stops when the
 * last one leaves, when the task is DONE, or when the upstream does not know the task.
 */
import type { TaskModel } from '../../cdn/models';
import { ensureError } from '../../errors';
import { soloPollers } from '../../state/memory';
import type { PolledState, PollerCoordination, PollerNotice } from '../../state/types';
import { isFinished, leaseMs, nextPollDelay, progressChanged, type PollSettings } from './change';
import { createEventQueue, type EventQueue } from './queue';
import { decodeEvent, encodeEvent } from './wire';

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
  /** Shares each task's polling with the other replicas (src/state: memory or Redis). @default this replica polls every task it follows */
  readonly coordination?: PollerCoordination;
  /** Longest one poll may take (REQUEST_TIMEOUT_MS): the lease a poll holds covers it. @default 15000 */
  readonly pollTimeoutMs?: number;
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
  /** Stops every poller and ends every subscription; resolves once the leases this replica held are given up. */
  close(): Promise<void>;
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
  const coordination = options.coordination ?? soloPollers();
  const pollTimeoutMs = options.pollTimeoutMs ?? 15_000;
  const pollers = new Map<string, TaskPoller>();
  // Lease releases under way, which close() waits for.
  const releasing = new Set<Promise<void>>();
  let polls = 0;

  const release = (taskId: string): void => {
    const done: Promise<void> = coordination
      .release(taskId)
      .catch(() => undefined)
      .finally(() => releasing.delete(done));
    releasing.add(done);
  };

  // Follows one task for its subscribers: polls it while this replica holds its lease, else passes on what the holder publishes.
  class TaskPoller {
    readonly subscribers = new Set<Subscriber>();
    private last: TaskModel | undefined;
    /** Version of the last state shared between replicas that this poller saw. */
    private version = 0;
    private delayMs: number | undefined;
    private timer: unknown;
    private inFlight: AbortController | undefined;
    /** This replica polls the task (its lease, or no store to share it through). */
    private holding = false;
    /** A state from the holder changed something since the last turn. */
    private heard = false;
    private stopped = false;
    private readonly unlisten: () => void;

    constructor(private readonly taskId: string) {
      this.unlisten = coordination.listen(taskId, (notice) => this.hear(notice));
    }

    add(subscriber: Subscriber): void {
      this.subscribers.add(subscriber);
      // The current state at once: the last one polled or heard (at most one poll delay old), or the first turn's.
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
      this.timer = undefined;
      this.inFlight?.abort();
      this.unlisten();
      if (pollers.get(this.taskId) === this) pollers.delete(this.taskId);
      // Other replicas' subscribers may still follow the task: hand it over now, not when the lease runs out.
      if (this.holding) release(this.taskId);
      for (const subscriber of this.subscribers) subscriber.queue.end();
    }

    // One turn: take or renew the lease and poll, or pass on the holder's latest state; then wait for the next turn.
    async turn(): Promise<void> {
      this.timer = undefined;
      if (this.stopped || this.subscribers.size === 0) return;
      const claim = await coordination.claim(this.taskId, leaseMs(pollTimeoutMs, options.settings));
      if (this.stopped) {
        if (claim.mine) release(this.taskId);
        return;
      }
      this.holding = claim.mine;
      let changed: boolean;
      if (claim.mine) changed = await this.poll();
      else changed = claim.latest ? this.pass(claim.latest) : false;
      changed ||= this.heard;
      this.heard = false;
      if (this.stopped) return;
      this.delayMs = nextPollDelay(this.delayMs, changed, options.settings);
      // The lease (and the state kept with it) now covers the wait for the next poll.
      if (this.holding) void coordination.claim(this.taskId, leaseMs(this.delayMs, options.settings)).catch(() => undefined);
      this.timer = timers.setTimeout(() => void this.turn(), this.delayMs);
    }

    // Polls the upstream; sends a change, a failure or the end to every subscriber here and to the other replicas. Tells whether the state changed.
    private async poll(): Promise<boolean> {
      const first = this.subscribers.values().next().value;
      if (!first) return false;
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
      if (this.stopped) return false;
      if (event.kind !== 'state' || changed) {
        this.broadcast(event);
        // A state is kept as long as the poll's lease (the renewal after this turn extends both); a failure only as news.
        void coordination
          .publish(this.taskId, encodeEvent(event), event.kind === 'error' ? 0 : leaseMs(pollTimeoutMs, options.settings))
          .then((version) => {
            this.version = Math.max(this.version, version);
          })
          .catch(() => undefined);
      }
      if (event.kind === 'not-found' || (event.kind === 'state' && isFinished(event.task))) this.stop();
      return changed;
    }

    // Passes on what the holder published to the subscribers here; tells whether the state changed.
    private pass(state: PolledState): boolean {
      if (this.stopped || state.version <= this.version) return false;
      this.version = state.version;
      const event = decodeEvent(state.payload, this.taskId);
      if (!event) return false;
      if (event.kind === 'state') {
        const changed = progressChanged(this.last, event.task);
        this.last = event.task;
        if (changed) this.broadcast(event);
        if (isFinished(event.task)) this.stop();
        return changed;
      }
      this.broadcast(event);
      if (event.kind === 'not-found') this.stop();
      return false;
    }

    // What another replica published: a state for the subscribers here, or that its holder let go (take over now).
    private hear(notice: PollerNotice): void {
      if (this.stopped) return;
      if (notice.kind === 'released') {
        if (!this.holding && this.timer !== undefined) {
          timers.clearTimeout(this.timer);
          this.timer = timers.setTimeout(() => void this.turn(), 0);
        }
        return;
      }
      if (this.pass(notice)) this.heard = true;
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
      if (fresh) void owner.turn();
      return subscriber.queue.iterator;
    },
    stats: () => ({ pollers: pollers.size, subscribers: [...pollers.values()].reduce((n, p) => n + p.subscribers.size, 0), polls }),
    async close() {
      for (const poller of [...pollers.values()]) poller.stop();
      await Promise.all([...releasing]);
    },
  };
}
