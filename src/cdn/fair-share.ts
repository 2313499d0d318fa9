/**
 * The fair-queuing arithmetic of the rate-limit stage (docs/architecture.md, Fairness), as pure
 * functions. Attempts waiting for one operation's quota hold booked slots; which attempt gets
 * which slot is decided here, by fair queuing over callers: each waiting attempt gets a tag, the
 * later of the queue's floor (the lowest tag waiting, or one past the last started when none
 * waits) and one past its caller's previous waiting tag, and slots go in tag order, ties by
 * arrival. A caller with a backlog of n holds tags f … f+n−1; a caller with nothing waiting
 * gets f, so it is served after at most one attempt of each other waiting caller (those whose
 * head holds f and came earlier): slots go round-robin between callers, not first come first served.
 */

/** What the order needs of a waiting attempt. */
export interface Tagged {
  /** The fair-queuing tag (`nextTag`). */
  readonly tag: number;
  /** Arrival order, breaking ties between equal tags (first come, first served). */
  readonly seq: number;
}

/** Returns the tag of a caller's next waiting attempt: the queue's floor, or one past the caller's last waiting tag if later. */
export function nextTag(floor: number, lastTag: number | undefined): number {
  return lastTag === undefined ? floor : Math.max(floor, lastTag + 1);
}

/** Returns the queue's floor: the lowest tag waiting, or one past the last started tag when nothing waits. */
export function tagFloor(waitingTags: Iterable<number>, lastStartedTag: number): number {
  let floor = Infinity;
  for (const tag of waitingTags) floor = Math.min(floor, tag);
  return floor === Infinity ? lastStartedTag + 1 : floor;
}

/** Compares two waiting attempts in serving order (negative: `a` first). */
export function compareTagged(a: Tagged, b: Tagged): number {
  return a.tag - b.tag || a.seq - b.seq;
}

/** Returns the waiting attempts in serving order (a new array). */
export function fairOrder<T extends Tagged>(waiting: Iterable<T>): T[] {
  return [...waiting].sort(compareTagged);
}

/**
 * Pairs attempts in serving order with booked slots in time order: the first to be served gets
 * the earliest slot. There are as many slots as attempts (each booked one when it arrived).
 */
export function assignSlots<T, S extends { readonly at: number }>(ordered: readonly T[], slots: readonly S[]): Array<[T, S]> {
  const byTime = [...slots].sort((a, b) => a.at - b.at);
  return ordered.flatMap((attempt, i) => {
    const slot = byTime[i];
    return slot === undefined ? [] : [[attempt, slot] as [T, S]];
  });
}

/**
 * Returns the latest slot time that has come: `now`, or the latest slot whose timer has fired if
 * later (a timer may fire a millisecond before the clock reads its time). Every slot up to it may
 * start, so the slots that start are always the earliest ones, taken in serving order: a later
 * slot whose timer fired first cannot let its attempt start before an earlier one in turn.
 */
export function dueUntil(slots: Iterable<{ readonly at: number; readonly due: boolean }>, now: number): number {
  let until = now;
  for (const slot of slots) if (slot.due && slot.at > until) until = slot.at;
  return until;
}

/**
 * Returns how many attempts of one request may hold booked slots of an operation at once: the
 * setting, but never more than one window's worth of the operation (`limit`), and at least one.
 */
export function perRequestCap(setting: number, limit: number): number {
  return Math.max(1, Math.min(setting, limit));
}

/**
 * Returns how many attempts of one caller, over all its requests, may hold booked slots of an
 * operation at once: the setting, but never more than two windows' worth of the operation
 * (`limit`), and never fewer than one request may hold (`perRequest`).
 */
export function perCallerCap(setting: number, limit: number, perRequest: number): number {
  return Math.max(perRequest, Math.min(setting, 2 * limit));
}

/** Counts the slots served before an attempt that asked when `askedAt` slots had been served and started as slot `startedAt`. */
export function slotsAhead(askedAt: number, startedAt: number): number {
  return Math.max(0, startedAt - askedAt - 1);
}
