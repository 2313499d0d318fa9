/**
 * The soak's request mix: pages of urlTasks with and without their task, continuation pages,
 * task lists, node lookups, totalCount over a few days, single tasks, and bad queries that
 * must be refused with a known code. Ids and cursors seen in answers feed later requests, as a
 * client paging through a UI would.
 */

/** One request of the mix. */
export interface MixRequest {
  /** Names the kind, for the report. */
  readonly kind: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** For a bad query: the `extensions.code` every error must carry; undefined for a good one. */
  readonly expectedCode?: string;
}

/** What the mix remembers from answers. */
export interface MixMemory {
  /** Remembers ids and cursors found in an answer's data. */
  learn(kind: string, filterKey: string | undefined, data: unknown): void;
}

/** Weights of the kinds of request (they need not sum to 1). */
export const MIX_WEIGHTS: Readonly<Record<string, number>> = {
  'urlTasks page': 0.25,
  'urlTasks page with task': 0.2,
  tasks: 0.12,
  'node lookup': 0.13,
  totalCount: 0.1,
  task: 0.1,
  'bad query': 0.1,
};

// The parts of answers the mix learns from.
interface LearnedData {
  readonly urlTasks?: {
    readonly edges?: ReadonlyArray<{ readonly node: { readonly id: string; readonly taskId: string } }>;
    readonly pageInfo?: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  };
  readonly tasks?: { readonly nodes?: ReadonlyArray<{ readonly id: string; readonly taskId: string }> };
}

const DAY = 86_400_000;
const MAX_REMEMBERED = 500;

const PAGE = /* GraphQL */ `
  query SoakPage($first: Int!, $after: String, $filter: UrlTaskFilter) {
    urlTasks(first: $first, after: $after, filter: $filter) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id url status createdAt taskId } }
    }
  }
`;
const PAGE_WITH_TASK = /* GraphQL */ `
  query SoakPageWithTask($first: Int!, $filter: UrlTaskFilter) {
    urlTasks(first: $first, filter: $filter) {
      nodes { id url status task { id taskId status total succeeded failed } }
    }
  }
`;
const TASKS = /* GraphQL */ `
  query SoakTasks($first: Int!, $filter: TaskFilter) {
    tasks(first: $first, filter: $filter) { pageInfo { hasNextPage } nodes { id taskId status total createdAt } }
  }
`;
const NODE = /* GraphQL */ `
  query SoakNode($id: ID!) { node(id: $id) { id ... on UrlTask { url urlStatus: status } ... on Task { taskId taskStatus: status } } }
`;
const NODES = /* GraphQL */ `
  query SoakNodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on UrlTask { url } ... on Task { status } } }
`;
const TOTAL = /* GraphQL */ `
  query SoakTotal($filter: UrlTaskFilter) { urlTasks(first: 1, filter: $filter) { totalCount } }
`;
const TASK = /* GraphQL */ `
  query SoakTask($taskId: ID!) { task(taskId: $taskId) { taskId status total urls(first: 5) { nodes { url status } } } }
`;

/** Bad queries and the code each must be refused with. */
export const BAD_QUERIES: ReadonlyArray<{ readonly query: string; readonly variables: Record<string, unknown>; readonly code: string }> = [
  { query: '{ urlTasks(first: 2) { nodes { password } } }', variables: {}, code: 'GRAPHQL_VALIDATION_FAILED' },
  { query: '{ urlTasks(first: 2, after: "not-a-cursor") { nodes { url } } }', variables: {}, code: 'BAD_USER_INPUT' },
  { query: 'query($n: Int) { urlTasks(first: $n) { nodes { url } } }', variables: { n: -5 }, code: 'BAD_USER_INPUT' },
  { query: '{ urlTasks(first: 1, filter: { createdAfter: "2001-01-01T00:00:00Z" }) { nodes { url } } }', variables: {}, code: 'BAD_USER_INPUT' },
  { query: '{ urlTasks(first: 1) { nodes { url } ', variables: {}, code: 'GRAPHQL_PARSE_FAILED' },
  { query: '{ task(taskId: "../etc") { status } }', variables: {}, code: 'BAD_USER_INPUT' },
];

/** Creates the mix; `random` in [0, 1) makes it repeatable, `now` dates the filters. */
export function createMix(random: () => number, now: () => number = Date.now): { next(): MixRequest & { filterKey?: string }; memory: MixMemory; remembered(): { ids: number; cursors: number } } {
  const ids: string[] = [];
  const taskIds: string[] = [];
  const cursors = new Map<string, string>();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const remember = (list: string[], value: unknown): void => {
    if (typeof value !== 'string') return;
    if (list.length >= MAX_REMEMBERED) list.splice(Math.floor(random() * list.length), 1);
    list.push(value);
  };
  // A few filters so that pages repeat (cache and coalescing see real reuse) without all being the same.
  const filters = (): Array<[string, Record<string, unknown> | undefined]> => [
    ['none', undefined],
    ['succeed', { status: 'SUCCEED' }],
    ['refresh', { taskType: 'REFRESH' }],
    ['3 days', { createdAfter: new Date(Math.floor(now() / 60_000) * 60_000 - 3 * DAY).toISOString() }],
    ['files, 2 days', { fileType: 'FILE', createdAfter: new Date(Math.floor(now() / 60_000) * 60_000 - 2 * DAY).toISOString() }],
  ];

  const memory: MixMemory = {
    learn(kind, filterKey, data) {
      const d = data as LearnedData | null | undefined;
      if (!d) return;
      if (kind === 'urlTasks page') {
        for (const edge of (d.urlTasks?.edges ?? []).slice(0, 3)) {
          remember(ids, edge.node.id);
          remember(taskIds, edge.node.taskId);
        }
        const info = d.urlTasks?.pageInfo;
        if (filterKey !== undefined) {
          if (info?.hasNextPage && info.endCursor) cursors.set(filterKey, info.endCursor);
          else cursors.delete(filterKey);
        }
      } else if (kind === 'tasks') {
        for (const task of (d.tasks?.nodes ?? []).slice(0, 3)) {
          remember(ids, task.id);
          remember(taskIds, task.taskId);
        }
      }
    },
  };

  // Picks a kind by weight.
  const kinds = Object.entries(MIX_WEIGHTS);
  const totalWeight = kinds.reduce((a, [, w]) => a + w, 0);
  const pickKind = (): string => {
    let r = random() * totalWeight;
    for (const [kind, weight] of kinds) {
      r -= weight;
      if (r < 0) return kind;
    }
    return kinds[0]![0];
  };

  return {
    memory,
    remembered: () => ({ ids: ids.length, cursors: cursors.size }),
    next() {
      const kind = pickKind();
      switch (kind) {
        case 'urlTasks page': {
          const [label, filter] = pick(filters());
          // A cursor is bound to its filter: the key holds the filter's values, not only its name (dated filters move each minute).
          const filterKey = `${label} ${JSON.stringify(filter ?? {})}`;
          const after = random() < 0.5 ? cursors.get(filterKey) : undefined;
          return { kind, filterKey, query: PAGE, variables: { first: pick([5, 10, 20, 50]), ...(after ? { after } : {}), ...(filter ? { filter } : {}) } };
        }
        case 'urlTasks page with task': {
          const [, filter] = pick(filters());
          return { kind, query: PAGE_WITH_TASK, variables: { first: between(1, 20), ...(filter ? { filter } : {}) } };
        }
        case 'tasks':
          return { kind, query: TASKS, variables: { first: between(1, 20), ...(random() < 0.3 ? { filter: { status: pick(['IN_PROCESS', 'DONE']) } } : {}) } };
        case 'node lookup':
          if (ids.length === 0) return { kind: 'tasks', query: TASKS, variables: { first: 10 } };
          return random() < 0.5
            ? { kind, query: NODE, variables: { id: pick(ids) } }
            : { kind, query: NODES, variables: { ids: Array.from({ length: between(2, 8) }, () => pick(ids)) } };
        case 'totalCount':
          return { kind, query: TOTAL, variables: { filter: { createdAfter: new Date(Math.floor(now() / 60_000) * 60_000 - between(1, 3) * DAY).toISOString(), ...(random() < 0.5 ? { status: 'FAILED' } : {}) } } };
        case 'task':
          if (taskIds.length === 0) return { kind: 'tasks', query: TASKS, variables: { first: 10 } };
          return { kind, query: TASK, variables: { taskId: pick(taskIds) } };
        default: {
          const bad = pick(BAD_QUERIES);
          return { kind: 'bad query', query: bad.query, variables: bad.variables, expectedCode: bad.code };
        }
      }
    },
  };
}
