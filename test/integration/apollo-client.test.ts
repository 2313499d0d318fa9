/**
 * A real client: @apollo/client with its relayStylePagination field policy (the filter as
 * keyArgs) pages through three days of records with fetchMore until hasNextPage is false, and
 * ends up holding exactly the records the simulator holds for that range, in order, once each.
 * The ground truth comes from the simulator's url-tasks API read directly, window by window.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql, type ObservableQuery } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import type { CdnClient } from '../../src/cdn/client';
import { createCdnClient } from '../../src/cdn/upstream';
import type { UrlTaskModel } from '../../src/cdn/models';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK } from '../../src/config';
import { fromGlobalId } from '../../src/graph/ids';
import { startStack, type Stack } from '../support/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The upstream's own limits: 24-hour spans, 100 records a call.
const UPSTREAM_SPAN = DAY;
const UPSTREAM_LIMIT = 100;

const URL_TASKS = gql`
  query UrlTasks($first: Int!, $after: String, $filter: UrlTaskFilter) {
    urlTasks(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          url
          taskId
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

interface Data {
  urlTasks: {
    edges: Array<{ cursor: string; node: { id: string; url: string; taskId: string; createdAt: string } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
interface Variables {
  first: number;
  after?: string | null;
  filter: { createdAfter: string; createdBefore: string };
  [name: string]: unknown;
}

// The simulator's data clock stands still, so the range's records cannot change under the test.
const dataNow = Date.now();
const rangeStart = dataNow - 4 * DAY - 5 * HOUR;
const rangeEnd = dataNow - DAY;
const filter = { createdAfter: new Date(rangeStart).toISOString(), createdBefore: new Date(rangeEnd).toISOString() };

let stack: Stack;
let upstream: CdnClient;
let client: ApolloClient;

beforeAll(async () => {
  stack = await startStack({ simulator: { records: 12_000, now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
  upstream = createCdnClient({ endpoint: stack.simulator.url, auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK } });
  client = new ApolloClient({
    link: new HttpLink({ uri: stack.url, fetch }),
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { urlTasks: relayStylePagination(['filter']) } } } }),
  });
});

afterAll(async () => {
  client?.stop();
  await upstream?.close();
  await stack?.close();
});

// Reads every record of [start, end) from the upstream API itself: 24-hour windows newest first, offsets of 100.
async function readUpstream(start: number, end: number): Promise<UrlTaskModel[]> {
  const records: UrlTaskModel[] = [];
  for (let windowEnd = end; windowEnd > start; windowEnd -= UPSTREAM_SPAN) {
    const windowStart = Math.max(start, windowEnd - UPSTREAM_SPAN);
    for (let offset = 0; ; offset += UPSTREAM_LIMIT) {
      const page = await upstream.urlTasks({ startTime: windowStart, endTime: windowEnd, offset, limit: UPSTREAM_LIMIT });
      records.push(...page.records);
      if (page.records.length === 0 || offset + UPSTREAM_LIMIT >= page.total) break;
    }
  }
  return records;
}

// Resolves with the first complete result of a watched query.
function firstResult(observable: ObservableQuery<Data, Variables>): Promise<Data> {
  return new Promise((resolve, reject) => {
    const subscription = observable.subscribe({
      next: (result) => {
        if (result.error) reject(result.error);
        else if (result.dataState === 'complete') {
          resolve(result.data);
          queueMicrotask(() => subscription.unsubscribe());
        }
      },
      error: reject,
    });
  });
}

describe('@apollo/client with relayStylePagination', () => {
  it('pages with fetchMore until hasNextPage is false and holds exactly the upstream records of the range', async () => {
    const truth = await readUpstream(rangeStart, rangeEnd);
    // More than one 24-hour window and many pages of 50.
    expect(truth.length).toBeGreaterThan(600);
    const truthIds = truth.map((r) => r.id);
    expect(new Set(truthIds).size).toBe(truthIds.length);

    const observable = client.watchQuery<Data, Variables>({ query: URL_TASKS, variables: { first: 50, filter } });
    // Keeps the query watched, as a mounted component would, while fetchMore merges pages into the cache.
    const watching = observable.subscribe(() => undefined);
    try {
      let data = await firstResult(observable);
      expect(data.urlTasks.edges).toHaveLength(50);
      let fetches = 1;
      while (data.urlTasks.pageInfo.hasNextPage) {
        const more = await observable.fetchMore({ variables: { after: data.urlTasks.pageInfo.endCursor } });
        expect(more.error).toBeUndefined();
        fetches++;
        // What a component renders: the list the cache holds for this filter, merged by the field policy.
        const merged = client.readQuery<Data, Variables>({ query: URL_TASKS, variables: { first: 50, filter } });
        if (!merged) throw new Error('the merged result is missing');
        // Each fetchMore appends one page to the list the cache holds.
        expect(merged.urlTasks.edges.length).toBe(Math.min(fetches * 50, truth.length));
        data = merged;
        if (fetches > 200) throw new Error('fetchMore does not end');
      }
      expect(fetches).toBe(Math.ceil(truth.length / 50));

      const nodes = data.urlTasks.edges.map((e) => e.node);
      const recordIds = nodes.map((n) => fromGlobalId(n.id)).map((id) => (id?.type === 'UrlTask' ? id.recordId : -1));
      expect(recordIds).toEqual(truthIds);
      expect(nodes.map((n) => [n.url, n.taskId, Date.parse(n.createdAt)])).toEqual(truth.map((r) => [r.url, r.taskId, r.createTime]));
      expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    } finally {
      watching.unsubscribe();
    }
  });

  it('keeps a list per filter: another range is cached apart and leaves the paged list whole', async () => {
    const other = { createdAfter: new Date(rangeEnd).toISOString(), createdBefore: new Date(rangeEnd + 2 * HOUR).toISOString() };
    const otherTruth = await readUpstream(rangeEnd, rangeEnd + 2 * HOUR);
    const result = await client.query<Data, Variables>({ query: URL_TASKS, variables: { first: 10, filter: other } });
    expect(result.data?.urlTasks.edges.map((e) => fromGlobalId(e.node.id))).toEqual(
      otherTruth.slice(0, 10).map((r) => ({ type: 'UrlTask', taskId: r.taskId, recordId: r.id, createTime: r.createTime })),
    );
    const paged = client.readQuery<Data, Variables>({ query: URL_TASKS, variables: { first: 50, filter } });
    expect(paged?.urlTasks.edges.length).toBe((await readUpstream(rangeStart, rangeEnd)).length);
    expect(paged?.urlTasks.pageInfo.hasNextPage).toBe(false);
  });
});
