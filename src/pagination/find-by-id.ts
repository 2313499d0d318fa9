/**
 * Finds records by id in one url-tasks window, which lists them by id descending
 * (docs/upstream.md#url-tasks, the order stable cursors rely on too). The first call reads the
 * window's top 100 and its total; a record not among them lies at the offset equal to the number
 * of records with a larger id, which the ids already seen bound from both sides. Within those
 * bounds the next call is placed by interpolating the ids (records of one task have consecutive
 * ids, so this usually lands on the record), and once a probe missed, by bisection. Every call
 * reads offsets nobody read yet, so the search ends; records of several ids share calls.
 *
 * `planIdSearch` is the pure step (what is known → the next calls), `findRecordsById` the loop.
 */
import { UPSTREAM_LIMIT } from './wants';

/** A record as far as the search cares: its id. */
export interface IdRecord {
  readonly id: number;
}

/** One call: `limit` records from `offset` (newest first). */
export interface OffsetCall {
  readonly offset: number;
  readonly limit: number;
}

/** What the calls so far revealed: the window's total (once one answered) and the record at each offset read. */
export interface WindowKnowledge<R extends IdRecord> {
  readonly total: number | undefined;
  readonly records: ReadonlyMap<number, R>;
}

/** The next calls, and the ids still searched with a call of their own in them (for counting probes). */
export interface SearchStep {
  readonly calls: OffsetCall[];
  readonly probing: number[];
}

/** Most rounds of calls: bisection over 100-record probes needs about log2(total / 100) of them. */
export const MAX_SEARCH_ROUNDS = 16;

/** Plans the next calls to find `ids` in a window, given what is known and how often each id was probed already. */
export function planIdSearch<R extends IdRecord>(ids: readonly number[], known: WindowKnowledge<R>, probes: ReadonlyMap<number, number>): SearchStep {
  if (known.total === undefined) return { calls: [{ offset: 0, limit: UPSTREAM_LIMIT }], probing: [] };
  const total = known.total;
  const seen = [...known.records].sort((a, b) => a[0] - b[0]);
  const seenIds = new Set(seen.map(([, r]) => r.id));
  const density = idDensity(seen);
  const ranges: Array<[number, number]> = [];
  const probing: number[] = [];
  for (const id of new Set(ids)) {
    if (seenIds.has(id)) continue;
    const gap = gapOf(id, seen, total);
    if (gap.lo >= gap.hi) continue; // absent: its neighbours in id order are adjacent
    if (gap.hi - gap.lo <= UPSTREAM_LIMIT) {
      ranges.push([gap.lo, gap.hi]);
      continue;
    }
    const centre = (probes.get(id) ?? 0) === 0 ? estimateOffset(id, gap, density) : (gap.lo + gap.hi) / 2;
    const from = Math.max(gap.lo, Math.min(Math.round(centre) - UPSTREAM_LIMIT / 2, gap.hi - UPSTREAM_LIMIT));
    ranges.push([from, from + UPSTREAM_LIMIT]);
    probing.push(id);
  }
  return { calls: toCalls(ranges, known.records), probing };
}

/**
 * Finds the records with these ids in one window: `fetch` reads `limit` records from `offset`
 * and returns the window's total with them. Returns the records found, by id; an id missing
 * from the map is not in the window.
 */
export async function findRecordsById<R extends IdRecord>(
  ids: readonly number[],
  fetch: (call: OffsetCall) => Promise<{ total: number; records: readonly R[] }>,
  maxRounds: number = MAX_SEARCH_ROUNDS,
): Promise<Map<number, R>> {
  let total: number | undefined;
  const records = new Map<number, R>();
  const probes = new Map<number, number>();
  for (let round = 0; round < maxRounds; round++) {
    const step = planIdSearch(ids, { total, records }, probes);
    if (step.calls.length === 0) break;
    const answers = await Promise.all(step.calls.map((call) => fetch(call)));
    step.calls.forEach((call, i) => {
      const answer = answers[i] as { total: number; records: readonly R[] };
      total = answer.total;
      answer.records.forEach((r, j) => records.set(call.offset + j, r));
    });
    for (const id of step.probing) probes.set(id, (probes.get(id) ?? 0) + 1);
  }
  const wanted = new Set(ids);
  const found = new Map<number, R>();
  for (const r of records.values()) if (wanted.has(r.id)) found.set(r.id, r);
  return found;
}

// Where a record with this id can be: offsets [lo, hi), between the nearest ids seen on each side.
interface Gap {
  readonly lo: number;
  readonly hi: number;
  readonly aboveId?: number;
  readonly belowId?: number;
}

// The offsets between the last record seen with a larger id and the first seen with a smaller one.
function gapOf(id: number, seen: ReadonlyArray<readonly [number, IdRecord]>, total: number): Gap {
  let lo = 0;
  let hi = total;
  let aboveId: number | undefined;
  let belowId: number | undefined;
  for (const [offset, r] of seen) {
    if (r.id > id && offset + 1 > lo) {
      lo = offset + 1;
      aboveId = r.id;
    }
    if (r.id < id && offset < hi) {
      hi = offset;
      belowId = r.id;
    }
  }
  return { lo, hi, ...(aboveId === undefined ? {} : { aboveId }), ...(belowId === undefined ? {} : { belowId }) };
}

// Records per id unit among the records seen (1 when ids are consecutive), from the widest pair.
function idDensity(seen: ReadonlyArray<readonly [number, IdRecord]>): number {
  const first = seen[0];
  const last = seen[seen.length - 1];
  if (!first || !last || first[1].id <= last[1].id) return 1;
  return Math.min(1, Math.max(1e-6, (last[0] - first[0]) / (first[1].id - last[1].id)));
}

// The likely offset of an id in its gap: interpolated between the ids on both sides, or extrapolated with the density seen.
function estimateOffset(id: number, gap: Gap, density: number): number {
  if (gap.aboveId !== undefined && gap.belowId !== undefined) {
    return gap.lo - 1 + ((gap.aboveId - id) / (gap.aboveId - gap.belowId)) * (gap.hi - gap.lo + 1);
  }
  if (gap.aboveId !== undefined) return gap.lo - 1 + (gap.aboveId - id) * density;
  if (gap.belowId !== undefined) return gap.hi - (id - gap.belowId) * density;
  return (gap.lo + gap.hi) / 2;
}

// Merges the wanted ranges, drops offsets already read, and cuts the rest into calls of at most 100.
function toCalls(ranges: ReadonlyArray<[number, number]>, read: ReadonlyMap<number, unknown>): OffsetCall[] {
  const offsets = new Set<number>();
  for (const [from, to] of ranges) for (let o = from; o < to; o++) if (!read.has(o)) offsets.add(o);
  const sorted = [...offsets].sort((a, b) => a - b);
  const calls: OffsetCall[] = [];
  for (const o of sorted) {
    const last = calls[calls.length - 1];
    if (last && o === last.offset + last.limit && last.limit < UPSTREAM_LIMIT) calls[calls.length - 1] = { offset: last.offset, limit: last.limit + 1 };
    else calls.push({ offset: o, limit: 1 });
  }
  return calls;
}
