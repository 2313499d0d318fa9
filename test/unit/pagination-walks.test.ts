/**
 * Paging through thousands of records of a 31-day range, window after window, against the
 * fake upstream with nothing changing: the pages must list exactly the records in order, with
 * exact flags, and cost few calls.
 */
import { planConnection, type ConnectionArgs } from '../../src/pagination/plan';
import { type ConnectionPage } from '../../src/pagination/step';
import { decodeUrlTaskCursor } from '../../src/pagination/url-task-cursor';
import { WINDOW_MS } from '../../src/pagination/windows';
import { FakeUpstream, drive, seeded, spreadRecords, type FakeRecord } from './pagination-fake-upstream';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const SECRET = 'walks-test-secret';
const MONTH = { createdAfter: NOW - 31 * WINDOW_MS };
const OPTIONS = { cursorSecret: SECRET, now: NOW, maxPageSize: 500 };

/** 3000 records over 31 days, several per millisecond at times; days 10 to 12 left empty. */
const monthOfRecords = () =>
  new FakeUpstream(spreadRecords(3000, MONTH.createdAfter, NOW, 7).filter((r) => r.createTime < NOW - 13 * WINDOW_MS || r.createTime >= NOW - 10 * WINDOW_MS));

// A page reduced to what a client reads: ids, flags, and the ids its cursors point at.
function summary(page: ConnectionPage<FakeRecord>) {
  const idOf = (cursor: string | null) => (cursor === null ? null : decodeUrlTaskCursor(cursor, SECRET, 'after').id);
  return {
    ids: page.edges.map((e) => e.node.id),
    hasNextPage: page.pageInfo.hasNextPage,
    hasPreviousPage: page.pageInfo.hasPreviousPage,
    startId: idOf(page.pageInfo.startCursor),
    endId: idOf(page.pageInfo.endCursor),
  };
}

// The summary a page covering list[from, to) must have.
function expected(list: number[], from: number, to: number) {
  const ids = list.slice(Math.max(0, from), Math.min(list.length, to));
  return { ids, hasNextPage: to < list.length, hasPreviousPage: from > 0, startId: ids[0] ?? null, endId: ids[ids.length - 1] ?? null };
}

// Pages through the whole list in one direction; returns the pages' summaries and call counts.
function walk(upstream: FakeUpstream, direction: 'forward' | 'backward', size: number) {
  const pages: Array<ReturnType<typeof summary>> = [];
  const calls: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const args: ConnectionArgs = direction === 'forward' ? { first: size, after: cursor, filter: MONTH } : { last: size, before: cursor, filter: MONTH };
    const { page, calls: n } = drive(planConnection(args, OPTIONS), upstream);
    pages.push(summary(page));
    calls.push(n);
    const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) return { pages, calls };
    cursor = (direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor) as string;
  }
}

const upstream = monthOfRecords();
const list = upstream.listed(planConnection({ filter: MONTH }, OPTIONS));

test('the fixture spans 32 windows (the last 24 h, then UTC days from a noon) with empty days in between', () => {
  const plan = planConnection({ filter: MONTH }, OPTIONS);
  const perWindow = plan.windows.map((w) => upstream.answer({ window: w, offset: 0, limit: 1 }).total);
  expect({ windows: perWindow.length, empty: perWindow.flatMap((n, i) => (n === 0 ? [i] : [])) }).toEqual({ windows: 32, empty: [11, 12] });
  expect(list.length).toBeGreaterThan(2500);
});

describe.each([1, 7, 20, 99, 100, 150, 250])('pages of %d', (size) => {
  test('forwards: every record once, in order, with exact flags, at few calls', () => {
    const { pages, calls } = walk(upstream, 'forward', size);
    expect(pages).toEqual(pages.map((_, i) => expected(list, i * size, (i + 1) * size)));
    expect(calls.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(pages.length * Math.ceil(size / 100) + 3 * 31);
  });

  test('backwards: every record once, in order, with exact flags, at few calls', () => {
    const { pages, calls } = walk(upstream, 'backward', size);
    expect(pages).toEqual(pages.map((_, i) => expected(list, list.length - (i + 1) * size, list.length - i * size)));
    expect(calls.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(pages.length * Math.ceil(size / 100) + 3 * 31);
  });
});

test('any cursor, either direction, any size: exactly the neighbouring records and exact flags', () => {
  // Cursors as different page shapes issue them: with and without neighbours, at window ends.
  const cursors = new Map<number, string[]>();
  for (const [direction, size] of [['forward', 13], ['backward', 29], ['forward', 100], ['backward', 100]] as const) {
    let cursor: string | undefined;
    for (;;) {
      const args: ConnectionArgs = direction === 'forward' ? { first: size, after: cursor, filter: MONTH } : { last: size, before: cursor, filter: MONTH };
      const { page } = drive(planConnection(args, OPTIONS), upstream);
      for (const edge of page.edges) cursors.set(edge.node.id, [...(cursors.get(edge.node.id) ?? []), edge.cursor]);
      const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
      if (!more) break;
      cursor = (direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor) as string;
    }
  }
  const random = seeded(11);
  for (let i = 0; i < 400; i++) {
    const at = Math.floor(random() * list.length);
    const options = cursors.get(list[at] as number) as string[];
    const cursor = options[Math.floor(random() * options.length)] as string;
    const size = [0, 1, 2, 5, 50, 100, 101, 300][Math.floor(random() * 8)] as number;
    if (random() < 0.5) {
      const { page } = drive(planConnection({ first: size, after: cursor, filter: MONTH }, OPTIONS), upstream);
      const want = expected(list, at + 1, at + 1 + size);
      expect(summary(page)).toEqual(size === 0 ? { ...want, hasNextPage: at + 1 < list.length, hasPreviousPage: true } : { ...want, hasPreviousPage: true });
    } else {
      const { page } = drive(planConnection({ last: size, before: cursor, filter: MONTH }, OPTIONS), upstream);
      const want = expected(list, at - size, at);
      expect(summary(page)).toEqual(size === 0 ? { ...want, hasNextPage: true, hasPreviousPage: at > 0 } : { ...want, hasNextPage: true });
    }
  }
});

test('switching direction: last before a page start gives the page before it', () => {
  const first = drive(planConnection({ first: 37, filter: MONTH }, OPTIONS), upstream).page;
  const second = drive(planConnection({ first: 37, after: first.pageInfo.endCursor, filter: MONTH }, OPTIONS), upstream).page;
  const back = drive(planConnection({ last: 37, before: second.pageInfo.startCursor, filter: MONTH }, OPTIONS), upstream).page;
  expect(summary(back)).toEqual(summary(first));
});
