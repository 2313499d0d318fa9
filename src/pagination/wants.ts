/**
 * The fetches one round of a connection needs, gathered from the parts of the planner and
 * turned into as few upstream calls as possible: required offsets per window are merged and
 * cut into calls of at most `UPSTREAM_LIMIT` records; preferred offsets (a neighbour for the
 * next cursor, drift slack) ride along only where they cost no extra call.
 */
import type { TimeWindow } from './windows';

/** The most records one url-tasks call returns (the upstream's `limit` maximum). */
export const UPSTREAM_LIMIT = 100;

/** One upstream url-tasks call: a window and a slice of it; the resolver adds the filters. */
export interface FetchRequest {
  readonly window: TimeWindow;
  readonly offset: number;
  readonly limit: number;
}

/** Preference ranks: lower ranks claim free room first. */
export const RANK = { neighbour: 0, slack: 1 } as const;
/** A preference rank. */
export type Rank = (typeof RANK)[keyof typeof RANK];

/** Collects one round's needs and turns them into fetch requests. */
export class Wants {
  private readonly required = new Map<number, Array<[number, number]>>();
  private readonly preferred: Array<{ w: number; start: number; end: number; rank: Rank }> = [];
  private readonly totals = new Set<number>();

  constructor(
    private readonly windows: readonly TimeWindow[],
    private readonly totalOf: (w: number) => number | undefined,
  ) {}

  /** Requires the records at offsets `[start, end)` of window `w`. */
  require(w: number, start: number, end: number): void {
    const from = Math.max(0, start);
    if (end <= from) return;
    const list = this.required.get(w) ?? [];
    list.push([from, end]);
    this.required.set(w, list);
  }

  /** Asks for offsets `[start, end)` of window `w` if they fit into calls made anyway. */
  prefer(w: number, start: number, end: number, rank: Rank): void {
    if (end > Math.max(0, start)) this.preferred.push({ w, start: Math.max(0, start), end, rank });
  }

  /** Requires window `w`'s total (any call to the window returns it). */
  requireTotal(w: number): void {
    this.totals.add(w);
  }

  /** Tells whether anything must be fetched before the page can be built. */
  get pending(): boolean {
    return this.required.size > 0 || this.totals.size > 0;
  }

  /** Returns the round's calls: per window, merged ranges cut at `UPSTREAM_LIMIT`, windows newest first. */
  toRequests(): FetchRequest[] {
    const requests: FetchRequest[] = [];
    const windowIndexes = [...new Set([...this.required.keys(), ...this.totals])].sort((a, b) => a - b);
    const preferred = [...this.preferred].sort((a, b) => a.rank - b.rank);
    for (const w of windowIndexes) {
      const window = this.windows[w];
      if (!window) throw new RangeError(`window ${w} is not a window of the plan`);
      let ranges = coalesce(this.required.get(w) ?? [[0, 1]]);
      const total = this.totalOf(w);
      for (const pref of preferred) {
        if (pref.w !== w) continue;
        const end = Math.min(pref.end, total ?? Infinity);
        if (end > pref.start) ranges = coalesce(ranges.map((range) => extend(range, pref.start, end)));
      }
      for (const [start, end] of ranges) {
        for (let offset = start; offset < end; offset += UPSTREAM_LIMIT) {
          requests.push({ window, offset, limit: Math.min(UPSTREAM_LIMIT, end - offset) });
        }
      }
    }
    return requests;
  }
}

/** Returns how many calls fetching `length` consecutive records takes. */
export function callsFor(length: number): number {
  return Math.ceil(length / UPSTREAM_LIMIT);
}

// Sorts ranges and merges neighbours whenever the merged range takes no more calls.
function coalesce(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && callsFor(Math.max(end, last[1]) - last[0]) <= callsFor(last[1] - last[0]) + callsFor(end - start)) {
      last[1] = Math.max(last[1], end);
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}

// Grows a range toward [start, end) where it touches it, within the room its calls leave.
function extend(range: readonly [number, number], start: number, end: number): [number, number] {
  const [from, to] = range;
  if (start > to || end < from) return [from, to];
  let room = callsFor(to - from) * UPSTREAM_LIMIT - (to - from);
  const newTo = end > to ? Math.min(end, to + room) : to;
  room -= newTo - to;
  const newFrom = start < from ? Math.max(start, from - room) : from;
  return [newFrom, newTo];
}
