/**
 * Builds a page from its located cut: the places of `count` records forwards from it (or
 * backwards to it) and the page flags, registering the fetches still needed.
 *
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
import type { Ctx, Cut } from './cut';
import type { PageRecord } from './knowledge';
import type { Located } from './locate';
import { RANK, UPSTREAM_LIMIT } from './wants';

/** Largest number of window totals probed in one round while skipping empty windows. */
export const MAX_PROBE_BATCH = 8;

/** A run of places of one window: offsets `from` (inclusive) to `to` (exclusive) of window `w`. */
export interface Span {
  readonly w: number;
  readonly from: number;
  readonly to: number;
}

/** The places of a page's records, in list order, and its flags. */
export interface Built {
  readonly spans: readonly Span[];
  readonly hasPreviousPage: boolean;
  readonly hasNextPage: boolean;
}

/** Builds a forward page: `count` records from the cut on, and the flags around them. */
export function buildForward<R extends PageRecord>(ctx: Ctx<R>, located: Located): Built | undefined {
  const { known, wants, plan } = ctx;
  const spans: Span[] = [];
  let taken = 0;
  let { w, o } = located.cut;
  let ready = true;
  let empties = 0;
  while (taken < plan.count && w < ctx.lastWindow) {
    const total = known.total(w);
    const need = plan.count - taken;
    if (total === undefined) {
      // First call to this window: its share of the page, which also tells its total.
      wants.require(w, o, o + need);
      wants.prefer(w, o + need, o + need + 1, RANK.neighbour);
      wants.prefer(w, o + need + 1, o + need + 1 + located.slack, RANK.slack);
      // A window entered from its start is asked for a whole page and its neighbour, whatever is
      // left to fill: the same call for every page that enters it, so a cached answer serves them all.
      if (o === 0) wants.prefer(w, need + 1, plan.count + 1, RANK.slack);
      // Past empty windows, guess that the next ones are empty too and ask them at once.
      for (const v of unknownWindows(ctx, range(w + 1, ctx.lastWindow), probeBatch(empties) - 1)) {
        wants.require(v, 0, need);
        wants.prefer(v, need, need + 1, RANK.neighbour);
        wants.prefer(v, need + 1, plan.count + 1, RANK.slack);
      }
      ready = false;
      break;
    }
    const take = Math.min(Math.max(0, total - o), need);
    ready = takeSpan(ctx, w, o, o + take, spans) && ready;
    taken += take;
    if (o + take < total) {
      wants.prefer(w, o + take, o + take + 1, RANK.neighbour);
      wants.prefer(w, o + take + 1, o + take + 1 + located.slack, RANK.slack);
    }
    o += take;
    if (taken < plan.count) {
      empties = total === 0 ? empties + 1 : 0;
      w += 1;
      o = 0;
    }
  }
  const hasPreviousPage = existsBefore(ctx, located.cut);
  const hasNextPage = ready ? existsFrom(ctx, { w, o }) : undefined;
  if (!ready || hasPreviousPage === undefined || hasNextPage === undefined) return undefined;
  return { spans, hasPreviousPage, hasNextPage };
}

/** Builds a backward page: the `count` records before the cut, and the flags around them. */
export function buildBackward<R extends PageRecord>(ctx: Ctx<R>, located: Located): Built | undefined {
  const { known, wants, plan } = ctx;
  // Built back to front: the spans nearest the cut first, reversed at the end.
  const spans: Span[] = [];
  let taken = 0;
  let start: Cut = located.cut;
  let w = located.cut.w;
  let end: number | undefined = located.cut.o;
  if (w >= ctx.lastWindow) {
    w = ctx.lastWindow - 1;
    end = undefined;
  }
  let ready = true;
  let empties = 0;
  while (taken < plan.count && w >= 0) {
    const total = known.total(w);
    if (end === undefined && total === undefined) {
      // A window's tail needs its total: ask its first records, all of it when small.
      wants.require(w, 0, UPSTREAM_LIMIT);
      for (const v of unknownWindows(ctx, range(w - 1, -1), probeBatch(empties) - 1)) wants.require(v, 0, UPSTREAM_LIMIT);
      ready = false;
      break;
    }
    const stop = Math.min(end ?? Infinity, total ?? Infinity);
    const take = Math.min(stop, plan.count - taken);
    ready = takeSpan(ctx, w, stop - take, stop, spans) && ready;
    taken += take;
    start = { w, o: stop - take };
    if (stop - take > 0) {
      wants.prefer(w, stop - take - 1, stop - take, RANK.neighbour);
      if (plan.volatile) wants.prefer(w, stop - take - 1 - located.slack, stop - take - 1, RANK.slack);
    }
    if (taken === plan.count) break;
    empties = total === 0 ? empties + 1 : 0;
    w -= 1;
    end = undefined;
    start = { w: Math.max(w, 0), o: 0 };
  }
  const hasNextPage = existsFrom(ctx, located.cut);
  const hasPreviousPage = ready ? existsBefore(ctx, start) : undefined;
  if (!ready || hasPreviousPage === undefined || hasNextPage === undefined) return undefined;
  return { spans: spans.reverse(), hasPreviousPage, hasNextPage };
}

// Appends the places [from, to) of window w as one span; requires the unknown ones; true when all are known.
function takeSpan<R extends PageRecord>(ctx: Ctx<R>, w: number, from: number, to: number, spans: Span[]): boolean {
  if (to > from) spans.push({ w, from, to });
  let allKnown = true;
  let missingFrom = -1;
  for (let o = from; o < to; o++) {
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
