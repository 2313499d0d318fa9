/**
 * Argument validation for url-tasks connections: Relay arguments and the filter in, a
 * `ConnectionPlan` out, or a BAD_USER_INPUT error whose message states the rule and the value
 * that broke it. The plan is what `stepConnection` (step.ts) executes.
 *
 * The Relay argument rules are those of every connection (args.ts). Decided here: a cursor
 * must have been issued for the same filter arguments (and scope), since the first page froze
 * the range end into it and the binding hash covers the filter and that end; and it must name
 * a record of the range.
 */
import { badUserInput } from '../errors';
import { checkBinding, checkRelayArgs, type CursorArgument, type RelayArgs } from './args';
import { bindFilter } from './binding';
import type { CursorSecret } from './cursor';
import { decodeUrlTaskCursor, type UrlTaskCursor } from './url-task-cursor';
import { checkRangeArgs, freezeRangeEnd, resolveRange, splitRange, type TimeWindow } from './windows';

/** The filter of `urlTasks`, as GraphQL hands it over (dates in epoch ms). */
export interface UrlTaskFilterArgs {
  readonly createdAfter?: number | null;
  readonly createdBefore?: number | null;
  readonly url?: string | null;
  readonly taskType?: string | null;
  readonly status?: string | null;
  readonly fileType?: string | null;
}

/** Relay arguments plus the filter. */
export interface ConnectionArgs extends RelayArgs {
  readonly filter?: UrlTaskFilterArgs | null;
}

/** Settings of url-tasks connections. */
export interface PaginationOptions {
  /** The secret cursors are signed with. */
  readonly cursorSecret: CursorSecret;
  /** The current time (epoch ms); a first page freezes the range end at it when `createdBefore` is absent or later. */
  readonly now: number;
  /** Records per page without `first`/`last`. @default 20 */
  readonly defaultPageSize?: number;
  /** Largest `first`/`last`; above 100 a page fans out into parallel upstream calls. @default 100 */
  readonly maxPageSize?: number;
  /** Longest accepted range. @default 31 */
  readonly maxRangeDays?: number;
  /** Names the connection so its cursors are refused elsewhere. @default 'urlTasks' */
  readonly scope?: string;
  /** Records fetched beyond a cursor's page, when they cost no extra call, to absorb small drifts. @default 10 */
  readonly driftSlack?: number;
}

/** Where a page starts: the list's start or end, or a cursor. */
export type PageAnchor =
  | { readonly kind: 'start' }
  | { readonly kind: 'end' }
  | { readonly kind: 'after'; readonly cursor: UrlTaskCursor }
  | { readonly kind: 'before'; readonly cursor: UrlTaskCursor };

/** The upstream filters the resolver adds to every fetch of the plan (absent = not filtered). */
export interface UpstreamFilter {
  readonly url?: string;
  readonly taskType?: string;
  readonly status?: string;
  readonly fileType?: string;
}

/** A validated connection request. */
export interface ConnectionPlan {
  readonly direction: 'forward' | 'backward';
  /** Records the page holds when enough exist. */
  readonly count: number;
  readonly anchor: PageAnchor;
  /** The range with its frozen end. */
  readonly range: TimeWindow;
  /** The range cut into ≤ 24 h windows, newest first; every fetch targets one of them. */
  readonly windows: readonly TimeWindow[];
  readonly filter: UpstreamFilter;
  /**
   * Whether a record can stop matching the filter (a status filter: statuses change).
   * Without one, records within the frozen range are only ever added, never removed, which
   * lets a forward page check its place without re-reading the cursor's record.
   */
  readonly volatile: boolean;
  /** The binding hash cursors of this connection carry. */
  readonly binding: string;
  readonly cursorSecret: CursorSecret;
  readonly driftSlack: number;
}

/** Default records per page. */
export const DEFAULT_PAGE_SIZE = 20;
/** Default largest page. */
export const DEFAULT_MAX_PAGE_SIZE = 100;
/** Default longest range, in days. */
export const DEFAULT_MAX_RANGE_DAYS = 31;
/** Default scope of url-tasks cursors. */
export const DEFAULT_SCOPE = 'urlTasks';

/** Validates arguments and plans the page; throws BAD_USER_INPUT naming the broken rule and value. */
export function planConnection(args: ConnectionArgs, options: PaginationOptions): ConnectionPlan {
  const settings = normalizeOptions(options);
  const { direction, count, cursor: given } = checkRelayArgs(args, settings);
  const filter = args.filter ?? {};
  checkRangeArgs(filter);

  const cursor = given ? decodeUrlTaskCursor(given.text, options.cursorSecret, given.argument) : undefined;
  const rangeEnd = cursor?.rangeEnd ?? freezeRangeEnd(filter, options.now);
  const binding = bindFilter(settings.scope, filter, rangeEnd);
  if (given && cursor) checkBinding(given.argument, cursor.binding, binding);
  const range = resolveRange(filter, { now: options.now, maxRangeDays: settings.maxRangeDays, frozenEnd: rangeEnd });
  const windows = splitRange(range);
  if (given && cursor) checkCursorPlace(cursor, windows, given.argument);

  return {
    direction,
    count,
    anchor: given && cursor ? { kind: given.argument, cursor } : { kind: direction === 'backward' ? 'end' : 'start' },
    range,
    windows,
    filter: upstreamFilter(filter),
    volatile: filter.status != null,
    binding,
    cursorSecret: options.cursorSecret,
    driftSlack: settings.driftSlack,
  };
}

// Options with their defaults, checked: a wrong setting is a programming error, not user input.
function normalizeOptions(options: PaginationOptions) {
  const settings = {
    defaultPageSize: options.defaultPageSize ?? DEFAULT_PAGE_SIZE,
    maxPageSize: options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE,
    maxRangeDays: options.maxRangeDays ?? DEFAULT_MAX_RANGE_DAYS,
    scope: options.scope ?? DEFAULT_SCOPE,
    driftSlack: options.driftSlack ?? 10,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0)) {
      throw new TypeError(`pagination option ${name} must be a non-negative integer; got ${value}`);
    }
  }
  if (settings.maxPageSize < 1 || settings.defaultPageSize > settings.maxPageSize) {
    throw new TypeError(
      `pagination options need 1 <= maxPageSize and defaultPageSize <= maxPageSize; got defaultPageSize ${settings.defaultPageSize}, maxPageSize ${settings.maxPageSize}`,
    );
  }
  if (!(options.maxRangeDays === undefined || options.maxRangeDays > 0)) {
    throw new TypeError(`pagination option maxRangeDays must be positive; got ${options.maxRangeDays}`);
  }
  if (!Number.isFinite(options.now)) throw new TypeError(`pagination option now must be epoch milliseconds; got ${options.now}`);
  return settings;
}

// A cursor that passed its signature and binding names a record of this range; anything else
// means the range rules changed since it was issued (e.g. MAX_RANGE_DAYS).
function checkCursorPlace(cursor: UrlTaskCursor, windows: readonly TimeWindow[], argument: CursorArgument): void {
  const window = windows[cursor.window];
  if (!window || cursor.createTime < window.start || cursor.createTime >= window.end) {
    throw badUserInput(`${argument} cursor points outside the filter's time range; start again without ${argument}`);
  }
}

// The filters the upstream applies, without the dates (the windows carry those).
function upstreamFilter(filter: UrlTaskFilterArgs): UpstreamFilter {
  return {
    ...(filter.url != null ? { url: filter.url } : {}),
    ...(filter.taskType != null ? { taskType: filter.taskType } : {}),
    ...(filter.status != null ? { status: filter.status } : {}),
    ...(filter.fileType != null ? { fileType: filter.fileType } : {}),
  };
}
