/**
 * Stage: queues each attempt until the operation's quota has room, instead of sending it into
 * a 429. At most `limit` attempts of an operation start in any window of `windowMs` (one
 * second plus a margin for network jitter), across replicas when the limiter store is shared.
 * It runs inside retry, so retries spend quota too.
 *
 * Fairness (docs/architecture.md, Fairness): each waiting attempt books one slot in the store,
 * but which waiting attempt gets which booked slot is decided in this process, round-robin
 * between callers (src/cdn/fair-share.ts): one caller's backlog delays another caller's attempt
 * by at most one slot per other waiting caller. One request holds at most `maxQueuedPerRequest`
 * booked slots per operation (never more than one window's worth), and one caller over all its
 * requests at most `maxQueuedPerCaller` (never more than two windows' worth); further attempts
 * wait unbooked until one of their own starts. With a store shared by replicas, one caller also holds
 * at most `maxQueuedPerCallerShared` booked slots not yet due over every replica; its further
 * attempts wait unbooked until the earliest of them comes due. An attempt that leaves (its client went away, its
 * deadline passed) gives its slot back at once: the latest booked slot is released in the store
 * and the others move up. An attempt whose slot lies past its deadline fails at once with
 * `UPSTREAM_RATE_LIMITED` and the wait as `retryAfterMs`.
 *
 * With `adaptation`, the store holds an operation below its limit while the upstream throttles
 * calls the limiter let through (src/state/adaptive-rate.ts; the throttle-feedback stage reports them).
 */
import { GatewayError, LimiterRejectionError } from '../../errors';
import { waitAllowed } from '../../state/sliding-window';
import type { RateAdaptation } from '../../state/adaptive-rate';
import type { Booking, CallerShare, RateLimiterStore } from '../../state/types';
import { classifyFailure, OPERATION_LABELS } from '../classify';
import { assignSlots, compareTagged, dueUntil, fairOrder, nextTag, perCallerCap, perRequestCap, slotsAhead, tagFloor, type Tagged } from '../fair-share';
import type { OperationName } from '../models';
import type { Stage, UpstreamRequest } from '../pipeline';
import { sleep } from '../sleep';
import { noteQuotaWait } from './trace';

/** The caller of attempts that name none (the bare client, probes): they share one turn. */
export const UNNAMED_CALLER = 'unnamed';

/** Options of the rate-limit stage. */
export interface RateLimitStageOptions {
  readonly limiter: RateLimiterStore;
  /** Attempts per window by operation; 0 or absent = unlimited. */
  readonly limits: Readonly<Partial<Record<OperationName, number>>>;
  /** Lets the store lower each limit after upstream throttling (absent: the limits as configured). */
  readonly adaptation?: RateAdaptation;
  /** The window the limits apply to: one second plus a margin for jitter between here and the upstream. @default 1200 */
  readonly windowMs?: number;
  /** Least time an attempt must have left after its wait to be worth sending. @default 50 */
  readonly minRunMs?: number;
  /** Most attempts of one request holding booked slots of one operation (capped by the operation's limit). @default 20 */
  readonly maxQueuedPerRequest?: number;
  /** Most attempts of one caller, over all its requests, holding booked slots of one operation (capped by two windows' worth). @default 40 */
  readonly maxQueuedPerCaller?: number;
  /**
   * Most booked slots not yet due that one caller holds per operation over every replica sharing
   * the limiter store (a store of one replica ignores it); 0 = no cap across replicas. @default 1
   */
  readonly maxQueuedPerCallerShared?: number;
  readonly now: () => number;
  /** Called when an attempt must wait for a slot (`waitMs` > 0: its slot when it asked), before it waits. */
  readonly onQueued?: (req: UpstreamRequest, waitMs: number) => void;
  /** Called when an admitted attempt starts, or leaves the queue, with the `waitMs` of `onQueued` (0 when it did not wait). */
  readonly onDequeued?: (req: UpstreamRequest, waitMs: number) => void;
  /** Called when an attempt is refused because its slot lies past its deadline. */
  readonly onRejected?: (req: UpstreamRequest, waitMs: number) => void;
  /** Called when an attempt starts, with how many slots of its operation other attempts were served between its asking and its start. */
  readonly onStarted?: (req: UpstreamRequest, slotsAhead: number) => void;
}

// A booked start: `at` on this process's clock, `start` as the store recorded it (for release).
interface Slot {
  readonly at: number;
  readonly start: number | undefined;
  /** The caller it was booked for in the store's caller shares (released with it); absent without them. */
  readonly owner: string | undefined;
  /** Its time has come (its timer fired), whatever the clock says. */
  due: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

// An attempt holding a booked slot while it waits for its turn.
interface Waiter extends Tagged {
  readonly req: UpstreamRequest;
  readonly caller: string;
  /** Slots served when it joined the queue (after booking). */
  askedAt: number;
  /** Remaining time when it asked (for the refusal message). */
  readonly remainingMs: number;
  slot?: Slot;
  /** The wait reported to onQueued; undefined when it never waited. */
  queuedMs?: number;
  settled: boolean;
  resolve(): void;
  reject(error: unknown): void;
  detach(): void;
}

// One request's share of an operation: its attempts holding slots, and those waiting for one of them to start.
interface Share {
  held: number;
  readonly overflow: Array<() => void>;
}

// The waiting attempts of one operation in this process.
interface OpQueue {
  readonly operation: OperationName;
  readonly limit: number;
  /** The limit of the latest booking: `limit`, or lower while the store's adapted rate is. */
  applied: number;
  readonly waiting: Set<Waiter>;
  readonly slots: Slot[];
  /** The tag of the last attempt that started. */
  virtualTime: number;
  /** Slots handed out so far. */
  served: number;
  seq: number;
  readonly lastTag: Map<string, number>;
  readonly callerWaiting: Map<string, number>;
  readonly shares: Map<string, Share>;
}

/** Creates the rate-limit stage; src/cdn/upstream.ts places it inside retry. */
export function rateLimitStage(options: RateLimitStageOptions): Stage {
  const { limiter, limits, now } = options;
  const windowMs = options.windowMs ?? 1200;
  const minRunMs = options.minRunMs ?? 50;
  const maxQueued = options.maxQueuedPerRequest ?? 20;
  const maxQueuedPerCaller = options.maxQueuedPerCaller ?? 40;
  const sharedCap = options.maxQueuedPerCallerShared ?? 1;
  // The caller's share of the store's future slots, across replicas (none when the cap is off).
  const shareOf = (caller: string): CallerShare | undefined => (sharedCap > 0 ? { caller, cap: sharedCap } : undefined);
  const queues = new Map<OperationName, OpQueue>();
  let unnamedCalls = 0;

  const queueOf = (operation: OperationName, limit: number): OpQueue => {
    let q = queues.get(operation);
    if (!q) {
      q = { operation, limit, applied: limit, waiting: new Set(), slots: [], virtualTime: 0, served: 0, seq: 0, lastTag: new Map(), callerWaiting: new Map(), shares: new Map() };
      queues.set(operation, q);
    }
    return q;
  };
  const budget = (req: UpstreamRequest): number => req.deadline - now() - minRunMs;

  const addSlot = (q: OpQueue, at: number, start: number | undefined, owner: string | undefined): void => {
    const slot: Slot = { at, start, owner, due: false };
    const ms = at - now();
    if (ms > 0) {
      // A timer per slot, not per attempt: attempts move between slots, a slot's time does not.
      slot.timer = setTimeout(() => {
        slot.due = true;
        schedule(q);
      }, ms);
    }
    q.slots.push(slot);
  };
  const removeSlot = (q: OpQueue, slot: Slot): void => {
    const i = q.slots.indexOf(slot);
    if (i >= 0) q.slots.splice(i, 1);
    if (slot.timer) clearTimeout(slot.timer);
  };
  // Gives the latest booked slot back to the store: one attempt fewer waits, so one slot fewer is needed.
  const releaseLatest = (q: OpQueue): void => {
    const latest = q.slots.reduce<Slot | undefined>((a, s) => (a === undefined || s.at > a.at ? s : a), undefined);
    if (!latest) return;
    removeSlot(q, latest);
    if (latest.start !== undefined) limiter.release(q.operation, latest.start, latest.owner).catch(() => undefined);
  };

  // Removes an attempt from the queue's bookkeeping; `forget` also reports that it left.
  const untrack = (q: OpQueue, w: Waiter): void => {
    q.waiting.delete(w);
    w.settled = true;
    w.detach();
    const left = (q.callerWaiting.get(w.caller) ?? 1) - 1;
    if (left > 0) q.callerWaiting.set(w.caller, left);
    else {
      // Nothing of this caller waits: its next attempt starts from the virtual time (bounded map).
      q.callerWaiting.delete(w.caller);
      q.lastTag.delete(w.caller);
    }
  };
  const forget = (q: OpQueue, w: Waiter): void => {
    untrack(q, w);
    options.onDequeued?.(w.req, w.queuedMs ?? 0);
  };
  const start = (q: OpQueue, w: Waiter, slot: Slot): void => {
    removeSlot(q, slot);
    q.virtualTime = Math.max(q.virtualTime, w.tag);
    q.served++;
    forget(q, w);
    options.onStarted?.(w.req, slotsAhead(w.askedAt, q.served));
    w.resolve();
  };
  // Removes a waiting attempt that will not start; `release` gives its slot back to the store.
  const leave = (q: OpQueue, w: Waiter, error: unknown, release: boolean): void => {
    if (w.settled) return;
    if (release) releaseLatest(q);
    forget(q, w);
    w.reject(error);
  };
  const refuse = (q: OpQueue, w: Waiter, waitMs: number, release: boolean): void => {
    if (w.settled) return;
    options.onRejected?.(w.req, waitMs);
    leave(q, w, rateLimited(w.req, q, windowMs, waitMs, w.remainingMs), release);
  };

  // Pairs waiting attempts with slots in fair order; starts those whose slot has come and refuses those whose slot lies past their deadline.
  function schedule(q: OpQueue): void {
    for (;;) {
      let changed = false;
      const t = now();
      const until = dueUntil(q.slots, t);
      for (const [w, slot] of assignSlots(fairOrder(q.waiting), q.slots)) {
        w.slot = slot;
        const waitMs = slot.at - t;
        if (w.req.signal?.aborted) {
          // Its request ended and the abort has not reached this attempt yet: its slot goes to the next in turn.
          leave(q, w, classifyFailure(w.req, w.req.signal.reason), true);
        } else if (slot.at <= until) {
          start(q, w, slot);
        } else if (!waitAllowed(waitMs, budget(w.req))) {
          refuse(q, w, waitMs, true);
        } else {
          continue;
        }
        changed = true;
        break;
      }
      if (!changed) return;
    }
  }

  // Tags an attempt for its caller's turn, before it books a slot; `horizon` is the furthest slot worth booking.
  function prepare(q: OpQueue, req: UpstreamRequest): { w: Waiter; horizon: number } {
    const caller = req.caller ?? UNNAMED_CALLER;
    const remainingMs = req.deadline - now();
    const w: Waiter = {
      req,
      caller,
      tag: nextTag(
        tagFloor(
          [...q.waiting].map((o) => o.tag),
          q.virtualTime,
        ),
        q.lastTag.get(caller),
      ),
      seq: ++q.seq,
      askedAt: q.served,
      remainingMs,
      settled: false,
      resolve: () => undefined,
      reject: () => undefined,
      detach: () => undefined,
    };
    q.lastTag.set(caller, w.tag);
    q.callerWaiting.set(caller, (q.callerWaiting.get(caller) ?? 0) + 1);
    // A slot past this attempt's deadline may still be worth booking: in fair order it may take an earlier one.
    let horizon = remainingMs - minRunMs;
    for (const other of q.waiting) horizon = Math.max(horizon, budget(other.req));
    return { w, horizon };
  }

  // Queues a tagged attempt with its booking; returns undefined when it may start at once, else the wait for its turn. Throws when refused.
  function enter(q: OpQueue, w: Waiter, booking: Booking): Promise<void> | undefined {
    const { req } = w;
    if (req.signal?.aborted) {
      if (booking.granted && booking.start !== undefined) limiter.release(q.operation, booking.start, shareOf(w.caller)?.caller).catch(() => undefined);
      forget(q, w);
      throw classifyFailure(req, req.signal.reason);
    }
    if (booking.granted) {
      addSlot(q, now() + booking.waitMs, booking.start, shareOf(w.caller)?.caller);
    } else {
      const last = fairOrder(q.waiting).at(-1);
      if (!last || compareTagged(last, w) < 0) {
        forget(q, w);
        options.onRejected?.(req, booking.waitMs);
        throw rateLimited(req, q, windowMs, booking.waitMs, w.remainingMs);
      }
      // No slot within anyone's deadline, but this attempt comes before the last in turn: that one gives up its slot.
      refuse(q, last, Math.max(0, (last.slot?.at ?? now()) - now()), false);
    }
    let started = false;
    const turn = new Promise<void>((resolve, reject) => {
      w.resolve = () => {
        started = true;
        resolve();
      };
      w.reject = reject;
    });
    const onAbort = (): void => {
      leave(q, w, classifyFailure(req, req.signal?.reason), true);
      schedule(q);
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    w.detach = () => req.signal?.removeEventListener('abort', onAbort);
    w.askedAt = q.served;
    q.waiting.add(w);
    schedule(q);
    if (started) return undefined;
    // Reported once per attempt: one that waited for its caller's share (below) was reported then.
    if (!w.settled && w.slot && w.queuedMs === undefined) {
      w.queuedMs = Math.max(1, w.slot.at - now());
      options.onQueued?.(req, w.queuedMs);
    }
    return turn;
  }

  // Takes one of the request's places in the operation's queue, waiting (unbooked) while it holds them all.
  function takeShare(q: OpQueue, key: string, cap: number, req: UpstreamRequest): Promise<void> | undefined {
    let share = q.shares.get(key);
    if (!share) q.shares.set(key, (share = { held: 0, overflow: [] }));
    if (share.held < cap) {
      share.held++;
      return undefined;
    }
    const s = share;
    return new Promise<void>((resolve, reject) => {
      if (req.signal?.aborted) return reject(classifyFailure(req, req.signal.reason));
      const onAbort = (): void => {
        const i = s.overflow.indexOf(take);
        if (i >= 0) s.overflow.splice(i, 1);
        reject(classifyFailure(req, req.signal?.reason));
      };
      const take = (): void => {
        req.signal?.removeEventListener('abort', onAbort);
        s.held++;
        resolve();
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      s.overflow.push(take);
    });
  }
  const giveShare = (q: OpQueue, key: string): void => {
    const share = q.shares.get(key);
    if (!share) return;
    share.held--;
    const next = share.overflow.shift();
    if (next) next();
    else if (share.held <= 0) q.shares.delete(key);
  };

  // Tags an attempt and books its slot in the store; `queuedMs`: the wait already reported for it, if any.
  async function book(q: OpQueue, req: UpstreamRequest, queuedMs: number | undefined): Promise<{ w: Waiter; booking: Booking }> {
    const { w, horizon } = prepare(q, req);
    w.queuedMs = queuedMs;
    try {
      const booking = await limiter.book(q.operation, q.limit, windowMs, horizon, options.adaptation, shareOf(w.caller));
      q.applied = booking.limit ?? q.limit;
      return { w, booking };
    } catch (error) {
      // The stores fall back rather than throw; should one throw, the attempt must not stay counted as waiting.
      forget(q, w);
      throw classifyFailure(req, error);
    }
  }

  // Waits until the caller's earliest booked slot (on any replica) is due; refuses when that lies past the attempt's deadline.
  async function awaitCallerShare(q: OpQueue, req: UpstreamRequest, waitMs: number): Promise<void> {
    if (!waitAllowed(waitMs, budget(req))) {
      options.onRejected?.(req, waitMs);
      throw rateLimited(req, q, windowMs, waitMs, req.deadline - now());
    }
    try {
      await sleep(waitMs, req.signal);
    } catch (error) {
      throw classifyFailure(req, error);
    }
  }

  return (next) => async (req) => {
    const limit = limits[req.operation] ?? 0;
    if (limit <= 0) return next(req);
    const q = queueOf(req.operation, limit);
    const caller = req.caller ?? UNNAMED_CALLER;
    const key = `${caller}\u0000${req.requestTag ?? `call-${++unnamedCalls}`}`;
    const requestCap = perRequestCap(maxQueued, limit);
    // The request's place first, then the caller's: every holder of a caller place has booked or is booking, so waits end.
    const share = takeShare(q, key, requestCap, req);
    if (share) await share;
    const callerKey = `\u0001${caller}`;
    const callerShare = takeShare(q, callerKey, perCallerCap(maxQueuedPerCaller, limit, requestCap), req);
    if (callerShare) {
      await callerShare.catch((error: unknown) => {
        giveShare(q, key);
        throw error;
      });
    }
    try {
      if (req.signal?.aborted) throw classifyFailure(req, req.signal.reason);
      let { w, booking } = await book(q, req, undefined);
      // The caller holds its share of slots across replicas: wait, unbooked and untagged, until its earliest one is due.
      let queuedMs: number | undefined;
      let waitedShare = false;
      while (booking.callerFull) {
        waitedShare = true;
        untrack(q, w);
        // A wait for the caller's slot of this very millisecond (its previous attempt starting) is not a wait for quota.
        if (queuedMs === undefined && booking.waitMs > 1) {
          queuedMs = booking.waitMs;
          options.onQueued?.(req, queuedMs);
        }
        try {
          await awaitCallerShare(q, req, booking.waitMs);
        } catch (error) {
          if (queuedMs !== undefined) options.onDequeued?.(req, queuedMs);
          throw error;
        }
        ({ w, booking } = await book(q, req, queuedMs));
      }
      const turn = enter(q, w, booking);
      if (turn) await turn;
      // For the attempt's span, when tracing is on: it waited for quota (docs/tracing.md).
      if (share || callerShare || waitedShare || turn) noteQuotaWait();
    } finally {
      giveShare(q, callerKey);
      giveShare(q, key);
    }
    return next(req);
  };
}

// The error of an attempt that cannot start before its deadline.
function rateLimited(req: UpstreamRequest, q: Pick<OpQueue, 'limit' | 'applied'>, windowMs: number, waitMs: number, remainingMs: number): GatewayError {
  const left = Math.max(0, remainingMs);
  const quota = q.applied < q.limit ? `${q.applied} calls per ${windowMs} ms, lowered from ${q.limit} while the CDN API throttles` : `${q.limit} calls per ${windowMs} ms`;
  return new GatewayError(
    'UPSTREAM_RATE_LIMITED',
    `${OPERATION_LABELS[req.operation]} was not sent: the tenant quota (${quota}) is taken for the next ` +
      `${waitMs} ms, and the request has ${left} ms left; retry after ${waitMs} ms or give the request a longer deadline.`,
    { retryAfterMs: waitMs, retryable: false, cause: new LimiterRejectionError(waitMs, left) },
  );
}
