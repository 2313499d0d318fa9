/**
 * Query.urlTasks through real GraphQL requests against the simulator: paging both ways with
 * exact flags, windows across 24-hour borders, argument errors, upstream economy and fan-out.
 */
import { OPS, startStack, type Stack } from '../support/stack';
import { createTruthClient, readAllRecords } from '../support/truth';
import { toUrlTaskGlobalId } from '../../src/graph/ids';
import type { CdnClient } from '../../src/cdn/client';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const UNLIMITED = { 'url-tasks': 0, detail: 0, historytasks: 0 };

interface Page {
  urlTasks: {
    edges: Array<{ cursor: string; node: { id: string } }>;
    nodes: Array<{ id: string }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    totalCount?: number;
  };
}

const PAGE_QUERY = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: UrlTaskFilter) {
  urlTasks(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe('Query.urlTasks', () => {
  let stack: Stack;
  let truth: CdnClient;
  // The data clock is frozen so that the simulator's data does not move under the tests.
  const now = Date.UTC(2026, 10, 20, 12, 0, 0);

  beforeAll(async () => {
    stack = await startStack({ simulator: { rateLimits: UNLIMITED, now: () => now } });
    truth = createTruthClient(stack.simulator.url);
  });
  afterAll(async () => {
    await truth?.close();
    await stack?.close();
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  const ids = (records: Array<{ id: number; taskId: string; createTime: number | null }>) => records.map((r) => toUrlTaskGlobalId(r.taskId, r.id, r.createTime));

  async function page(variables: Record<string, unknown>): Promise<Page['urlTasks']> {
    const res = await stack.query<Page>(PAGE_QUERY, variables);
    expect(res.errors).toBeUndefined();
    return res.data!.urlTasks;
  }

  it('pages forwards across 24-hour windows with exact flags and no gaps', async () => {
    const filter = { createdAfter: iso(now - 3 * DAY - 5 * HOUR), createdBefore: iso(now - 2 * HOUR) };
    const expected = ids(await readAllRecords(truth, now - 3 * DAY - 5 * HOUR, now - 2 * HOUR));
    expect(expected.length).toBeGreaterThan(1000);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; ; i++) {
      const p = await page({ first: 97, after, filter });
      expect(p.nodes.map((n) => n.id)).toEqual(p.edges.map((e) => e.node.id));
      expect(p.pageInfo.hasPreviousPage).toBe(i > 0);
      seen.push(...p.edges.map((e) => e.node.id));
      expect(p.pageInfo.hasNextPage).toBe(seen.length < expected.length);
      expect(p.pageInfo.startCursor).toBe(p.edges[0]?.cursor);
      expect(p.pageInfo.endCursor).toBe(p.edges[p.edges.length - 1]?.cursor);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('pages backwards from the end with exact flags and no gaps', async () => {
    const filter = { createdAfter: iso(now - 2 * DAY - 7 * HOUR), createdBefore: iso(now - 5 * HOUR) };
    const expected = ids(await readAllRecords(truth, now - 2 * DAY - 7 * HOUR, now - 5 * HOUR));
    const seen: string[] = [];
    let before: string | null = null;
    for (let i = 0; ; i++) {
      const p = await page({ last: 88, before, filter });
      expect(p.pageInfo.hasNextPage).toBe(i > 0);
      seen.unshift(...p.edges.map((e) => e.node.id));
      expect(p.pageInfo.hasPreviousPage).toBe(seen.length < expected.length);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('turns around: a forward page then backwards from its start gives the previous records', async () => {
    const filter = { createdAfter: iso(now - 30 * HOUR), createdBefore: iso(now) };
    const expected = ids(await readAllRecords(truth, now - 30 * HOUR, now));
    const first = await page({ first: 50, filter });
    const second = await page({ first: 50, after: first.pageInfo.endCursor, filter });
    const back = await page({ last: 50, before: second.pageInfo.startCursor, filter });
    expect(back.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 50));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(second.edges.map((e) => e.node.id)).toEqual(expected.slice(50, 100));
  });

  it('answers an empty range with null cursors and false flags', async () => {
    const p = await stack.query<Page>(
      `{ urlTasks(first: 10, filter: { createdAfter: "${iso(now - 45 * DAY)}", createdBefore: "${iso(now - 44 * DAY)}" }) {
        edges { cursor } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`,
    );
    expect(p.errors).toBeUndefined();
    expect(p.data!.urlTasks).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: 0,
    });
  });

  it('applies every filter of the upstream API', async () => {
    const start = now - 40 * HOUR;
    const end = now - 1 * HOUR;
    const expected = ids(await readAllRecords(truth, start, end, { status: 'failed', taskType: 'REFRESH', fileType: 'file' }));
    expect(expected.length).toBeGreaterThan(0);
    const res = await stack.query<Page>(
      `query($f: UrlTaskFilter) { urlTasks(first: 100, filter: $f) { nodes { id status type fileType } totalCount } }`,
      { f: { createdAfter: iso(start), createdBefore: iso(end), status: 'FAILED', taskType: 'REFRESH', fileType: 'FILE' } },
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.urlTasks.nodes as Array<{ id: string; status: string; type: string; fileType: string }>;
    expect(nodes.map((n) => n.id)).toEqual(expected.slice(0, 100));
    expect(nodes.every((n) => n.status === 'FAILED' && n.type === 'REFRESH' && n.fileType === 'FILE')).toBe(true);
    expect(res.data!.urlTasks.totalCount).toBe(expected.length);

    const one = nodes[0]!;
    const byUrl = await stack.query<{ urlTasks: { nodes: Array<{ id: string; url: string }> } }>(
      `query($f: UrlTaskFilter) { urlTasks(first: 5, filter: $f) { nodes { id url } } }`,
      { f: { createdAfter: iso(start), createdBefore: iso(end), url: (await stack.query<{ node: { url: string } }>(`{ node(id: "${one.id}") { ... on UrlTask { url } } }`)).data!.node.url } },
    );
    expect(byUrl.data!.urlTasks.nodes.map((n) => n.id)).toContain(one.id);
  });

  it('defaults to the 24 hours before now, 20 records a page', async () => {
    const expected = ids(await readAllRecords(truth, now - DAY, now));
    // The gateway's own clock is real time, the simulator's data clock is frozen: give the end explicitly.
    const p = await page({ filter: { createdBefore: iso(now) } });
    expect(p.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 20));
  });

  it.each([
    [{ first: -1 }, 'first'],
    [{ first: 101 }, '100'],
    [{ last: 101 }, '100'],
    [{ first: 5, last: 5 }, 'first'],
    [{ first: 5, filter: { createdAfter: '2026-11-10T00:00:00Z', createdBefore: '2026-11-09T00:00:00Z' } }, 'createdAfter'],
    [{ first: 5, filter: { createdAfter: '2026-09-01T00:00:00Z', createdBefore: '2026-11-09T00:00:00Z' } }, '31'],
    [{ first: 5, after: 'not-a-cursor' }, 'after'],
    [{ last: 5, before: 'djE.eyJ4IjoxfQ.AAAA' }, 'before'],
  ])('refuses %j with BAD_USER_INPUT', async (variables, mentions) => {
    const res = await stack.query(PAGE_QUERY, variables);
    expect(res.data).toEqual({ urlTasks: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain(mentions);
  });

  it('refuses a tampered cursor and a cursor used with a different filter', async () => {
    const filter = { createdAfter: iso(now - 10 * HOUR), createdBefore: iso(now) };
    const p = await page({ first: 5, filter });
    const cursor = p.pageInfo.endCursor!;
    const tampered = cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);
    for (const [variables, mentions] of [
      [{ first: 5, after: tampered, filter }, 'after'],
      [{ first: 5, after: cursor, filter: { ...filter, status: 'FAILED' } }, 'different filter'],
      [{ first: 5, after: cursor }, 'different filter'],
    ] as const) {
      const res = await stack.query(PAGE_QUERY, variables);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toContain(mentions);
    }
  });

  describe('upstream economy (counted by the simulator)', () => {
    it('serves a page of up to 100 records inside one window with one url-tasks call', async () => {
      const filter = { createdAfter: iso(now - 20 * HOUR), createdBefore: iso(now - 1 * HOUR) };
      const before = await stack.upstreamCalls(OPS.urlTasks);
      const p = await page({ first: 100, filter });
      expect(p.edges).toHaveLength(100);
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(1);
      const before2 = await stack.upstreamCalls(OPS.urlTasks);
      await page({ first: 100, after: p.pageInfo.endCursor, filter });
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before2).toBe(1);
    });

    it('computes totalCount with one small call per window, nothing extra for windows the page fetched', async () => {
      const start = now - 3 * DAY;
      const filter = { createdAfter: iso(start), createdBefore: iso(now) };
      const expected = (await readAllRecords(truth, start, now)).length;

      let before = await stack.upstreamCalls(OPS.urlTasks);
      const countOnly = await stack.query<{ urlTasks: { totalCount: number } }>('query($f: UrlTaskFilter) { urlTasks(first: 0, filter: $f) { totalCount } }', { f: filter });
      expect(countOnly.data!.urlTasks.totalCount).toBe(expected);
      const countCalls = (await stack.upstreamCalls(OPS.urlTasks)) - before;
      // Three days ending at noon are four windows: the last 24 h, half a day, a whole UTC day, half a day.
      expect(countCalls).toBeLessThanOrEqual(4);

      before = await stack.upstreamCalls(OPS.urlTasks);
      const withPage = await stack.query<{ urlTasks: { totalCount: number; nodes: unknown[] } }>(
        'query($f: UrlTaskFilter) { urlTasks(first: 10, filter: $f) { totalCount nodes { id } } }',
        { f: filter },
      );
      expect(withPage.data!.urlTasks.totalCount).toBe(expected);
      // One call for the page (which also reports its window's total) plus one per other window.
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(4);

      before = await stack.upstreamCalls(OPS.urlTasks);
      await stack.query('query($f: UrlTaskFilter) { urlTasks(first: 10, filter: $f) { nodes { id } } }', { f: filter });
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(1);
    });
  });
});

describe('Query.urlTasks above 100 records a page', () => {
  let stack: Stack;
  let truth: CdnClient;
  const now = Date.UTC(2026, 10, 20, 12, 0, 0);

  beforeAll(async () => {
    stack = await startStack({ simulator: { rateLimits: UNLIMITED, now: () => now }, env: { MAX_PAGE_SIZE: '250' } });
    truth = createTruthClient(stack.simulator.url);
  });
  afterAll(async () => {
    await truth?.close();
    await stack?.close();
  });

  it('fans out into parallel calls of at most 100', async () => {
    const start = now - 20 * HOUR;
    const expected = (await readAllRecords(truth, start, now)).map((r) => toUrlTaskGlobalId(r.taskId, r.id, r.createTime));
    expect(expected.length).toBeGreaterThan(250);
    const before = await stack.upstreamCalls(OPS.urlTasks);
    const res = await stack.query<{ urlTasks: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean } } }>(
      `{ urlTasks(first: 250, filter: { createdAfter: "${new Date(start).toISOString()}", createdBefore: "${new Date(now).toISOString()}" }) { nodes { id } pageInfo { hasNextPage } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.urlTasks.nodes.map((n) => n.id)).toEqual(expected.slice(0, 250));
    expect(res.data!.urlTasks.pageInfo.hasNextPage).toBe(true);
    expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(3);
  });

  it('still refuses more than the configured cap', async () => {
    const res = await stack.query('{ urlTasks(first: 251) { nodes { id } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('250');
  });
});

describe('Query.urlTasks without createdBefore, behind the upstream economy', () => {
  let stack: Stack;
  // The gateway's clock, moved by hand: which second a request falls in is the test's choice, not the machine's timing.
  // It is set from the real clock when the test starts (the upstream client keeps the real clock, so a request's
  // deadline, taken from the gateway's clock, must not lie in the real past), with a long request deadline.
  let second = 0;
  let gatewayNow = Date.now();

  beforeAll(async () => {
    // A long staleness bound: a repeated range is answered from the cache however slowly the requests follow each other.
    stack = await startStack({ simulator: { rateLimits: UNLIMITED }, economy: true, env: { CACHE_TTL_MS: '60000', REQUEST_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '60000' }, now: () => gatewayNow });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('sends identical upstream calls for "the last 24 hours" within a second, so they share one call', async () => {
    // The range end is rounded up to a whole second: dashboards asking within the same second ask the upstream the same
    // question, which the cache and coalescing answer once; the next second is a new question.
    second = Math.floor(Date.now() / 1000) * 1000;
    const ask = async (at: number, count: number): Promise<number> => {
      gatewayNow = second + at;
      const before = await stack.upstreamCalls(OPS.urlTasks);
      const answers = await Promise.all(Array.from({ length: count }, () => stack.query('{ urlTasks(first: 10) { nodes { id } } }')));
      expect(answers.map((a) => a.errors)).toEqual(answers.map(() => undefined));
      return (await stack.upstreamCalls(OPS.urlTasks)) - before;
    };
    expect(await ask(1, 4)).toBe(1);
    expect(await ask(400, 4)).toBe(0);
    expect(await ask(999, 1)).toBe(0);
    // Ends differing by milliseconds would cost one call per request.
    expect(await ask(1001, 4)).toBe(1);
  });
});
