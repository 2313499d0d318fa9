/**
 * The list model the page steps share (step.ts): the connection lists the records of the
 * frozen range window by window, newest window first, and within a window in the upstream's
 * order, id descending. A place in the list is a window and an offset in it; a *cut* `{w, o}`
 * is the gap just before offset `o` of window `w` (`{W, 0}`, one past the last window, is the
 * end of the list).
 */
import type { Knowledge, PageRecord } from './knowledge';
import type { ConnectionPlan } from './plan';
import type { Wants } from './wants';

/** A cut: the gap just before offset `o` of window `w`. */
export interface Cut {
  readonly w: number;
  readonly o: number;
}

/** What every step helper reads: the plan, what was fetched, what this round will fetch. */
export interface Ctx<R extends PageRecord> {
  readonly plan: ConnectionPlan;
  readonly known: Knowledge<R>;
  readonly wants: Wants;
  /** The number of windows, W: `{W, 0}` is the end of the list. */
  readonly lastWindow: number;
}
