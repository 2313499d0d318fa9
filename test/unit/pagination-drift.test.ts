/**
 * Stable paging while records change: inserts within the frozen range, records entering and
 * leaving a status filter, changes between the rounds of one page. Paging must never repeat a
 * record and never skip one that matched throughout. And the economy: one call per page when
 * nothing drifted.
 */
import { planConnection, type ConnectionArgs, type PaginationOptions } from '../../src/pagination/plan';
import { WINDOW_MS } from '../../src/pagination/windows';
import { FakeUpstream, drive, seeded, spreadRecords } from './pagination-fake-upstream';

const HOUR = 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const SECRET = 'drift-test-secret';
const OPTIONS: PaginationOptions = { cursorSecret: SECRET, now: NOW, maxPageSize: 500 };
const FOUR_DAYS = NOW - 4 * WINDOW_MS;

interface Walk {
  /** Ids in list order, as the pages showed them. */
  readonly ids: number[];
  /** Upstream calls per page. */
  readonly calls: number[];
}

// Pages through a connection (at most `maxPages` pages); `betweenPages(page)` and `betweenRounds()` change the records.
function walk(
  upstream: FakeUpstream,
  direction: 'forward' | 'backward',
  size: number,
  filter: ConnectionArgs['filter'],
  betweenPages: (page: number) => void = () => {},
  betweenRounds: () => void = () => {},
  maxPages = 5000,
): Walk {
  const ids: number[] = [];
  const calls: number[] = [];
  let cursor: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const args: ConnectionArgs = direction === 'forward' ? { first: size, after: cursor, filter } : { last: size, before: cursor, filter };
    const driven = drive(planConnection(args, OPTIONS), upstream, betweenRounds);
    const pageIds = driven.page.edges.map((e) => e.node.id);
    if (direction === 'forward') ids.push(...pageIds);
    else ids.unshift(...pageIds);
    calls.push(driven.calls);
    const more = direction === 'forward' ? driven.page.pageInfo.hasNextPage : driven.page.pageInfo.hasPreviousPage;
    if (!more) return { ids, calls };
    expect(pageIds.length).toBeGreaterThan(0);
    cursor = (direction === 'forward' ? driven.page.pageInfo.endCursor : driven.page.pageInfo.startCursor) as string;
    betweenPages(page);
  }
  if (maxPages < 5000) return { ids, calls };
  throw new Error('paging did not end');
}

// The ids of `list` that are in `keep`, in list order.
const only = (list: readonly number[], keep: ReadonlySet<number>) => list.filter((id) => keep.has(id));

describe.each([
  ['forward', 1],
  ['forward', 20],
  ['forward', 100],
  ['forward', 150],
  ['backward', 1],
  ['backward', 20],
  ['backward', 100],
  ['backward', 150],
] as const)('%s pages of %d', (direction, size) => {
  test.each([1, 2, 3])('records created inside the frozen range between pages (seed %d)', (seed) => {
    const upstream = new FakeUpstream(spreadRecords(800, FOUR_DAYS, NOW, seed));
    const filter = { createdAfter: FOUR_DAYS };
    const original = upstream.listed(planConnection({ filter }, OPTIONS));
    const random = seeded(seed * 31);
    // Three records per page, anywhere in the range: before the cursor, after it, in other windows.
    const { ids } = walk(upstream, direction, size, filter, (page) => {
      for (let i = 0; i < 3 && page <= 40; i++) upstream.insert(FOUR_DAYS + Math.floor(random() * (NOW - FOUR_DAYS)));
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(only(ids, new Set(original))).toEqual(original);
  });

  test.each([1, 2, 3])('records entering and leaving a status filter between pages (seed %d)', (seed) => {
    const upstream = new FakeUpstream(spreadRecords(800, FOUR_DAYS, NOW, seed, ['PROCESSING', 'SUCCEED']));
    const filter = { createdAfter: FOUR_DAYS, status: 'PROCESSING' };
    const touched = new Set(upstream.records.filter((r) => r.status !== 'PROCESSING').map((r) => r.id));
    const random = seeded(seed * 17);
    const { ids } = walk(upstream, direction, size, filter, (page) => {
      for (let i = 0; i < 4 && page <= 60; i++) {
        const record = upstream.records[Math.floor(random() * upstream.records.length)] as (typeof upstream.records)[number];
        upstream.setStatus(record.id, record.status === 'PROCESSING' ? 'SUCCEED' : 'PROCESSING');
        touched.add(record.id);
      }
    });
    const throughout = new Set(upstream.records.filter((r) => !touched.has(r.id)).map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(only(ids, throughout)).toEqual(only(upstream.listed(planConnection({ filter }, OPTIONS)), throughout));
  });
});

test('records changing while pages are being built, in every direction, size and filter', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const random = seeded(seed);
    const start = NOW - (1 + Math.floor(random() * 5)) * WINDOW_MS;
    const volatile = random() < 0.5;
    const upstream = new FakeUpstream(spreadRecords(Math.floor(random() * 600), start, NOW, seed, ['PROCESSING', 'SUCCEED']));
    const filter = { createdAfter: start, ...(volatile ? { status: 'PROCESSING' } : {}) };
    const size = [1, 2, 3, 10, 20, 99, 100, 101, 150][Math.floor(random() * 9)] as number;
    const direction = random() < 0.5 ? 'forward' : 'backward';
    const initial = new Set(upstream.listed(planConnection({ filter }, OPTIONS)));
    const touched = new Set<number>();
    let changes = 0;
    const change = () => {
      if (changes++ > 120) return;
      const r = random();
      if (r < 0.3) touched.add(upstream.insert(start + Math.floor(random() * (NOW - start)), random() < 0.5 ? 'PROCESSING' : 'SUCCEED').id);
      else if (r < 0.6 && upstream.records.length > 0) {
        const record = upstream.records[Math.floor(random() * upstream.records.length)] as (typeof upstream.records)[number];
        upstream.setStatus(record.id, record.status === 'PROCESSING' ? 'SUCCEED' : 'PROCESSING');
        touched.add(record.id);
      }
    };
    const { ids } = walk(upstream, direction, size, filter, change, change);
    const throughout = new Set([...initial].filter((id) => !touched.has(id)));
    expect({ seed, duplicates: ids.length - new Set(ids).size }).toEqual({ seed, duplicates: 0 });
    expect({ seed, ids: only(ids, throughout) }).toEqual({ seed, ids: only(upstream.listed(planConnection({ filter }, OPTIONS)), throughout) });
  }
});

test('records created after the first page (the usual case) change nothing: same pages, one call each', () => {
  const make = () => new FakeUpstream(spreadRecords(2000, NOW - WINDOW_MS, NOW, 5));
  const still = walk(make(), 'forward', 20, {});
  const busy = make();
  let t = NOW;
  const live = walk(busy, 'forward', 20, {}, () => {
    for (let i = 0; i < 10; i++) busy.insert((t += 7));
  });
  expect(live).toEqual(still);
  expect(new Set(live.calls)).toEqual(new Set([1]));
});

test("the cursor's own record leaving the filter: the next page still starts right after it, and hasPreviousPage is exact", () => {
  const upstream = new FakeUpstream([1, 2, 3, 4, 5].map((i) => ({ id: 100 + i, createTime: NOW - (6 - i) * HOUR, status: 'PROCESSING' })));
  const filter = { status: 'PROCESSING' };
  const first = drive(planConnection({ first: 1, filter }, OPTIONS), upstream).page;
  upstream.setStatus(105, 'SUCCEED');
  const second = drive(planConnection({ first: 2, after: first.pageInfo.endCursor, filter }, OPTIONS), upstream).page;
  expect({ ids: second.edges.map((e) => e.node.id), hasPreviousPage: second.pageInfo.hasPreviousPage, hasNextPage: second.pageInfo.hasNextPage }).toEqual({
    ids: [104, 103],
    hasPreviousPage: false,
    hasNextPage: true,
  });
});

describe('economy when nothing drifts (one window of 5000 records)', () => {
  const dense = () => new FakeUpstream(spreadRecords(5000, NOW - WINDOW_MS, NOW, 9, ['PROCESSING']));
  const DAY = {};
  const STATUS = { status: 'PROCESSING' };

  test.each([1, 20, 99, 100])('forwards without a status filter: every page of %d costs one call', (size) => {
    expect(new Set(walk(dense(), 'forward', size, DAY, undefined, undefined, 300).calls)).toEqual(new Set([1]));
  });

  test.each([1, 20, 98, 99])('forwards with a status filter: every page of %d costs one call', (size) => {
    expect(new Set(walk(dense(), 'forward', size, STATUS, undefined, undefined, 300).calls)).toEqual(new Set([1]));
  });

  test('forwards with a status filter, pages of 100: a page after a neighbourless cursor costs one more call', () => {
    expect(walk(dense(), 'forward', 100, STATUS).calls.slice(0, 6)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  test.each([1, 20, 99])('backwards: the first page of %d needs the total (two calls), every other page one', (size) => {
    const { calls } = walk(dense(), 'backward', size, DAY, undefined, undefined, 300);
    expect({ first: calls[0], rest: new Set(calls.slice(1)) }).toEqual({ first: 2, rest: new Set([1]) });
  });

  test.each([
    [150, 2],
    [250, 3],
  ])('pages of %d fan out into %d calls each', (size, perPage) => {
    const { calls } = walk(dense(), 'forward', size, DAY);
    expect(new Set(calls.slice(0, -1))).toEqual(new Set([perPage]));
  });

  test('a small drift is absorbed by the slack of the same call; without slack it costs one more round', () => {
    const run = (driftSlack: number) => {
      const upstream = dense();
      const first = drive(planConnection({ first: 20, filter: STATUS }, { ...OPTIONS, driftSlack }), upstream).page;
      // Three records before the cursor finish: they leave the filter, the cursor moves up by 3.
      for (const edge of first.edges.slice(0, 3)) upstream.setStatus(edge.node.id, 'SUCCEED');
      const second = drive(planConnection({ first: 20, after: first.pageInfo.endCursor, filter: STATUS }, { ...OPTIONS, driftSlack }), upstream);
      const listed = upstream.listed(planConnection({ filter: STATUS }, OPTIONS));
      expect(second.page.edges.map((e) => e.node.id)).toEqual(listed.slice(17, 37));
      return second.rounds.length;
    };
    expect({ withSlack: run(10), withoutSlack: run(0) }).toEqual({ withSlack: 1, withoutSlack: 2 });
  });
});
