/**
 * Relay against the published client SDL (schema/generated/client.graphql): a tiny Relay
 * project in a temporary folder (relay.config.json pointing at the SDL, TypeScript sources
 * with `graphql` tagged templates: a `usePaginationFragment`-style `@refetchable`
 * `@connection` fragment over `urlTasks`, a `@refetchable` fragment on `UrlTask` (a Node),
 * a query spreading them, and a mutation), compiled by the real relay-compiler 21 (a native
 * binary; no React or relay-runtime needed). The queries it emits then run against the gateway
 * through the README's Relay fetch function, paging with the pagination query as
 * `loadNext` would.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_SDL_PATH } from '../../src/graph/client-schema';
import { relayFetch } from '../support/client-snippets';
import { startStack, type Stack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const RELAY_COMPILER = join(ROOT, 'node_modules', '.bin', 'relay-compiler');
const DAY = 86_400_000;

const LIST = `
import { graphql } from 'relay-runtime';

// What usePaginationFragment(UrlTaskList_query, ...) reads: loadNext runs UrlTaskListPaginationQuery.
export const urlTaskList = graphql\`
  fragment UrlTaskList_query on Query
  @refetchable(queryName: "UrlTaskListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 3 }, cursor: { type: "String" }, filter: { type: "UrlTaskFilter" }) {
    urlTasks(first: $count, after: $cursor, filter: $filter) @connection(key: "UrlTaskList_urlTasks", filters: ["filter"]) {
      totalCount
      edges { node { id url status createdAt ...UrlTaskRow_urlTask } }
    }
  }
\`;
`;

const ROW = `
import { graphql } from 'relay-runtime';

// A row refetchable by its id (useRefetchableFragment): needs Node and Query.node in the SDL.
export const urlTaskRow = graphql\`
  fragment UrlTaskRow_urlTask on UrlTask @refetchable(queryName: "UrlTaskRowRefetchQuery") {
    id
    url
    status
    task { id taskId status total }
  }
\`;
`;

const APP = `
import { graphql } from 'relay-runtime';

export const appQuery = graphql\`
  query AppQuery($filter: UrlTaskFilter) {
    ...UrlTaskList_query @arguments(filter: $filter)
  }
\`;

export const refresh = graphql\`
  mutation AppRefreshMutation($input: CreateRefreshTaskInput!) {
    createRefreshTask(input: $input) { taskId replayed task { id status total } }
  }
\`;
`;

const ARTEFACTS = ['UrlTaskList_query', 'UrlTaskListPaginationQuery', 'UrlTaskRow_urlTask', 'UrlTaskRowRefetchQuery', 'AppQuery', 'AppRefreshMutation'];

/** Writes a Relay project into a fresh temporary folder; returns its path. */
function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-project-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'relay.config.json'), JSON.stringify({ src: './src', schema: CLIENT_SDL_PATH, language: 'typescript', customScalarTypes: { DateTime: 'string' } }, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'src', name), text);
  return dir;
}

/** Runs relay-compiler in a project folder; resolves with its exit code and output. */
function compile(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(RELAY_COMPILER, [], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Reads an operation artefact's `params`: name, kind and the text Relay sends. */
function paramsOf(dir: string, name: string): { name: string; operationKind: string; text: string } {
  const source = readFileSync(join(dir, 'src', '__generated__', `${name}.graphql.ts`), 'utf8');
  const match = /"name": "(\w+)",\s*"operationKind": "(\w+)",\s*"text": ("(?:[^"\\]|\\.)*")/.exec(source);
  if (!match) throw new Error(`no params in ${name}.graphql.ts`);
  return { name: match[1] as string, operationKind: match[2] as string, text: JSON.parse(match[3] as string) as string };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('relay-compiler against the client SDL', () => {
  let project: string;
  let compiled: { code: number; output: string };
  beforeAll(async () => {
    project = writeProject({ 'UrlTaskList.ts': LIST, 'UrlTaskRow.ts': ROW, 'App.ts': APP });
    dirs.push(project);
    compiled = await compile(project);
  });

  it('compiles a pagination fragment with @refetchable and @connection over urlTasks, a Node refetch and a mutation, and emits their artefacts', () => {
    expect({ code: compiled.code, output: compiled.code === 0 ? '' : compiled.output }).toEqual({ code: 0, output: '' });
    for (const name of ARTEFACTS) expect(existsSync(join(project, 'src', '__generated__', `${name}.graphql.ts`))).toBe(true);
    const fragment = readFileSync(join(project, 'src', '__generated__', 'UrlTaskList_query.graphql.ts'), 'utf8');
    // The connection metadata usePaginationFragment reads: forward paging over urlTasks, refetched by the pagination query.
    expect(fragment).toMatch(/"connection": \[\s*\{\s*"count": "count",\s*"cursor": "cursor",\s*"direction": "forward",/);
    expect(fragment).toMatch(/"refetch": \{\s*"connection": \{\s*"forward": \{\s*"count": "count",\s*"cursor": "cursor"\s*\}/);
    expect(fragment).toMatch(/"operation": UrlTaskListPaginationQuery_graphql/);
    expect(fragment).toContain("import UrlTaskListPaginationQuery_graphql from './UrlTaskListPaginationQuery.graphql';");
    expect(paramsOf(project, 'UrlTaskRowRefetchQuery').text).toMatch(/node\(id: \$id\)/);
    expect(paramsOf(project, 'AppRefreshMutation').operationKind).toBe('mutation');
  });

  it('checks documents against the SDL: a field the API lacks fails the compile, naming it', async () => {
    const wrong = writeProject({ 'Wrong.ts': `import { graphql } from 'relay-runtime';\nexport const q = graphql\`query WrongQuery { urlTasks(first: 1) { edges { node { id colour } } } }\`;\n` });
    dirs.push(wrong);
    const result = await compile(wrong);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/colour/);
  });

  describe('the compiled operations against the gateway', () => {
    let stack: Stack;
    const dataNow = Date.now();
    const filter = { createdAfter: new Date(dataNow - 2 * DAY).toISOString(), createdBefore: new Date(dataNow - DAY).toISOString() };
    beforeAll(async () => {
      stack = await startStack({ simulator: { now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
    });
    afterAll(() => stack?.close());

    type Page = { urlTasks: { totalCount: number; edges: Array<{ cursor: string; node: { id: string; url: string | null; task: { taskId: string } | null } }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };

    it('runs AppQuery, pages on with UrlTaskListPaginationQuery as loadNext does, and refetches a row by id, through the README fetch function', async () => {
      expect(compiled.code).toBe(0);
      const fetchGraphQL = relayFetch(stack.url);
      const first = (await fetchGraphQL(paramsOf(project, 'AppQuery'), { filter })) as { data: Page; errors?: unknown };
      expect(first.errors).toBeUndefined();
      expect(first.data.urlTasks.edges).toHaveLength(3);
      expect(first.data.urlTasks.pageInfo.hasNextPage).toBe(true);
      const next = (await fetchGraphQL(paramsOf(project, 'UrlTaskListPaginationQuery'), { count: 3, cursor: first.data.urlTasks.pageInfo.endCursor, filter })) as { data: Page; errors?: unknown };
      expect(next.errors).toBeUndefined();
      // The two pages are the first six records of the range, in order, once each.
      const whole = await stack.query<Page>('query($filter: UrlTaskFilter) { urlTasks(first: 6, filter: $filter) { totalCount edges { cursor node { id url task { taskId } } } pageInfo { endCursor hasNextPage } } }', { filter });
      const ids = (page: Page) => page.urlTasks.edges.map((e) => e.node.id);
      expect([...ids(first.data), ...ids(next.data)]).toEqual(ids(whole.data as Page));
      expect(next.data.urlTasks.totalCount).toBe(whole.data?.urlTasks.totalCount);

      const row = first.data.urlTasks.edges[0]?.node;
      const refetched = (await fetchGraphQL(paramsOf(project, 'UrlTaskRowRefetchQuery'), { id: row?.id })) as { data: { node: { __typename: string; id: string; url: string; task: { taskId: string } } }; errors?: unknown };
      expect(refetched.errors).toBeUndefined();
      expect(refetched.data.node).toMatchObject({ __typename: 'UrlTask', id: row?.id, url: row?.url, task: { taskId: row?.task?.taskId } });
    });
  });
});
