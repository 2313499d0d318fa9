/**
 * The fair-queuing arithmetic of the rate-limit stage (docs/architecture.md, Fairness), as pure
 * functions. Attempts waiting for one operation's quota hold booked slots; which attempt gets
 * which slot is decided here, by start-time fair queuing over callers: each waiting attempt gets
 * a tag one past the later of the queue's virtual time (the tag of the last attempt that
 * started) and its caller's previous tag, and slots go in tag order. A caller with a backlog
 * of n holds tags v+1 … v+n; a newcomer's first attempt gets v+1, so it is served after at most
 * one attempt of each other waiting caller: slots go round-robin between callers, not FIFO.
 */

/** What the order needs of a waiting attempt. */
export interface Tagged {
  /** The fair-queuing tag (`nextTag`). */
  readonly tag: number;
  /** Arrival order, breaking ties between equal tags (first come, first served). */
  readonly seq: number;
}

/** Returns the tag of a caller's next waiting attempt: one past the later of the virtual time and the caller's last tag. */
export function nextTag(virtualTime: number, lastTag: number | undefined): number {
  return Math.max(virtualTime, lastTag ?? virtualTime) + 1;
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
 * Returns how many attempts of one request may hold booked slots of an operation at once: the
 * setting, but never more than one window's worth of the operation (`limit`), and at least one.
 */
export function perRequestCap(setting: number, limit: number): number {
  return Math.max(1, Math.min(setting, limit));
}

/** Counts the slots served before an attempt that asked when `askedAt` slots had been served and started as slot `startedAt`. */
export function slotsAhead(askedAt: number, startedAt: number): number {
  return Math.max(0, startedAt - askedAt - 1);
}
