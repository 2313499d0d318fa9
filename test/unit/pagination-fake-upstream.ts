/**
 * A pure in-memory stand-in for url-tasks, for the pagination unit tests only: records
 * filtered by create_time window [start, end) and status, ordered by id descending, sliced by
 * offset/limit, with the window's total. It refuses what the real upstream refuses (spans
 * over 24 h, limit outside 1..100), so a planner bug shows up as a thrown error.
 */
import { type FetchResult, type Fetched } from '../../src/pagination/knowledge';
import { type ConnectionPlan } from '../../src/pagination/plan';
import { stepConnection, type ConnectionPage } from '../../src/pagination/step';
import { type FetchRequest } from '../../src/pagination/wants';
import { WINDOW_MS } from '../../src/pagination/windows';

/** A record of the fake upstream. */
export interface FakeRecord {
  readonly id: number;
  readonly createTime: number;
  status: string;
}

/** The fake upstream: mutable records and a log of every call. */
export class FakeUpstream {
  readonly records: FakeRecord[];
  readonly calls: FetchRequest[] = [];

  constructor(records: ReadonlyArray<{ id: number; createTime: number; status?: string }>) {
    this.records = records.map((r) => ({ id: r.id, createTime: r.createTime, status: r.status ?? 'SUCCEED' }));
  }

  /** Answers one url-tasks call with the plan's status filter. */
  answer(request: FetchRequest, status?: string): FetchResult<FakeRecord> {
    const { window, offset, limit } = request;
    if (!(window.start < window.end) || window.end - window.start > WINDOW_MS) throw new Error(`bad window ${JSON.stringify(window)}`);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100)) throw new Error(`bad limit ${limit}`);
    if (!(Number.isInteger(offset) && offset >= 0)) throw new Error(`bad offset ${offset}`);
    this.calls.push(request);
    const matching = this.records
      .filter((r) => r.createTime >= window.start && r.createTime < window.end && (status === undefined || r.status === status))
      .sort((a, b) => b.id - a.id);
    return { total: matching.length, records: matching.slice(offset, offset + limit).map((r) => ({ ...r })) };
  }

  /** Adds a record with the next id (ids only grow), created at `createTime`. */
  insert(createTime: number, status = 'SUCCEED'): FakeRecord {
    const record = { id: Math.max(0, ...this.records.map((r) => r.id)) + 1, createTime, status };
    this.records.push(record);
    return record;
  }

  /** Changes a record's status. */
  setStatus(id: number, status: string): void {
    const record = this.records.find((r) => r.id === id);
    if (!record) throw new Error(`no record ${id}`);
    record.status = status;
  }

  /** The records a plan's range and status filter match, in list order (id descending within windows, windows newest first). */
  listed(plan: ConnectionPlan): number[] {
    return plan.windows.flatMap((window) =>
      this.records
        .filter((r) => r.createTime >= window.start && r.createTime < window.end && (plan.filter.status === undefined || r.status === plan.filter.status))
        .sort((a, b) => b.id - a.id)
        .map((r) => r.id),
    );
  }
}

/** A page and the rounds of calls it took. */
export interface Driven {
  readonly page: ConnectionPage<FakeRecord>;
  readonly rounds: FetchRequest[][];
  readonly calls: number;
}

/**
 * Runs a plan against the fake synchronously, one round of `stepConnection` at a time;
 * `between(round)` may change the records between rounds (drift while a page is built).
 */
export function drive(plan: ConnectionPlan, upstream: FakeUpstream, between?: (round: number) => void, maxRounds = 40): Driven {
  const fetched: Array<Fetched<FakeRecord>> = [];
  const rounds: FetchRequest[][] = [];
  for (;;) {
    const step = stepConnection(plan, fetched);
    if (step.kind === 'page') return { page: step.page, rounds, calls: rounds.reduce((n, r) => n + r.length, 0) };
    if (rounds.length >= maxRounds) throw new Error(`no page after ${maxRounds} rounds`);
    between?.(rounds.length);
    rounds.push([...step.requests]);
    for (const request of step.requests) fetched.push({ request, result: upstream.answer(request, plan.filter.status) });
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so big scenarios repeat exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` records spread over `[start, end)` with ids increasing with create_time; some share
 * a millisecond (as URLs of one task do).
 */
export function spreadRecords(count: number, start: number, end: number, seed = 1, statuses: readonly string[] = ['SUCCEED']): FakeRecord[] {
  const random = seeded(seed);
  const times = Array.from({ length: count }, () => start + Math.floor(random() * (end - start))).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) if (random() < 0.2) times[i] = times[i - 1] as number;
  return times.map((createTime, i) => ({ id: 1000 + i, createTime, status: statuses[Math.floor(random() * statuses.length)] as string }));
}
