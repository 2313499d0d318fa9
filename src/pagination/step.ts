/**
 * Builds a url-tasks page from upstream answers, one round of parallel fetches at a time.
 * `stepConnection(plan, fetched)` is pure: given everything fetched so far, it answers either
 * the finished page or the next round of fetch requests (run.ts drives the loop).
 *
 * ## The list
 * The connection lists the records of the frozen range window by window, newest window
 * first, and within a window in the upstream's order, id descending. A place in the list is
 * a window and an offset in it; a *cut* `{w, o}` is the gap just before offset `o` of window
 * `w` (`{W, 0}`, one past the last window, is the end of the list).
 *
 * ## Finding the cut after (or before) a cursor
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
 *
 * Within one request the rounds are milliseconds apart, but a window can still change
 * between them: an answer with a different total, or records out of order with earlier ones,
 * makes the earlier records of that window count as unseen (knowledge.ts): a page is not
 * stitched from two states of a window that differ in size or order. (A change that keeps
 * both, one record leaving and another joining between two calls, stays invisible.)

 * ## Economy
 * - Up to 100 records within one window cost one call: a first page always; a cursor's page
 *   when the cursor knows its neighbour, or has no status filter forwards, or holds at most 99
 *   records. Pages of more than 100 fan out into ceil(n / 100) parallel calls. The only
 *   extra call is the proof record: after a page of exactly 100·k records its end cursor
 *   knows no neighbour, so a status-filtered or backward page of 100·k after it costs one more.
 * - Crossing into the next window forwards needs its first records: one more round. Backwards
 *   a window's end needs its total: its first call asks for offsets 0–99 (the whole window
 *   when small), and a second call fetches the tail when the window is larger.
 * - Windows known to be empty are skipped in growing batches (1, 2, 4, 8 calls per round).
 *
 * ## Page flags
 * Both flags are exact for the data the request saw. `hasNextPage` is true when a record
 * exists after the page: offset + 1 < total of its window, or a later window is non-empty.
 * `hasPreviousPage` likewise before the page. When a page starts at a window border with an
 * unknown neighbouring window, one `limit=1` call settles it, in the same round as the page.
 */
import { GatewayError } from '../errors';
import { encodeCursor, type CursorData } from './cursor';
import { Knowledge, type Fetched, type PageRecord } from './knowledge';
import type { ConnectionPlan } from './plan';
import { RANK, UPSTREAM_LIMIT, Wants, type FetchRequest } from './wants';
import type { TimeWindow } from './windows';

/** One edge of a page. */
export interface Edge<R> {
  readonly node: R;
  readonly cursor: string;
}

/** Relay page information. */
export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** A window's total as the page's fetches saw it; null when the page did not need it. */
export interface WindowTotal {
  readonly window: TimeWindow;
  readonly total: number | null;
}

/** A finished page. */
export interface ConnectionPage<R> {
  readonly edges: ReadonlyArray<Edge<R>>;
  readonly pageInfo: PageInfo;
  /** Every window of the range, newest first, with the total seen (for `totalCount`). */
  readonly windowTotals: readonly WindowTotal[];
}

/** The outcome of a step: the page, or the next round of fetches (all may run in parallel). */
export type ConnectionStep<R> =
  | { readonly kind: 'page'; readonly page: ConnectionPage<R> }
  | { readonly kind: 'fetch'; readonly requests: readonly FetchRequest[] };

/** Returns the page when the fetched results settle it, else the next round's fetch requests. */
export function stepConnection<R extends PageRecord>(plan: ConnectionPlan, fetched: ReadonlyArray<Fetched<R>>): ConnectionStep<R> {
  const known = new Knowledge<R>(plan.windows, fetched);
  const wants = new Wants(plan.windows, (w) => known.total(w));
  const ctx: Ctx<R> = { plan, known, wants, lastWindow: plan.windows.length };
  const located = locate(ctx);
  if (located) {
    const built = plan.direction === 'forward' ? buildForward(ctx, located) : buildBackward(ctx, located);
    if (built && located.settled && !wants.pending) return { kind: 'page', page: assemble(ctx, built) };
  }
  const requests = wants.toRequests();
  // Every part asks only for unknown offsets or totals; asking for nothing would loop forever.
  if (requests.length === 0) throw new Error('pagination planner found neither a page nor anything to fetch');
  return { kind: 'fetch', requests };
}

/** Largest number of window totals probed in one round while skipping empty windows. */
export const MAX_PROBE_BATCH = 8;

// A cut: the gap just before offset `o` of window `w`.
interface Cut {
  readonly w: number;
  readonly o: number;
}

// The cut a page starts from (forwards) or ends at (backwards). A provisional cut comes from
// a cursor's hint before any fetch proved it; `slack` is the drift room to fetch around it.
interface Located {
  readonly cut: Cut;
  readonly settled: boolean;
  readonly slack: number;
}

// The places of a page's records, and its flags.
interface Built {
  readonly slots: readonly Cut[];
  readonly hasPreviousPage: boolean;
  readonly hasNextPage: boolean;
}

// What every helper reads: the plan, what was fetched, what this round will fetch.
interface Ctx<R extends PageRecord> {
  readonly plan: ConnectionPlan;
  readonly known: Knowledge<R>;
  readonly wants: Wants;
  /** The number of windows, W: `{W, 0}` is the end of the list. */
  readonly lastWindow: number;
}

// Finds the anchor's cut, or registers the fetches that will find it.
function locate<R extends PageRecord>(ctx: Ctx<R>): Located | undefined {
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
function locateAtCursor<R extends PageRecord>(ctx: Ctx<R>, cursor: CursorData, forward: boolean): Located | undefined {
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

// A forward page: `count` records from the cut on, and the flags around them.
function buildForward<R extends PageRecord>(ctx: Ctx<R>, located: Located): Built | undefined {
  const { known, wants, plan } = ctx;
  const slots: Cut[] = [];
  let { w, o } = located.cut;
  let ready = true;
  let empties = 0;
  while (slots.length < plan.count && w < ctx.lastWindow) {
    const total = known.total(w);
    const need = plan.count - slots.length;
    if (total === undefined) {
      // First call to this window: its share of the page, which also tells its total.
      wants.require(w, o, o + need);
      wants.prefer(w, o + need, o + need + 1, RANK.neighbour);
      wants.prefer(w, o + need + 1, o + need + 1 + located.slack, RANK.slack);
      // Past empty windows, guess that the next ones are empty too and ask them at once.
      for (const v of unknownWindows(ctx, range(w + 1, ctx.lastWindow), probeBatch(empties) - 1)) {
        wants.require(v, 0, need);
        wants.prefer(v, need, need + 1, RANK.neighbour);
      }
      ready = false;
      break;
    }
    const take = Math.min(Math.max(0, total - o), need);
    ready = takeSlots(ctx, w, o, o + take, slots) && ready;
    if (o + take < total) {
      wants.prefer(w, o + take, o + take + 1, RANK.neighbour);
      wants.prefer(w, o + take + 1, o + take + 1 + located.slack, RANK.slack);
    }
    o += take;
    if (slots.length < plan.count) {
      empties = total === 0 ? empties + 1 : 0;
      w += 1;
      o = 0;
    }
  }
  const hasPreviousPage = existsBefore(ctx, located.cut);
  const hasNextPage = ready ? existsFrom(ctx, { w, o }) : undefined;
  if (!ready || hasPreviousPage === undefined || hasNextPage === undefined) return undefined;
  return { slots, hasPreviousPage, hasNextPage };
}

// A backward page: the `count` records before the cut, and the flags around them.
function buildBackward<R extends PageRecord>(ctx: Ctx<R>, located: Located): Built | undefined {
  const { known, wants, plan } = ctx;
  let slots: Cut[] = [];
  let start: Cut = located.cut;
  let w = located.cut.w;
  let end: number | undefined = located.cut.o;
  if (w >= ctx.lastWindow) {
    w = ctx.lastWindow - 1;
    end = undefined;
  }
  let ready = true;
  let empties = 0;
  while (slots.length < plan.count && w >= 0) {
    const total = known.total(w);
    if (end === undefined && total === undefined) {
      // A window's tail needs its total: ask its first records, all of it when small.
      wants.require(w, 0, UPSTREAM_LIMIT);
      for (const v of unknownWindows(ctx, range(w - 1, -1), probeBatch(empties) - 1)) wants.require(v, 0, UPSTREAM_LIMIT);
      ready = false;
      break;
    }
    const stop = Math.min(end ?? Infinity, total ?? Infinity);
    const take = Math.min(stop, plan.count - slots.length);
    const block: Cut[] = [];
    ready = takeSlots(ctx, w, stop - take, stop, block) && ready;
    slots = [...block, ...slots];
    start = { w, o: stop - take };
    if (stop - take > 0) {
      wants.prefer(w, stop - take - 1, stop - take, RANK.neighbour);
      if (plan.volatile) wants.prefer(w, stop - take - 1 - located.slack, stop - take - 1, RANK.slack);
    }
    if (slots.length === plan.count) break;
    empties = total === 0 ? empties + 1 : 0;
    w -= 1;
    end = undefined;
    start = { w: Math.max(w, 0), o: 0 };
  }
  const hasNextPage = existsFrom(ctx, located.cut);
  const hasPreviousPage = ready ? existsBefore(ctx, start) : undefined;
  if (!ready || hasPreviousPage === undefined || hasNextPage === undefined) return undefined;
  return { slots, hasPreviousPage, hasNextPage };
}

// Appends the places [from, to) of window w; requires the unknown ones; true when all are known.
function takeSlots<R extends PageRecord>(ctx: Ctx<R>, w: number, from: number, to: number, slots: Cut[]): boolean {
  let allKnown = true;
  let missingFrom = -1;
  for (let o = from; o < to; o++) {
    slots.push({ w, o });
    const seen = ctx.known.record(w, o) !== undefined;
    if (!seen && missingFrom < 0) missingFrom = o;
    if (seen && missingFrom >= 0) {
      ctx.wants.require(w, missingFrom, o);
      missingFrom = -1;
    }
    allKnown &&= seen;
  }
  if (missingFrom >= 0) ctx.wants.require(w, missingFrom, to);
  return allKnown;
}

// Whether any record lies before the cut; undefined while a total is still unknown.
function existsBefore<R extends PageRecord>(ctx: Ctx<R>, cut: Cut): boolean | undefined {
  if (cut.o > 0 && cut.w < ctx.lastWindow) {
    const total = ctx.known.total(cut.w);
    if (total === undefined) {
      ctx.wants.requireTotal(cut.w);
      return undefined;
    }
    if (Math.min(cut.o, total) > 0) return true;
  }
  return anyRecords(ctx, range(Math.min(cut.w, ctx.lastWindow) - 1, -1));
}

// Whether any record lies at or after the cut; undefined while a total is still unknown.
function existsFrom<R extends PageRecord>(ctx: Ctx<R>, cut: Cut): boolean | undefined {
  if (cut.w >= ctx.lastWindow) return false;
  const total = ctx.known.total(cut.w);
  if (total === undefined) {
    ctx.wants.requireTotal(cut.w);
    return undefined;
  }
  if (cut.o < total) return true;
  return anyRecords(ctx, range(cut.w + 1, ctx.lastWindow));
}

// Whether any of the windows, nearest first, holds a record; probes unknown ones in batches.
function anyRecords<R extends PageRecord>(ctx: Ctx<R>, windows: readonly number[]): boolean | undefined {
  let empties = 0;
  for (const w of windows) {
    const total = ctx.known.total(w);
    if (total === undefined) {
      for (const v of unknownWindows(ctx, windows.slice(windows.indexOf(w)), probeBatch(empties))) ctx.wants.requireTotal(v);
      return undefined;
    }
    if (total > 0) return true;
    empties += 1;
  }
  return false;
}

// The first `limit` windows of `order` whose total is unknown.
function unknownWindows<R extends PageRecord>(ctx: Ctx<R>, order: readonly number[], limit: number): number[] {
  return order.filter((w) => ctx.known.total(w) === undefined).slice(0, Math.max(0, limit));
}

// How many windows to probe at once after `empties` empty ones: as many again plus one, so
// batches double (1, 2, 4, 8) and never probe more than twice the windows actually skipped.
function probeBatch(empties: number): number {
  return Math.min(MAX_PROBE_BATCH, empties + 1);
}

// Integers from `from` towards `to` (exclusive), either direction.
function range(from: number, to: number): number[] {
  const step = from <= to ? 1 : -1;
  const out: number[] = [];
  for (let i = from; i !== to && (step > 0 ? i < to : i > to); i += step) out.push(i);
  return out;
}

// The page: edges with cursors, page info and the totals seen. A record out of list order
// (window ascending, then id descending), or on the wrong side of the anchor, can only come
// from a window changing between two rounds; it is dropped rather than shown twice.
function assemble<R extends PageRecord>(ctx: Ctx<R>, built: Built): ConnectionPage<R> {
  const { plan, known } = ctx;
  const anchor = plan.anchor;
  let previous = anchor.kind === 'after' ? { w: anchor.cursor.window, id: anchor.cursor.id } : { w: -1, id: Infinity };
  const limit = anchor.kind === 'before' ? { w: anchor.cursor.window, id: anchor.cursor.id } : { w: Infinity, id: -Infinity };
  const edges: Array<Edge<R>> = [];
  for (const { w, o } of built.slots) {
    const node = known.record(w, o);
    if (!node || !listedBefore(previous, { w, id: node.id }) || !listedBefore({ w, id: node.id }, limit)) continue;
    edges.push(lazyEdge(node, () => encodeCursor(cursorFor(ctx, w, o, node), plan.cursorSecret)));
    previous = { w, id: node.id };
  }
  return {
    edges,
    pageInfo: {
      hasNextPage: built.hasNextPage,
      hasPreviousPage: built.hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
    windowTotals: plan.windows.map((window, i) => ({ window, total: known.total(i) ?? null })),
  };
}

// An edge whose cursor (an HMAC) is computed when first read: a query that selects no cursor,
// such as a page of `nodes`, would otherwise sign one per record for nothing.
function lazyEdge<R>(node: R, encode: () => string): Edge<R> {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      return (cursor ??= encode());
    },
  };
}

// List order: windows newest first, then ids descending. Ids only order records of one window:
// a record created late with an early create_time has a large id in an old window.
function listedBefore(a: { w: number; id: number }, b: { w: number; id: number }): boolean {
  return a.w < b.w || (a.w === b.w && a.id > b.id);
}

// A record's cursor, with the neighbours this request saw next to it.
function cursorFor<R extends PageRecord>(ctx: Ctx<R>, w: number, o: number, node: R): CursorData {
  const { known, plan } = ctx;
  const total = known.total(w);
  const next = known.record(w, o + 1);
  const prev = o > 0 ? known.record(w, o - 1) : undefined;
  const nextId = total !== undefined && o + 1 >= total ? 'window-end' : next && next.id < node.id ? next.id : undefined;
  return {
    binding: plan.binding,
    rangeEnd: plan.range.end,
    window: w,
    offset: o,
    id: node.id,
    createTime: node.createTime,
    ...(nextId === undefined ? {} : { nextId }),
    ...(prev && prev.id > node.id ? { prevId: prev.id } : {}),
  };
}

/** Thrown when the records keep changing under the planner for `rounds` rounds of fetches. */
export function tooManyRounds(rounds: number): GatewayError {
  return new GatewayError(
    'UPSTREAM_ERROR',
    `url-task records changed faster than the gateway could page through them (gave up after ${rounds} rounds of upstream calls); retry the request`,
    { retryable: true },
  );
}
