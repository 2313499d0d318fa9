/**
 * Stable paging: while a client pages through thousands of records, the simulator inserts new
 * records and changes statuses between requests. Forwards and backwards, with and without a
 * status filter, the client must see no record twice and miss none of those that matched the
 * filter throughout.
 */
import { startStack, type Stack } from '../support/stack';
import { createTruthClient, readAllRecords } from '../support/truth';
import { toUrlTaskGlobalId } from '../../src/graph/ids';
import type { CdnClient } from '../../src/cdn/client';
import type { UrlTaskModel } from '../../src/cdn/models';

const HOUR = 60 * 60 * 1000;

const QUERY = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: UrlTaskFilter) {
  urlTasks(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { node { id status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface PageResult {
  urlTasks: {
    edges: Array<{ node: { id: string; status: string } }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

// A tiny deterministic generator, so a failure can be replayed.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('stable paging under inserts and status changes', () => {
  let stack: Stack;
  let truth: CdnClient;
  // The simulator's data clock stands two hours behind the gateway's, so records inserted
  // "now" land inside the frozen range, at the top of its newest non-empty window: the
  // offsets of everything below them drift.
  const simNow = Date.now() - 2 * HOUR;
  const start = simNow - 50 * HOUR;

  beforeAll(async () => {
    stack = await startStack({ simulator: { rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 }, now: () => simNow } });
    truth = createTruthClient(stack.simulator.url);
  });
  afterAll(async () => {
    await truth?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    await stack.sim('POST', '/__sim/reset', { seed: 7 });
  });

  const globalId = (r: UrlTaskModel) => toUrlTaskGlobalId(r.taskId, r.id, r.createTime);

  async function pageThrough(options: {
    direction: 'forward' | 'backward';
    status?: 'SUCCEED';
    seed: number;
  }): Promise<{ seen: string[]; matchedThroughout: Set<string> }> {
    const random = mulberry32(options.seed);
    const filter = { createdAfter: new Date(start).toISOString(), ...(options.status ? { status: options.status } : {}) };
    const initial = await readAllRecords(truth, start, simNow + 1, options.status ? { status: options.status.toLowerCase() } : {});
    const everything = await readAllRecords(truth, start, simNow + 1);
    expect(initial.length).toBeGreaterThan(1500);
    const changed = new Set<string>();
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 200; pages++) {
      const variables: Record<string, unknown> =
        options.direction === 'forward' ? { first: 100, after: cursor, filter } : { last: 100, before: cursor, filter };
      const res = await stack.query<PageResult>(QUERY, variables);
      expect(res.errors).toBeUndefined();
      const page = res.data!.urlTasks;
      const ids = page.edges.map((e) => e.node.id);
      if (options.direction === 'forward') seen.push(...ids);
      else seen.unshift(...ids);
      if (options.status) expect(page.edges.every((e) => e.node.status === options.status)).toBe(true);
      const more = options.direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
      if (!more) break;
      cursor = options.direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor;

      // Between requests: new records arrive and some records change status, anywhere in the range.
      await stack.sim('POST', '/__sim/url-tasks', { count: 1 + Math.floor(random() * 6) });
      for (let i = 0; i < 12; i++) {
        const victim = everything[Math.floor(random() * everything.length)]!;
        const status = random() < 0.5 ? 'FAILED' : 'SUCCEED';
        await stack.sim('PATCH', `/__sim/url-tasks/${victim.id}`, { status });
        changed.add(globalId(victim));
      }
    }
    // Without a status filter every record of the range matches throughout; with one, a
    // record whose status was changed may have stopped matching for a while.
    const matchedThroughout = new Set(initial.map(globalId).filter((id) => !options.status || !changed.has(id)));
    return { seen, matchedThroughout };
  }

  function expectStable({ seen, matchedThroughout }: { seen: string[]; matchedThroughout: Set<string> }) {
    const duplicates = seen.filter((id, i) => seen.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
    const seenSet = new Set(seen);
    const missing = [...matchedThroughout].filter((id) => !seenSet.has(id));
    expect(missing).toEqual([]);
  }

  it('forwards, no status filter', async () => {
    expectStable(await pageThrough({ direction: 'forward', seed: 1 }));
  });

  it('forwards, with a status filter whose matches change', async () => {
    expectStable(await pageThrough({ direction: 'forward', status: 'SUCCEED', seed: 2 }));
  });

  it('backwards, no status filter', async () => {
    expectStable(await pageThrough({ direction: 'backward', seed: 3 }));
  });

  it('backwards, with a status filter whose matches change', async () => {
    expectStable(await pageThrough({ direction: 'backward', status: 'SUCCEED', seed: 4 }));
  });

  it('control: the same scenario defeats naive offset paging, so the tests above can fail', async () => {
    const random = mulberry32(1);
    const everything = await readAllRecords(truth, start, simNow + 1);
    const seen: string[] = [];
    const end = simNow + 1;
    // Window by window, offset += 100, exactly what a resolver without cursors would do.
    for (let windowEnd = end; windowEnd > start; windowEnd -= 24 * HOUR) {
      const windowStart = Math.max(start, windowEnd - 24 * HOUR);
      for (let offset = 0; ; offset += 100) {
        const page = await truth.urlTasks({ startTime: windowStart, endTime: windowEnd, offset, limit: 100 });
        seen.push(...page.records.map(globalId));
        await stack.sim('POST', '/__sim/url-tasks', { count: 1 + Math.floor(random() * 6) });
        for (let i = 0; i < 12; i++) {
          const victim = everything[Math.floor(random() * everything.length)]!;
          await stack.sim('PATCH', `/__sim/url-tasks/${victim.id}`, { status: random() < 0.5 ? 'FAILED' : 'SUCCEED' });
        }
        if (offset + 100 >= page.total) break;
      }
    }
    const duplicates = seen.filter((id, i) => seen.indexOf(id) !== i);
    expect(duplicates.length).toBeGreaterThan(0);
  });
});
