/**
 * Time windows of a url-tasks connection. The upstream answers at most 24 hours per call
 * (docs/upstream.md; docs/architecture.md: 24 h windows), so a connection's range is cut into windows of at most 24 h, listed
 * newest first: the order in which records are listed. The newest window is the range's last
 * 24 h; older ones follow the UTC-day grid, so that the same past day is the same upstream call
 * whenever a range covers it, and its cached answer serves every later request (docs/architecture.md,
 * Cache: settled history).
 *
 * Ranges are half-open like the upstream's: `createdAfter` inclusive, `createdBefore`
 * exclusive. The end is frozen by the first page (see `resolveRange`) so that records created
 * while a client pages cannot shift later pages.
 */
import { badUserInput } from '../errors';

/** The widest span one upstream url-tasks call accepts: 24 hours, in ms. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** A half-open time range `[start, end)` in epoch ms. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The date arguments of a connection filter (epoch ms, as the DateTime scalar parses them). */
export interface RangeArgs {
  readonly createdAfter?: number | null;
  readonly createdBefore?: number | null;
}

/** What resolving a range needs besides the arguments. */
export interface RangeOptions {
  /** The current time (epoch ms). */
  readonly now: number;
  /** The longest accepted span, in days (MAX_RANGE_DAYS). */
  readonly maxRangeDays: number;
  /** The end frozen by the first page, carried by a cursor; absent on a first page. */
  readonly frozenEnd?: number;
}

/** Returns the end a first page freezes: `createdBefore`, but never later than now. */
export function freezeRangeEnd(args: RangeArgs, now: number): number {
  // Records are never created in the future, so a later end adds nothing but would let
  // records created while the client pages slip into the range.
  return Math.min(args.createdBefore ?? now, now);
}

/**
 * Resolves filter dates into the connection's range: `[createdAfter, end)` where `end` is the
 * frozen end (see `freezeRangeEnd`) and `createdAfter` defaults to 24 h before `createdBefore`
 * (or before the end). A range entirely in the future resolves to an empty one.
 * Throws BAD_USER_INPUT for an invalid date, an inverted range or a span over the maximum.
 */
export function resolveRange(args: RangeArgs, options: RangeOptions): TimeWindow {
  checkRangeArgs(args);
  const end = options.frozenEnd ?? freezeRangeEnd(args, options.now);
  const start = args.createdAfter ?? (args.createdBefore ?? end) - WINDOW_MS;
  const maxSpan = options.maxRangeDays * 24 * 60 * 60 * 1000;
  if (end - start > maxSpan) {
    const endLabel = args.createdBefore != null && args.createdBefore <= end ? 'createdBefore' : 'now';
    throw badUserInput(
      `filter.createdAfter to filter.createdBefore must span at most ${options.maxRangeDays} days; got ${formatDays(end - start)} days ` +
        `(createdAfter ${iso(start)}, ${endLabel} ${iso(end)})`,
    );
  }
  return { start, end: Math.max(start, end) };
}

/** Checks the date arguments on their own: valid dates, createdAfter before createdBefore. */
export function checkRangeArgs(args: RangeArgs): void {
  for (const name of ['createdAfter', 'createdBefore'] as const) {
    const value = args[name];
    if (value != null && !Number.isFinite(value)) throw badUserInput(`filter.${name} must be a valid date-time; got ${String(value)}`);
  }
  const { createdAfter, createdBefore } = args;
  if (createdAfter != null && createdBefore != null && createdAfter >= createdBefore) {
    throw badUserInput(
      `filter.createdAfter must be earlier than filter.createdBefore; got createdAfter ${iso(createdAfter)} and createdBefore ${iso(createdBefore)}`,
    );
  }
}

/**
 * Cuts `[start, end)` into windows of at most `windowMs`, newest first: the newest is the last
 * `windowMs` of the range (a range of up to `windowMs` stays one window); older ones end on
 * multiples of `windowMs` since the epoch (UTC midnights for 24 h), so they do not move with
 * `end`. The windows just older than the newest and the oldest may be partial.
 */
export function splitRange(range: TimeWindow, windowMs: number = WINDOW_MS): TimeWindow[] {
  if (!(range.end > range.start)) return [];
  const newestStart = Math.max(range.start, range.end - windowMs);
  const windows: TimeWindow[] = [{ start: newestStart, end: range.end }];
  for (let end = newestStart; end > range.start; ) {
    // The grid line strictly below `end`: the window reaches back to it, or to the range's start.
    const start = Math.max(range.start, Math.floor((end - 1) / windowMs) * windowMs);
    windows.push({ start, end });
    end = start;
  }
  return windows;
}

/** Returns the index of the window holding `time`, or -1 when no window does. */
export function windowIndexOf(windows: readonly TimeWindow[], time: number): number {
  return windows.findIndex((w) => w.start <= time && time < w.end);
}

// An instant as ISO-8601, or the raw number when it is out of Date's range.
function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

// Days rounded up to two decimals, so a span just over the limit never prints as the limit.
function formatDays(ms: number): string {
  return String(Math.ceil((ms / (24 * 60 * 60 * 1000)) * 100) / 100);
}
