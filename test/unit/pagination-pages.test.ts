import { GatewayError } from '../../src/errors';
import { planConnection, type ConnectionArgs, type ConnectionPlan, type PaginationOptions } from '../../src/pagination/plan';
import { runConnectionPlan, type FetchWindow } from '../../src/pagination/run';
import { type ConnectionPage } from '../../src/pagination/step';
import { resolveTotalCount, sumTotalCount, totalCountRequests, windowsNeedingTotal } from '../../src/pagination/totals';
import { decodeUrlTaskCursor, encodeUrlTaskCursor, type UrlTaskCursor } from '../../src/pagination/url-task-cursor';
import { type FetchRequest } from '../../src/pagination/wants';
import { WINDOW_MS } from '../../src/pagination/windows';
import type { ListedUrlTaskModel, UrlTaskPage } from '../../src/cdn/models';
import { FakeUpstream, drive, type FakeRecord } from './pagination-fake-upstream';

const HOUR = 60 * 60 * 1000;
// A UTC midnight: the windows behind `now` are then whole UTC days, W0, W1, W2 (windows.ts; partial
// windows are pagination-windows' and pagination-walks' business).
const NOW = Date.UTC(2026, 10, 25, 0, 0, 0);
const SECRET = 'pages-test-secret';
const OPTIONS: PaginationOptions = { cursorSecret: SECRET, now: NOW };
const W0 = { start: NOW - WINDOW_MS, end: NOW };
const W1 = { start: NOW - 2 * WINDOW_MS, end: NOW - WINDOW_MS };
const W2 = { start: NOW - 3 * WINDOW_MS, end: NOW - 2 * WINDOW_MS };

/** Five records in the last 24 h, one an hour: ids 101 (oldest) to 105 (newest). */
const fiveInOneDay = () => new FakeUpstream([1, 2, 3, 4, 5].map((i) => ({ id: 100 + i, createTime: NOW - (6 - i) * HOUR })));
/** Three days: two records in the newest, none in the middle, three in the oldest. */
const sparseThreeDays = () =>
  new FakeUpstream([
    { id: 199, createTime: W2.start + HOUR },
    { id: 200, createTime: W2.start + 2 * HOUR },
    { id: 201, createTime: W2.start + 3 * HOUR },
    { id: 202, createTime: W0.start + HOUR },
    { id: 203, createTime: W0.start + 2 * HOUR },
  ]);
const THREE_DAYS = { createdAfter: W2.start };

// Plans and drives one page against the fake.
function pageOf(upstream: FakeUpstream, args: ConnectionArgs, options: Partial<PaginationOptions> = {}) {
  const plan = planConnection(args, { ...OPTIONS, ...options });
  return { plan, ...drive(plan, upstream) };
}

// The cursor the planner must issue for a record, given what it saw around it.
function cursor(plan: ConnectionPlan, data: Omit<UrlTaskCursor, 'binding' | 'rangeEnd' | 'createTime'>, upstream: FakeUpstream): string {
  const record = upstream.records.find((r) => r.id === data.id) as FakeRecord;
  return encodeUrlTaskCursor({ binding: plan.binding, rangeEnd: plan.range.end, createTime: record.createTime, ...data }, SECRET);
}

// The expected page: edges from the cursor data of each record, flags and totals seen.
function expectedPage(
  plan: ConnectionPlan,
  upstream: FakeUpstream,
  edges: Array<Omit<UrlTaskCursor, 'binding' | 'rangeEnd' | 'createTime'>>,
  flags: { hasNextPage: boolean; hasPreviousPage: boolean },
  totals: Array<number | null>,
): ReadablePage {
  const built = edges.map((data) => ({ node: { ...(upstream.records.find((r) => r.id === data.id) as FakeRecord) }, cursor: cursor(plan, data, upstream) }));
  return readable({
    nodes: built.map((edge) => edge.node),
    edges: built,
    pageInfo: { ...flags, startCursor: built[0]?.cursor ?? null, endCursor: built[built.length - 1]?.cursor ?? null },
    windowTotals: plan.windows.map((window, i) => ({ window, total: totals[i] ?? null })),
  });
}

// A page whose cursors are decoded.
interface ReadablePage {
  readonly nodes: readonly FakeRecord[];
  readonly edges: ReadonlyArray<{ node: FakeRecord; cursor: UrlTaskCursor }>;
  readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: UrlTaskCursor | null; endCursor: UrlTaskCursor | null };
  readonly windowTotals: ConnectionPage<FakeRecord>['windowTotals'];
}

// The page with every cursor decoded, so a failing comparison shows what differs.
function readable(page: ConnectionPage<FakeRecord>): ReadablePage {
  const decode = (text: string) => decodeUrlTaskCursor(text, SECRET, 'after');
  return {
    nodes: page.nodes,
    edges: page.edges.map((edge) => ({ node: edge.node, cursor: decode(edge.cursor) })),
    pageInfo: {
      ...page.pageInfo,
      startCursor: page.pageInfo.startCursor === null ? null : decode(page.pageInfo.startCursor),
      endCursor: page.pageInfo.endCursor === null ? null : decode(page.pageInfo.endCursor),
    },
    windowTotals: page.windowTotals,
  };
}

describe('pages of one window', () => {
  test('a first page: one call with a look-ahead record, so its end cursor knows the next id', () => {
    const upstream = fiveInOneDay();
    const { plan, page, rounds } = pageOf(upstream, { first: 2 });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 3 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 0, offset: 0, id: 105, nextId: 104 },
        { window: 0, offset: 1, id: 104, nextId: 103, prevId: 105 },
      ], { hasNextPage: true, hasPreviousPage: false }, [5]),
    );
  });

  test('the next pages: one call each, drift slack included, up to the last record', () => {
    const upstream = fiveInOneDay();
    const first = pageOf(upstream, { first: 2 });
    const second = pageOf(upstream, { first: 2, after: first.page.pageInfo.endCursor });
    expect(second.rounds).toEqual([[{ window: W0, offset: 2, limit: 13 }]]);
    expect(readable(second.page)).toEqual(expectedPage(second.plan, upstream, [
        // Without a status filter the page needs no proof record: 104 was not fetched again.
        { window: 0, offset: 2, id: 103, nextId: 102 },
        { window: 0, offset: 3, id: 102, nextId: 101, prevId: 103 },
      ], { hasNextPage: true, hasPreviousPage: true }, [5]),
    );
    const third = pageOf(upstream, { first: 2, after: second.page.pageInfo.endCursor });
    expect(third.calls).toBe(1);
    expect(readable(third.page)).toEqual(expectedPage(third.plan, upstream, [{ window: 0, offset: 4, id: 101, nextId: 'window-end' }], { hasNextPage: false, hasPreviousPage: true }, [5]),
    );
  });

  test('last without before: the oldest records; the first call also tells the total', () => {
    const upstream = fiveInOneDay();
    const { plan, page, rounds } = pageOf(upstream, { last: 2 });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 100 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 0, offset: 3, id: 102, nextId: 101, prevId: 103 },
        { window: 0, offset: 4, id: 101, nextId: 'window-end', prevId: 102 },
      ], { hasNextPage: false, hasPreviousPage: true }, [5]),
    );
  });

  test('last before a cursor: the records just before it, in list order', () => {
    const upstream = fiveInOneDay();
    const end = pageOf(upstream, { last: 2 });
    const { plan, page, rounds } = pageOf(upstream, { last: 2, before: end.page.pageInfo.startCursor });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 13 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 0, offset: 1, id: 104, nextId: 103, prevId: 105 },
        { window: 0, offset: 2, id: 103, nextId: 102, prevId: 104 },
      ], { hasNextPage: true, hasPreviousPage: true }, [5]),
    );
  });

  test('a page larger than the window: every record, no next page', () => {
    const upstream = fiveInOneDay();
    const { page, rounds } = pageOf(upstream, { first: 10 });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 11 }]]);
    expect(page.edges.map((e) => e.node.id)).toEqual([105, 104, 103, 102, 101]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  test('first: 0 and last: 0: no edges, null cursors, flags from one limit=1 call', () => {
    const upstream = fiveInOneDay();
    const forward = pageOf(upstream, { first: 0 });
    expect(forward.rounds).toEqual([[{ window: W0, offset: 0, limit: 1 }]]);
    expect(readable(forward.page)).toEqual(expectedPage(forward.plan, upstream, [], { hasNextPage: true, hasPreviousPage: false }, [5]));
    const backward = pageOf(upstream, { last: 0 });
    expect(readable(backward.page)).toEqual(expectedPage(backward.plan, upstream, [], { hasNextPage: false, hasPreviousPage: true }, [5]));
  });

  test('no matching record: an empty page after one call', () => {
    const upstream = fiveInOneDay();
    const { plan, page, rounds } = pageOf(upstream, { first: 3, filter: { status: 'FAILED' } });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 4 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [], { hasNextPage: false, hasPreviousPage: false }, [0]));
  });

  test('a range in the future: an empty page without any call', () => {
    const { page, rounds } = pageOf(fiveInOneDay(), { first: 3, filter: { createdAfter: NOW + HOUR } });
    expect(rounds).toEqual([]);
    expect(page).toEqual({ nodes: [], edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, windowTotals: [] });
  });
});

describe('pages across windows', () => {
  test('forwards, window by window, skipping an empty one; each window entered is asked for a whole page and its neighbour, the same call whatever is left to fill', () => {
    const upstream = sparseThreeDays();
    const { plan, page, rounds } = pageOf(upstream, { first: 3, filter: THREE_DAYS });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 4 }], [{ window: W1, offset: 0, limit: 4 }], [{ window: W2, offset: 0, limit: 4 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 0, offset: 0, id: 203, nextId: 202 },
        { window: 0, offset: 1, id: 202, nextId: 'window-end', prevId: 203 },
        { window: 2, offset: 0, id: 201, nextId: 200 },
      ], { hasNextPage: true, hasPreviousPage: false }, [2, 0, 3]),
    );
  });

  test('after the last record of a window: the next windows, and one limit=1 call for hasPreviousPage in the same round', () => {
    const upstream = sparseThreeDays();
    const first = pageOf(upstream, { first: 2, filter: THREE_DAYS });
    const { plan, page, rounds } = pageOf(upstream, { first: 2, after: first.page.pageInfo.endCursor, filter: THREE_DAYS });
    expect(rounds).toEqual([
      [
        { window: W0, offset: 0, limit: 1 },
        { window: W1, offset: 0, limit: 3 },
      ],
      [{ window: W2, offset: 0, limit: 3 }],
    ]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 2, offset: 0, id: 201, nextId: 200 },
        { window: 2, offset: 1, id: 200, nextId: 199, prevId: 201 },
      ], { hasNextPage: true, hasPreviousPage: true }, [2, 0, 3]),
    );
  });

  test('a page ending at a window end asks the next window whether anything follows', () => {
    const upstream = sparseThreeDays();
    const { page, rounds } = pageOf(upstream, { first: 2, filter: THREE_DAYS });
    expect(rounds).toEqual([[{ window: W0, offset: 0, limit: 3 }], [{ window: W1, offset: 0, limit: 1 }], [{ window: W2, offset: 0, limit: 1 }]]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  test('backwards from the end, window by window', () => {
    const upstream = sparseThreeDays();
    const { plan, page, rounds } = pageOf(upstream, { last: 4, filter: THREE_DAYS });
    expect(rounds).toEqual([[{ window: W2, offset: 0, limit: 100 }], [{ window: W1, offset: 0, limit: 100 }], [{ window: W0, offset: 0, limit: 100 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 0, offset: 1, id: 202, nextId: 'window-end', prevId: 203 },
        { window: 2, offset: 0, id: 201, nextId: 200 },
        { window: 2, offset: 1, id: 200, nextId: 199, prevId: 201 },
        { window: 2, offset: 2, id: 199, nextId: 'window-end', prevId: 200 },
      ], { hasNextPage: false, hasPreviousPage: true }, [2, 0, 3]),
    );
  });

  test('before the first record of a window: the previous windows, and one limit=1 call for hasNextPage', () => {
    const upstream = sparseThreeDays();
    const end = pageOf(upstream, { last: 3, filter: THREE_DAYS });
    const { plan, page, rounds } = pageOf(upstream, { last: 3, before: end.page.pageInfo.startCursor, filter: THREE_DAYS });
    expect(rounds).toEqual([[{ window: W1, offset: 0, limit: 100 }, { window: W2, offset: 0, limit: 1 }], [{ window: W0, offset: 0, limit: 100 }]]);
    expect(readable(page)).toEqual(expectedPage(plan, upstream, [
        { window: 0, offset: 0, id: 203, nextId: 202 },
        { window: 0, offset: 1, id: 202, nextId: 'window-end', prevId: 203 },
      ], { hasNextPage: true, hasPreviousPage: false }, [2, 0, 3]),
    );
  });

  test('empty windows are probed in growing batches', () => {
    const start = NOW - 20 * WINDOW_MS;
    const upstream = new FakeUpstream([{ id: 1, createTime: start + HOUR }]);
    const { page, rounds } = pageOf(upstream, { first: 5, filter: { createdAfter: start } });
    expect(rounds.map((round) => round.length)).toEqual([1, 2, 4, 8, 5]);
    expect(page.edges.map((e) => e.node.id)).toEqual([1]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });
});

describe('totalCount', () => {
  test('adds only the windows the page did not fetch, one limit=1 call each', async () => {
    const upstream = sparseThreeDays();
    const { page } = pageOf(upstream, { first: 1, filter: THREE_DAYS });
    expect(windowsNeedingTotal(page)).toEqual([W1, W2]);
    expect(totalCountRequests(page)).toEqual([
      { window: W1, offset: 0, limit: 1 },
      { window: W2, offset: 0, limit: 1 },
    ]);
    const calls: FetchRequest[] = [];
    const total = await resolveTotalCount(page, async (request) => {
      calls.push(request);
      return upstream.answer(request);
    });
    expect({ total, calls: calls.length }).toEqual({ total: 5, calls: 2 });
  });

  test('costs nothing when the page saw every window', async () => {
    const upstream = sparseThreeDays();
    const { page } = pageOf(upstream, { first: 5, filter: THREE_DAYS });
    expect(await resolveTotalCount(page, () => Promise.reject(new Error('no call expected')))).toBe(5);
  });

  test('sumTotalCount refuses answers that do not line up with the missing windows', () => {
    const { page } = pageOf(sparseThreeDays(), { first: 1, filter: THREE_DAYS });
    expect(() => sumTotalCount(page, [{ total: 1 }])).toThrow('sumTotalCount needs one answer per window without a total (2); got 1');
    expect(sumTotalCount(page, [{ total: 0 }, { total: 3 }])).toBe(5);
  });
});

describe('pages over 100 records fan out', () => {
  const dense = () => new FakeUpstream(Array.from({ length: 600 }, (_, i) => ({ id: 1 + i, createTime: W0.start + i * 1000 })));
  const big = { maxPageSize: 500 };

  test.each([
    [150, [[0, 100], [100, 51]]],
    [250, [[0, 100], [100, 100], [200, 51]]],
    [300, [[0, 100], [100, 100], [200, 100]]],
  ])('first: %d takes ceil(n / 100) calls in one round (a look-ahead only where it fits)', (first, slices) => {
    const { page, rounds } = pageOf(dense(), { first }, big);
    expect(rounds).toEqual([slices.map(([offset, limit]) => ({ window: W0, offset, limit }))]);
    expect(page.edges.map((e) => e.node.id)).toEqual(Array.from({ length: first }, (_, i) => 600 - i));
  });

  test('after a cursor too', () => {
    const upstream = dense();
    const first = pageOf(upstream, { first: 150 }, big);
    const second = pageOf(upstream, { first: 150, after: first.page.pageInfo.endCursor }, big);
    expect(second.rounds).toEqual([[{ window: W0, offset: 150, limit: 100 }, { window: W0, offset: 250, limit: 61 }]]);
    expect(second.page.edges.map((e) => e.node.id)).toEqual(Array.from({ length: 150 }, (_, i) => 450 - i));
  });

  test('runConnectionPlan runs a round in parallel', async () => {
    const upstream = dense();
    const plan = planConnection({ first: 300 }, { ...OPTIONS, ...big });
    let inFlight = 0;
    let peak = 0;
    const page = await runConnectionPlan(plan, async (request) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return upstream.answer(request);
    });
    expect({ peak, calls: upstream.calls.length, edges: page.edges.length }).toEqual({ peak: 3, calls: 3, edges: 300 });
  });
});

describe('runConnectionPlan', () => {
  test('pages UrlTaskModel records as the CDN client returns them', async () => {
    const record = (id: number): ListedUrlTaskModel => ({
      id,
      url: `https://a.example/${id}`,
      status: 'SUCCEED',
      type: 'REFRESH',
      taskId: '7',
      createTime: NOW - id * 1000,
      modifyTime: NOW,
      fileType: 'FILE',
      mode: null,
      failClassify: null,
      failDesc: null,
    });
    const fetch: FetchWindow<ListedUrlTaskModel> = async (request): Promise<UrlTaskPage> => ({ total: 3, count: 2, records: [record(3), record(2), record(1)].slice(request.offset, request.offset + request.limit) });
    const page = await runConnectionPlan(planConnection({ first: 2 }, OPTIONS), fetch);
    expect(page.edges.map((e) => e.node)).toEqual([record(3), record(2)]);
  });

  test('passes a failed fetch through unchanged', async () => {
    const failure = new GatewayError('UPSTREAM_TIMEOUT');
    await expect(runConnectionPlan(planConnection({}, OPTIONS), () => Promise.reject(failure))).rejects.toBe(failure);
  });

  test('gives up with a retryable UPSTREAM_ERROR when records keep changing', async () => {
    const upstream = fiveInOneDay();
    const first = pageOf(upstream, { first: 2, filter: { status: 'SUCCEED' } });
    const plan = planConnection({ first: 2, after: first.page.pageInfo.endCursor, filter: { status: 'SUCCEED' } }, { ...OPTIONS, driftSlack: 0 });
    // Before every call 150 records appear before the cursor: the cut moves past every search.
    let time = NOW - 90 * 60 * 1000;
    const error = await runConnectionPlan(
      plan,
      async (request) => {
        for (let i = 0; i < 150; i++) upstream.insert((time += 1));
        return upstream.answer(request, 'SUCCEED');
      },
      { maxRounds: 3 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: true,
      message: 'url-task records changed faster than the gateway could page through them (gave up after 3 rounds of upstream calls); retry the request',
    });
  });
});
