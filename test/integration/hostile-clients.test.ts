/**
 * What a hostile client can make the gateway write, over real GraphQL against the gateway and
 * the simulator on loopback, with the gateway's log lines captured (issue 14, points 1, 3, 4
 * and 10): `_entities` representations the gateway cannot resolve are one BAD_USER_INPUT and
 * one log line per request, before any upstream call; a huge operation name is echoed and
 * logged only truncated; a client's `x-request-id` never becomes the gateway's request id;
 * client errors never log at error level or with a stack, while a real bug still does.
 */
import { toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';
import { OPS, startOpsStack, type OpsStack } from './ops-support';

// pino's levels.
const INFO = 30;
const ERROR = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Literal representations in a document need more than the default 1000 tokens.
const ENV = { MAX_TOKENS: '20000' };

let stack: OpsStack;
beforeAll(async () => {
  stack = await startOpsStack({ env: ENV });
});
afterAll(() => stack?.close());

/** One answer as a client sees it, with the log lines written under its request id. */
interface Answer {
  readonly status: number;
  readonly requestId: string;
  readonly text: string;
  readonly body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  readonly lines: Array<Record<string, unknown>>;
}

// Posts a JSON body to /graphql; returns the answer and, once its access line is written, every log line of its request id.
async function post(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${stack.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  const requestId = res.headers.get('x-request-id') ?? '';
  await stack.waitForLogs((l) => l.requestId === requestId && l.msg === 'graphql request');
  return { status: res.status, requestId, text, body: JSON.parse(text) as Answer['body'], lines: stack.logs.filter((l) => l.requestId === requestId) };
}

// The log lines of an answer as they were written, with their sizes.
const written = (answer: Answer) => answer.lines.map((l) => JSON.stringify(l));

const ENTITIES = 'query Entities($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Task { taskId } ... on UrlTask { url } } }';

describe('_entities representations the gateway cannot resolve (point 1)', () => {
  // Every way a representation can be unresolvable, cycled over the list.
  const BAD: ReadonlyArray<unknown> = [
    { __typename: 'Foreign', id: 'x' },
    { __typename: 'Task' },
    { __typename: 'Task', id: 5 },
    { __typename: 'UrlTask', id: 'garbage!' },
    { __typename: 'Task', id: toUrlTaskGlobalId('418300', 1, 1) },
    'just a string',
    { id: toTaskGlobalId('418300', null) },
    { __typename: 'x'.repeat(50_000), id: 'y' },
  ];
  const bad = (n: number) => Array.from({ length: n }, (_, i) => BAD[i % BAD.length]);

  it('refuses 100 of them (the most one list may hold) with one BAD_USER_INPUT naming the first five, before any upstream call, in two log lines', async () => {
    const before = await stack.upstreamCalls(OPS.detail);
    const answer = await post({ query: ENTITIES, variables: { r: [{ __typename: 'Task', id: toTaskGlobalId('418300', null) }, ...bad(99)] } });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error!.message).toMatch(/^_entities: 99 of 100 representations cannot be resolved, so none was: \[1\] __typename "Foreign" is not an entity of this subgraph \(Task or UrlTask\); \[2\] has no id; \[3\] id is a number, not a string; \[4\] id is not the global id of a UrlTask; \[5\] id is not the global id of a Task; and 94 more\. /);
    expect(await stack.upstreamCalls(OPS.detail)).toBe(before);
    // The access line and one info line of client errors: no error level, no stack.
    expect(answer.lines.map((l) => [l.level, l.msg])).toEqual([
      [INFO, 'client errors'],
      [INFO, 'graphql request'],
    ]);
    expect(answer.lines[0]).toMatchObject({ count: 1, errors: [{ code: 'BAD_USER_INPUT' }] });
    for (const line of written(answer)) expect(line).not.toMatch(/"stack"|"err"/);
    expect(written(answer).join('\n').length).toBeLessThan(4096);
  });

  it('quotes a long foreign __typename only truncated', async () => {
    const answer = await post({ query: ENTITIES, variables: { r: [{ __typename: 'x'.repeat(50_000), id: 'y' }] } });
    expect(answer.body.errors?.[0]?.message).toMatch(/^_entities: 1 of 1 representations cannot be resolved, so none was: \[0\] __typename "x{40}…\[truncated, 50000 characters\]" is not an entity/);
    expect(answer.text.length).toBeLessThan(2048);
  });

  it('refuses the review\'s 4,000 in one BAD_USER_INPUT (104 KB in, two short log lines out)', async () => {
    const r = Array.from({ length: 4000 }, () => ({ __typename: 'Foreign' }));
    expect(JSON.stringify(r).length).toBeGreaterThan(100_000);
    const answer = await post({ query: ENTITIES, variables: { r } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(answer.lines).toHaveLength(2);
    expect(answer.lines.every((l) => (l.level as number) < ERROR)).toBe(true);
  });

  it('refuses the whole request, other fields included, before any upstream call, for literal representations and through fragments too', async () => {
    const before = await stack.upstreamCalls(OPS.urlTasks);
    const answer = await post({ query: '{ urlTasks(first: 1) { nodes { url } } _entities(representations: [{ __typename: "Task", id: 5 }]) { __typename } }' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(answer.body.errors?.[0]?.message).toMatch(/^_entities: 1 of 1 representations cannot be resolved, so none was: \[0\] id is a number, not a string\. /);
    expect(await stack.upstreamCalls(OPS.urlTasks)).toBe(before);
    const spread = await post({ query: 'query($r: [_Any!]!) { ...F } fragment F on Query { ... on Query { _entities(representations: $r) { __typename } } }', variables: { r: [{ __typename: 'Task' }] } });
    expect(spread.body.errors?.[0]?.message).toMatch(/^_entities: 1 of 1 representations cannot be resolved, so none was: \[0\] has no id\. /);
  });

  it('still resolves good representations, and a well-formed id of an object that does not exist to null', async () => {
    const page = await post({ query: '{ tasks(first: 1) { nodes { id taskId } } }' });
    const task = (page.body.data as { tasks: { nodes: Array<{ id: string; taskId: string }> } }).tasks.nodes[0]!;
    const answer = await post({ query: ENTITIES, variables: { r: [{ __typename: 'Task', id: task.id }, { __typename: 'Task', id: toTaskGlobalId('999999999', Date.now()) }] } });
    expect(answer.body).toEqual({ data: { _entities: [{ __typename: 'Task', taskId: task.taskId }, null] } });
  });
});

describe('a huge operationName (point 3)', () => {
  const NAME = 'x'.repeat(900_000);

  it('is echoed and logged truncated, with its length, when the document has no such operation', async () => {
    const answer = await post({ query: 'query A { __typename } query B { __typename }', operationName: NAME });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['OPERATION_RESOLUTION_FAILURE']);
    expect(answer.body.errors?.[0]?.message).toBe(`Unknown operation named "${'x'.repeat(100)}…[truncated, 900000 characters]".`);
    expect(answer.text.length).toBeLessThan(2048);
    const access = answer.lines.find((l) => l.msg === 'graphql request');
    expect(access?.operation).toBe(`${'x'.repeat(100)}…[truncated, 900000 characters]`);
    for (const line of written(answer)) expect(line.length).toBeLessThan(2048);
  });

  it('is logged truncated when the document does hold it, and never becomes a metric label', async () => {
    const answer = await post({ query: `query ${NAME} { __typename }` });
    expect(answer.status).toBe(200);
    expect(answer.lines.find((l) => l.msg === 'graphql request')?.operation).toBe(`${'x'.repeat(100)}…[truncated, 900000 characters]`);
    for (const line of written(answer)) expect(line.length).toBeLessThan(2048);
    const metrics = await (await fetch(`${stack.origin}/metrics`)).text();
    expect(metrics).not.toContain('x'.repeat(100));
    expect(metrics).toMatch(/^gateway_graphql_requests_total\{operation="invalid"\} \d+$/m);
  });

  it('and a huge name anywhere in the document is quoted truncated in validation errors', async () => {
    const answer = await post({ query: `{ ${'y'.repeat(900_000)} }` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toBe(`Cannot query field "${'y'.repeat(100)}…[truncated, 900000 characters]" on type "Query".`);
    expect(answer.text.length).toBeLessThan(2048);
    for (const line of written(answer)) expect(line.length).toBeLessThan(2048);
  });
});

describe('request ids (point 4)', () => {
  const QUERY = 'query Traced { tasks(first: 1, after: "bogus") { nodes { taskId } } }';

  it('gives two callers sending the same x-request-id two different request ids, and logs the one they sent beside it', async () => {
    const [a, b] = await Promise.all([post({ query: QUERY }, { 'x-request-id': 'shared-id' }), post({ query: QUERY }, { 'x-request-id': 'shared-id' })]);
    for (const answer of [a!, b!]) {
      expect(answer.requestId).toMatch(UUID);
      expect(answer.body.errors?.[0]?.extensions?.requestId).toBe(answer.requestId);
      expect(answer.lines.find((l) => l.msg === 'graphql request')).toMatchObject({ requestId: answer.requestId, clientRequestId: 'shared-id', operation: 'Traced' });
    }
    expect(a!.requestId).not.toBe(b!.requestId);
    // Nothing is logged under the client's id.
    expect(stack.logs.filter((l) => l.requestId === 'shared-id')).toEqual([]);
  });

  it('logs its upstream calls under the gateway\'s id', async () => {
    const answer = await post({ query: 'query Recent { tasks(first: 1) { nodes { taskId } } }' }, { 'x-request-id': 'client-trace-1' });
    expect(answer.status).toBe(200);
    expect(answer.requestId).toMatch(UUID);
    expect(stack.logs.filter((l) => l.requestId === 'client-trace-1')).toEqual([]);
    const upstream = answer.lines.find((l) => l.msg === 'upstream call') as { upstream?: Record<string, unknown> } | undefined;
    expect(upstream?.upstream).toMatchObject({ operation: 'historytasks', status: 200, outcome: 'ok' });
  });

  it('keeps no client id that is not one short token', async () => {
    for (const sent of ['not ok: spaces and {braces}', 'a'.repeat(65), 'tab\there']) {
      const answer = await post({ query: '{ __typename }' }, { 'x-request-id': sent });
      expect(answer.requestId).toMatch(UUID);
      expect(answer.lines.find((l) => l.msg === 'graphql request')).not.toHaveProperty('clientRequestId');
    }
    const kept = await post({ query: '{ __typename }' }, { 'x-request-id': `trace:${'a'.repeat(58)}` });
    expect(kept.lines.find((l) => l.msg === 'graphql request')?.clientRequestId).toBe(`trace:${'a'.repeat(58)}`);
  });
});

describe('client errors log at info without a stack; bugs at error with one (point 10)', () => {
  const CLIENT_ERRORS: ReadonlyArray<{ name: string; body: unknown; code: string }> = [
    { name: 'a persisted query whose hash does not match', body: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }, code: 'BAD_REQUEST' },
    { name: 'an unknown persisted query', body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } }, code: 'PERSISTED_QUERY_NOT_FOUND' },
    { name: 'a document that does not validate', body: { query: '{ nothing }' }, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'a document that does not parse', body: { query: '{ urlTasks(' }, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'variables of the wrong type', body: { query: 'query($n: Int) { urlTasks(first: $n) { totalCount } }', variables: { n: 'many' } }, code: 'BAD_USER_INPUT' },
    { name: 'a forged cursor', body: { query: '{ urlTasks(first: 1, after: "forged") { totalCount } }' }, code: 'BAD_USER_INPUT' },
  ];

  it.each(CLIENT_ERRORS)('$name → $code, one info line, no stack', async ({ body, code }) => {
    const answer = await post(body);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    expect(answer.lines.filter((l) => (l.level as number) >= ERROR)).toEqual([]);
    for (const line of written(answer)) expect(line).not.toMatch(/"stack"|"err"/);
    expect(answer.lines.filter((l) => l.msg === 'client errors')).toEqual([expect.objectContaining({ level: INFO, count: 1, errors: [expect.objectContaining({ code })] })]);
  });

  it('wrote no error-level line, Apollo\'s own logger included, for anything this file sent so far', () => {
    expect(stack.logs.filter((l) => (l.level as number) >= ERROR)).toEqual([]);
  });

  it('a real bug is still masked for the client and logged at error with its stack', async () => {
    const buggy = await startOpsStack({
      wrapCdn: (cdn) => ({
        ...cdn,
        historyTasks: () => {
          throw new TypeError('a planted bug');
        },
      }),
    });
    try {
      const res = await fetch(`${buggy.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ tasks(first: 1) { totalCount } }' }) });
      const body = (await res.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
      expect(body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Internal server error', 'INTERNAL_SERVER_ERROR']]);
      const requestId = res.headers.get('x-request-id');
      const [line] = await buggy.waitForLogs((l) => l.requestId === requestId && l.level === ERROR);
      expect(line).toMatchObject({ msg: 'internal error (masked for the client)', err: { type: 'TypeError', message: 'a planted bug' } });
      expect((line!.err as { stack?: string }).stack).toContain('a planted bug');
    } finally {
      await buggy.close();
    }
  });
});
