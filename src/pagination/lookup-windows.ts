/**
 * Windows for finding objects by creation time. A lookup of a record or task that the
 * task-detail API no longer holds reads url-tasks or historytasks in a narrow window around
 * the creation time its global id carries (docs/architecture.md, "Lookups past the detail
 * retention"); ids created close together share one window, hence its calls. Pure.
 */

/** Margin on each side of a creation time: the upstream's inclusive/exclusive bounds are assumptions (docs/upstream.md#url-tasks). */
export const LOOKUP_PAD_MS = 1000;
/**
 * url-tasks: times further apart than this start a window of their own. The stretch between
 * them costs nothing, but the records in it would: finding a record in a crowded window takes
 * more calls. historytasks reads up to 1000 tasks per call, so for tasks one window may span the
 * longest window (`TASK_LOOKUP_GAP_MS`).
 */
export const LOOKUP_GAP_MS = 15 * 60 * 1000;
/** Longest window: url-tasks refuses spans over 24 hours (docs/upstream.md#24-hour-span). */
export const MAX_LOOKUP_WINDOW_MS = 24 * 3600 * 1000;

/** The gap for task lookups: any times within one longest window share it. */
export const TASK_LOOKUP_GAP_MS = 24 * 3600 * 1000;

/** A half-open window `[start, end)` and the indexes (into the times given) of the times it holds. */
export interface LookupWindow {
  readonly start: number;
  readonly end: number;
  readonly members: readonly number[];
}

/**
 * Groups creation times into as few windows as keep them close: times are taken in order and
 * join the current window while they lie within `gapMs` of its latest time and the window,
 * padded by LOOKUP_PAD_MS on each side, stays within MAX_LOOKUP_WINDOW_MS.
 */
export function groupLookupWindows(times: readonly number[], gapMs: number = LOOKUP_GAP_MS): LookupWindow[] {
  const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
  const windows: Array<{ start: number; end: number; latest: number; members: number[] }> = [];
  for (const i of order) {
    const t = times[i] as number;
    const current = windows[windows.length - 1];
    const end = t + LOOKUP_PAD_MS + 1;
    if (current && t - current.latest <= gapMs && end - current.start <= MAX_LOOKUP_WINDOW_MS) {
      current.end = end;
      current.latest = t;
      current.members.push(i);
    } else {
      windows.push({ start: Math.max(0, t - LOOKUP_PAD_MS), end, latest: t, members: [i] });
    }
  }
  return windows.map(({ start, end, members }) => ({ start, end, members }));
}

/** Counts the windows `groupLookupWindows` makes of these times (the first call each costs). */
export function countLookupWindows(times: readonly number[], gapMs: number = LOOKUP_GAP_MS): number {
  return groupLookupWindows(times, gapMs).length;
}
