/**
 * What the fetches of one connection request have shown so far: per window, the latest total
 * and the records seen at each offset. A window can change between two rounds; records seen
 * before the change would then sit at stale offsets, and mixing them with fresh ones could
 * hide a record. So when an answer shows a different total, or records that no longer line up
 * (ids not strictly descending with the offset), only that answer's records of the window are
 * kept, and the planner fetches again what it still needs.
 */
import type { FetchRequest } from './wants';
import type { TimeWindow } from './windows';

/** What the planner needs of a record: its id (list order, descending) and creation time. */
export interface PageRecord {
  readonly id: number;
  readonly createTime: number;
}

/** The upstream's answer to one fetch request. */
export interface FetchResult<R> {
  /** All records of the window matching the filters. */
  readonly total: number;
  /** The records at `[offset, offset + limit)`, id descending. */
  readonly records: readonly R[];
}

/** A fetch request with its answer. */
export interface Fetched<R> {
  readonly request: FetchRequest;
  readonly result: FetchResult<R>;
}

/** An index of fetched results by window and offset. */
export class Knowledge<R extends PageRecord> {
  private readonly totals: Array<number | undefined>;
  private readonly records: Array<Map<number, R>>;
  private readonly fetchCounts: number[];

  constructor(windows: readonly TimeWindow[], fetched: ReadonlyArray<Fetched<R>>) {
    this.totals = windows.map(() => undefined);
    this.records = windows.map(() => new Map());
    this.fetchCounts = windows.map(() => 0);
    const indexOf = new Map(windows.map((w, i) => [windowKey(w), i]));
    for (const { request, result } of fetched) {
      const w = indexOf.get(windowKey(request.window));
      if (w === undefined) throw new RangeError(`fetched window [${request.window.start}, ${request.window.end}) is not a window of the plan`);
      const seen = this.records[w] as Map<number, R>;
      if (this.totals[w] !== undefined && this.totals[w] !== result.total) seen.clear();
      this.totals[w] = result.total;
      this.fetchCounts[w] = (this.fetchCounts[w] ?? 0) + 1;
      // The first answer of a window (the usual case) only needs its own order checked.
      const alone = seen.size === 0;
      setAll(seen, request.offset, result.records);
      if (alone ? !descendingList(result.records) : !descending(seen)) {
        seen.clear();
        setAll(seen, request.offset, result.records);
      }
    }
  }

  /** Returns window `w`'s latest total, if any call to it has answered. */
  total(w: number): number | undefined {
    return this.totals[w];
  }

  /** Returns how many calls to window `w` have answered. */
  fetches(w: number): number {
    return this.fetchCounts[w] ?? 0;
  }

  /** Returns the record seen at offset `o` of window `w`, if seen and still within the total. */
  record(w: number, o: number): R | undefined {
    if (o >= (this.totals[w] ?? Infinity)) return undefined;
    return this.records[w]?.get(o);
  }

  /** Returns the offsets and records seen in window `w` within its total, by offset. */
  entries(w: number): Array<[number, R]> {
    const total = this.totals[w] ?? Infinity;
    return [...(this.records[w] ?? new Map<number, R>())].filter(([o]) => o < total).sort((a, b) => a[0] - b[0]);
  }
}

// Records the answer's records at their offsets.
function setAll<R>(seen: Map<number, R>, offset: number, records: readonly R[]): void {
  for (let i = 0; i < records.length; i++) seen.set(offset + i, records[i] as R);
}

// Whether the ids of a list of records strictly decrease.
function descendingList(records: readonly PageRecord[]): boolean {
  for (let i = 1; i < records.length; i++) if ((records[i - 1] as PageRecord).id <= (records[i] as PageRecord).id) return false;
  return true;
}

// Whether ids strictly decrease as offsets grow, as they do in one state of a window.
function descending(seen: ReadonlyMap<number, PageRecord>): boolean {
  const byOffset = [...seen].sort((a, b) => a[0] - b[0]);
  return byOffset.every(([, record], i) => i === 0 || (byOffset[i - 1] as [number, PageRecord])[1].id > record.id);
}

// Windows are identified by their bounds: fetch requests carry no index.
function windowKey(window: TimeWindow): string {
  return `${window.start}:${window.end}`;
}
