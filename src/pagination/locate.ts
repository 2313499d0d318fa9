/**
 * Locates the cut a page starts from (forwards) or ends at (backwards): the list's start or
 * end, or the place of a cursor's record, registering the fetches that will prove it.
 *
 * A cursor holds its record's id and window, its offset (a hint) and, when they were seen, the
 * ids of the records next to it. Forwards, the page starts at the first record with a smaller
 * id than the cursor's; backwards it ends at the last record with a larger id. The first round
 * trusts the hint and fetches the page together with the one record that proves the hint:
 * - the neighbour the cursor remembers, which is the page's own first (last) record, so the
 *   page costs nothing extra: records after `c` that also follow its old neighbour `s`
 *   are exactly the records after `c`, except ones that started matching since (which a
 *   page may skip, they did not match throughout);
 * - otherwise the cursor's own record (one more record in the call);
 * - forwards without a status filter, nothing: records of a frozen range are then only ever
 *   added (new ids are larger, so they land before the cursor), so the cursor's record is at
 *   its old offset or later, and the record at `offset + 1` having a smaller id proves the cut.
 * Where the fetched records do not prove the cut (a drift), the planner searches the window
 * by id: every call narrows the unknown gap between the last record known to come before the
 * cut and the first known to come after it; first by stepping one call next to the hint
 * (drifts are usually small), then by bisection. Each call fetches only unknown offsets, so
 * against a settled upstream the search ends, and in practice after one extra round. A few
 * records of slack around the first call (only room its calls leave free) absorb small
 * drifts without any extra call. A cursor that ended its window (`nextId: 'window-end'`)
 * needs no proof: the page starts with the next window.
 *
 * Why not narrow the window to the cursor's create_time (ending it at `createTime + 1`)? It
 * would keep offsets near 0, but the narrowed window's total is not the window's total, so
 * `totalCount` would cost an extra call even for the default 24 h range; and it assumes ids
 * grow with create_time, which a record created late with an early create_time breaks (its
 * large id puts it at the top of an old window). Offsets within fixed windows plus an id
 * check assume only the upstream's own order, and the first call returns the total for free.
 */
import type { Ctx, Cut } from './cut';
import type { PageRecord } from './knowledge';
import type { UrlTaskCursor } from './url-task-cursor';
import { RANK, UPSTREAM_LIMIT } from './wants';

/**
 * The cut a page starts from (forwards) or ends at (backwards). A provisional cut comes from
 * a cursor's hint before any fetch proved it; `slack` is the drift room to fetch around it.
 */
export interface Located {
  readonly cut: Cut;
  readonly settled: boolean;
  readonly slack: number;
}

/** Finds the anchor's cut, or registers the fetches that will find it. */
export function locate<R extends PageRecord>(ctx: Ctx<R>): Located | undefined {
  const { anchor } = ctx.plan;
  switch (anchor.kind) {
    case 'start':
      return { cut: { w: 0, o: 0 }, settled: true, slack: 0 };
    case 'end':
      return { cut: { w: ctx.lastWindow, o: 0 }, settled: true, slack: 0 };
    case 'after':
      // The cursor's record ended its window: the page starts with the next window, whatever
      // joined the old window after it since (those records did not match throughout).
      if (anchor.cursor.nextId === 'window-end') return { cut: { w: anchor.cursor.window + 1, o: 0 }, settled: true, slack: 0 };
      return locateAtCursor(ctx, anchor.cursor, true);
    case 'before':
      if (anchor.cursor.offset === 0) return { cut: { w: anchor.cursor.window, o: 0 }, settled: true, slack: 0 };
      return locateAtCursor(ctx, anchor.cursor, false);
  }
}

// The cut next to a cursor's record within its window (see the module doc).
function locateAtCursor<R extends PageRecord>(ctx: Ctx<R>, cursor: UrlTaskCursor, forward: boolean): Located | undefined {
  const { plan, known, wants } = ctx;
  const w = cursor.window;
  const neighbour = forward ? cursor.nextId : cursor.prevId;
  const neighbourId = typeof neighbour === 'number' ? neighbour : undefined;
  if (known.fetches(w) === 0) {
    const cut = { w, o: forward ? cursor.offset + 1 : cursor.offset };
    const proveWithSelf = neighbourId === undefined && (plan.volatile || !forward);
    if (proveWithSelf) wants.require(w, cursor.offset, cursor.offset + 1);
    else if (plan.count === 0) wants.require(w, forward ? cut.o : cut.o - 1, forward ? cut.o + 1 : cut.o);
    const slack = plan.driftSlack;
    // Records leaving the filter before the cursor move the cut towards offset 0; only a
    // status filter makes them leave. Records joining move it the other way, in any case.
    if (forward && plan.volatile) wants.prefer(w, (proveWithSelf ? cursor.offset : cut.o) - slack, proveWithSelf ? cursor.offset : cut.o, RANK.slack);
    if (!forward) wants.prefer(w, cursor.offset + (proveWithSelf ? 1 : 0), cursor.offset + (proveWithSelf ? 1 : 0) + slack, RANK.slack);
    return { cut, settled: false, slack };
  }

  const total = known.total(w) ?? 0;
  const comesBefore = forward ? (id: number) => id >= cursor.id : (id: number) => id > cursor.id;
  const entries = known.entries(w);
  let hi = total;
  for (const [o, record] of entries) if (!comesBefore(record.id) && o < hi) hi = o;
  let lo = -1;
  for (const [o, record] of entries) if (comesBefore(record.id) && o < hi && o > lo) lo = o;
  if (!plan.volatile) {
    // Only additions: everything at or before the old offset still comes before the cut.
    const floor = forward ? cursor.offset : cursor.offset - 1;
    if (floor < hi) lo = Math.max(lo, floor);
  }
  if (hi === lo + 1) return { cut: { w, o: hi }, settled: true, slack: 0 };
  if (neighbourId !== undefined) {
    const seen = entries.find(([, record]) => record.id === neighbourId);
    if (seen) return { cut: { w, o: forward ? seen[0] : seen[0] + 1 }, settled: true, slack: 0 };
  }
  searchGap(ctx, w, lo + 1, hi, forward ? cursor.offset + 1 : cursor.offset);
  return undefined;
}

// Asks for part of the unknown offsets [start, end) where the cut must be: all of them when
// one call holds them, else one call next to the hint for the first steps, then the middle.
function searchGap<R extends PageRecord>(ctx: Ctx<R>, w: number, start: number, end: number, hint: number): void {
  if (end - start <= UPSTREAM_LIMIT) {
    ctx.wants.require(w, start, end);
    return;
  }
  const nearHint = hint <= start ? start : hint >= end ? end - UPSTREAM_LIMIT : hint - UPSTREAM_LIMIT / 2;
  const from = ctx.known.fetches(w) <= 2 ? nearHint : Math.floor((start + end) / 2) - UPSTREAM_LIMIT / 2;
  const clamped = Math.max(start, Math.min(from, end - UPSTREAM_LIMIT));
  ctx.wants.require(w, clamped, clamped + UPSTREAM_LIMIT);
}
