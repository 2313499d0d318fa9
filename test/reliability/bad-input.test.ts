/**
 * Hostile input: a corpus of documents and HTTP requests no well-behaved client sends. Every
 * answer must be a well-formed GraphQL response (JSON, `errors` entries with a message and a
 * known `extensions.code`) with the expected status and code, never an HTTP 500, and a
 * refused request must cost no upstream call.
 */
import { OPS } from '../support/stack';
import { describeMalformed, send, sendBytes, startReliabilityStack, watchProcessFailures, type FailureWatch, type RawAnswer, type RawRequest, type ReliabilityStack } from './support';

const json = (value: unknown): string => JSON.stringify(value);
const gql = (query: string, variables?: unknown, extra: Record<string, unknown> = {}): string => json({ query, variables, ...extra });
const PREFLIGHT = { 'apollo-require-preflight': 'true' };
// What a graphql-sse client sends with each subscription.
const EVENT_STREAM = { accept: 'text/event-stream', 'content-type': 'application/json' };
const getQuery = (query: string, extra = ''): RawRequest => ({ method: 'GET', headers: PREFLIGHT, search: `?query=${encodeURIComponent(query)}${extra}` });

// Nests `task { urls { nodes { … } } }` n times: each level adds three to the depth.
const deep = (n: number): string => `{ urlTasks { nodes { ${'task { urls { nodes { '.repeat(n)}url${' } } }'.repeat(n)} } } }`;
const aliases = (n: number, field: string): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** One hostile request and the answer it must get. */
interface Case {
  readonly name: string;
  readonly request: RawRequest;
  readonly status: number;
  /** The `extensions.code` of every error; `null` for an answer without errors. */
  readonly code: string | null;
  /** A fragment of the first error's message, when it says something worth pinning. */
  readonly message?: RegExp;
  /** Whether answering may call the upstream (only for requests that are valid after all). @default false */
  readonly upstream?: boolean;
}

const CORPUS: readonly Case[] = [
  // Shapes of documents
  { name: 'nesting 63 levels deep', request: { body: gql(deep(20)) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /depth limit of 10 exceeded.*\(MAX_DEPTH\)/ },
  { name: 'nesting past the token limit', request: { body: gql(deep(200)) }, status: 400, code: 'GRAPHQL_PARSE_FAILED', message: /more that 1000 tokens/ },
  { name: 'alias flood of upstream fields', request: { body: gql(aliases(100, 'urlTasks { totalCount }')) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /Aliases limit of 15 exceeded, found 100/ },
  { name: 'alias flood past the token limit', request: { body: gql(aliases(150, 'task(taskId: "1") { status }')) }, status: 400, code: 'GRAPHQL_PARSE_FAILED', message: /more that 1000 tokens/ },
  { name: '16 aliases of a root field', request: { body: gql(aliases(16, 'tasks(first: 1) { totalCount }')) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /Aliases limit of 15 exceeded, found 16/ },
  { name: 'directive flood', request: { body: gql(`{ __typename ${'@include(if: true) '.repeat(200)}}`) }, status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'fragment spread cycle', request: { body: gql('{ urlTasks { nodes { ...A } } } fragment A on UrlTask { task { urls { nodes { ...A } } } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'deep introspection', request: { body: gql(`{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection depth/ },
  { name: 'syntax error', request: { body: gql('{ urlTasks { ') }, status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'unknown field', request: { body: gql('{ urlTasks { nodes { password } } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /Cannot query field "password" on type "UrlTask"/ },
  { name: 'unknown root field', request: { body: gql('{ secrets }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'subscription of a field Subscription does not have, over HTTP', request: { body: gql('subscription { urlTasks { totalCount } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /served over WebSocket/ },
  { name: 'subscription over HTTP', request: { body: gql('subscription { taskProgress(taskId: "1") { taskId } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /served over WebSocket/ },
  { name: 'two anonymous operations', request: { body: gql('{ __typename } { __typename }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'several operations, no operationName', request: { body: gql('query A { __typename } query B { __typename }') }, status: 400, code: 'OPERATION_RESOLUTION_FAILURE' },
  { name: 'unknown operationName', request: { body: gql('query A { __typename }', undefined, { operationName: 'Z' }) }, status: 400, code: 'OPERATION_RESOLUTION_FAILURE' },
  // Arguments
  { name: 'huge first', request: { body: gql('{ urlTasks(first: 1000000) { nodes { url } } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /MAX_COST/ },
  { name: 'first beyond 32 bits (literal)', request: { body: gql('{ urlTasks(first: 99999999999) { nodes { url } } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /non 32-bit signed integer/ },
  { name: 'first beyond 32 bits (variable)', request: { body: gql('query($f: Int) { urlTasks(first: $f) { nodes { url } } }', { f: 1e20 }) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /MAX_COST/ },
  { name: 'first as a float', request: { body: gql('query($f: Int) { urlTasks(first: $f) { nodes { url } } }', { f: 1.5 }) }, status: 400, code: 'BAD_USER_INPUT' },
  { name: 'first as a string', request: { body: gql('query($f: Int) { urlTasks(first: $f) { nodes { url } } }', { f: '10' }) }, status: 400, code: 'BAD_USER_INPUT' },
  { name: 'negative first', request: { body: gql('{ urlTasks(first: -1) { nodes { url } } }') }, status: 200, code: 'BAD_USER_INPUT', message: /first must not be negative; got -1/ },
  { name: 'first and last together', request: { body: gql('{ urlTasks(first: 1, last: 1) { nodes { url } } }') }, status: 200, code: 'BAD_USER_INPUT' },
  { name: 'garbage cursor', request: { body: gql('{ urlTasks(after: "garbage") { nodes { url } } }') }, status: 200, code: 'BAD_USER_INPUT', message: /after is not a valid cursor/ },
  { name: '800 KB cursor', request: { body: gql('query($c: String) { urlTasks(first: 1, after: $c) { nodes { url } } }', { c: 'x'.repeat(800_000) }) }, status: 200, code: 'BAD_USER_INPUT' },
  { name: '500 KB url filter (variable)', request: { body: gql('query($u: String) { urlTasks(first: 1, filter: { url: $u }) { nodes { url } } }', { u: `https://x.example/${'a'.repeat(500_000)}` }) }, status: 200, code: 'BAD_USER_INPUT', message: /filter\.url must be at most 4096 characters/ },
  { name: '900 KB url filter (literal)', request: { body: gql(`{ urlTasks(first: 1, filter: { url: "${'a'.repeat(900_000)}" }) { nodes { url } } }`) }, status: 200, code: 'BAD_USER_INPUT' },
  { name: '100 KB Task.urls filter', request: { body: gql('query($u: String) { tasks(first: 1) { nodes { urls(filter: { url: $u }) { totalCount } } } }', { u: 'u'.repeat(100_000) }) }, status: 200, code: 'BAD_USER_INPUT', upstream: true },
  { name: 'range of 26 years', request: { body: gql('{ urlTasks(first: 1, filter: { createdAfter: "2000-01-01T00:00:00Z" }) { nodes { url } } }') }, status: 200, code: 'BAD_USER_INPUT', message: /must span at most 31 days/ },
  { name: 'impossible date', request: { body: gql('{ urlTasks(first: 1, filter: { createdAfter: "2025-02-30T00:00:00Z" }) { nodes { url } } }') }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'filter nested 400 lists deep', request: { body: gql(`{ urlTasks(filter: { url: ${'['.repeat(400)}${']'.repeat(400)} }) { totalCount } }`) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'variables nested 5000 arrays deep', request: { body: `{"query":"query($f: UrlTaskFilter) { urlTasks(filter: $f) { totalCount } }","variables":{"f":${'['.repeat(5000)}${']'.repeat(5000)}}}` }, status: 400, code: 'BAD_USER_INPUT' },
  { name: 'unknown filter enum', request: { body: gql('query($s: UrlTaskStatus) { urlTasks(filter: { status: $s }) { totalCount } }', { s: 'DELETED' }) }, status: 400, code: 'BAD_USER_INPUT' },
  { name: 'UNKNOWN as a filter', request: { body: gql('{ urlTasks(filter: { status: UNKNOWN }) { totalCount } }') }, status: 200, code: 'BAD_USER_INPUT' },
  { name: 'NUL in a filter string', request: { body: gql('query($u: String) { urlTasks(first: 1, filter: { url: $u }) { nodes { url } } }', { u: 'a\u0000b' }) }, status: 200, code: null, upstream: true },
  { name: 'a lone surrogate in a filter string', request: { body: gql('query($u: String) { urlTasks(first: 1, filter: { url: $u }) { nodes { url } } }', { u: 'a\ud800c' }) }, status: 200, code: 'BAD_USER_INPUT', message: /well-formed Unicode/ },
  { name: 'a lone surrogate in a Task.urls filter', request: { body: gql('query($u: String) { tasks(first: 1) { nodes { urls(filter: { url: $u }) { totalCount } } } }', { u: '\udc00' }) }, status: 200, code: 'BAD_USER_INPUT', upstream: true },
  { name: 'task id with path traversal', request: { body: gql('{ task(taskId: "../../etc/passwd") { status } }') }, status: 200, code: 'BAD_USER_INPUT' },
  { name: 'node id of garbage', request: { body: gql('query($id: ID!) { node(id: $id) { id } }', { id: '\u0000\uffff💥' }) }, status: 200, code: null },
  { name: '5000 node ids', request: { body: gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 5000 }, (_, i) => String(i)) }) }, status: 400, code: 'BAD_USER_INPUT', message: /^nodes takes at most 100 ids; got 5000$/ },
  { name: '5000 _entities representations', request: { body: gql('query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', { r: Array.from({ length: 5000 }, (_, i) => ({ __typename: 'Task', id: String(i) })) }) }, status: 400, code: 'BAD_USER_INPUT', message: /^_entities takes at most 100 representations; got 5000$/ },
  { name: '15 aliases of 100 node ids', request: { body: gql(`query($ids: [ID!]!) { ${Array.from({ length: 15 }, (_, i) => `a${i}: nodes(ids: $ids) { id }`).join(' ')} }`, { ids: Array.from({ length: 100 }, (_, i) => String(i)) }) }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /MAX_DETAIL_LOOKUPS/ },
  { name: 'mutation with a script URL', request: { body: gql('mutation { createRefreshTask(input: { urls: ["javascript:alert(1)"] }) { taskId } }') }, status: 200, code: 'BAD_USER_INPUT' },
  { name: 'mutation with 5000 URLs', request: { body: gql('mutation($u: [String!]!) { createRefreshTask(input: { urls: $u }) { taskId } }', { u: Array.from({ length: 5000 }, (_, i) => `https://a.example/${i}`) }) }, status: 200, code: 'BAD_USER_INPUT' },
  // Bodies
  { name: 'invalid UTF-8 bytes in a string', request: { body: Buffer.concat([Buffer.from('{"query":"{ urlTasks(first: 1, filter: {url: \\"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('\\"}) { nodes { url } } }"}')]) }, status: 200, code: null, upstream: true },
  { name: 'invalid UTF-8 bytes in a key', request: { body: Buffer.concat([Buffer.from('{"qu'), Buffer.from([0xff]), Buffer.from('ery":"{ __typename }"}')]) }, status: 400, code: 'BAD_REQUEST' },
  { name: 'a byte order mark before the JSON', request: { body: `\ufeff${gql('{ __typename }')}` }, status: 400, code: 'BAD_REQUEST' },
  { name: 'oversized body (2 MiB)', request: { body: json({ query: '{ __typename }', pad: 'x'.repeat(2 * 1024 * 1024) }) }, status: 413, code: 'BAD_REQUEST', message: /BODY_LIMIT_BYTES/ },
  { name: 'batched array', request: { body: json([{ query: '{ __typename }' }, { query: '{ __typename }' }]) }, status: 400, code: 'BAD_REQUEST', message: /batching/ },
  { name: 'empty batch', request: { body: '[]' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'non-JSON body', request: { body: 'this is not json' }, status: 400, code: 'BAD_REQUEST', message: /not valid JSON/ },
  { name: 'empty body', request: { body: '' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON null', request: { body: 'null' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON number', request: { body: '42' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'query as a number', request: { body: json({ query: 42 }) }, status: 400, code: 'BAD_REQUEST' },
  { name: 'no query', request: { body: json({ variables: {} }) }, status: 400, code: 'BAD_REQUEST' },
  { name: 'variables as an array', request: { body: json({ query: '{ __typename }', variables: [1] }) }, status: 400, code: 'BAD_REQUEST' },
  { name: 'variables as a string', request: { body: json({ query: '{ __typename }', variables: '{}' }) }, status: 400, code: 'BAD_REQUEST' },
  { name: 'persisted query hash that does not match', request: { body: gql('{ __typename }', undefined, { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }) }, status: 400, code: 'BAD_REQUEST', message: /sha does not match/ },
  { name: 'unknown persisted query', request: { body: json({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }) }, status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' },
  // Content types and methods
  { name: 'text/plain (CSRF-safe type)', request: { headers: { 'content-type': 'text/plain' }, body: gql('{ __typename }') }, status: 400, code: 'BAD_REQUEST', message: /Cross-Site Request Forgery/ },
  { name: 'form-encoded', request: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'multipart', request: { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'no content type', request: { headers: {}, body: gql('{ __typename }') }, status: 400, code: 'BAD_REQUEST' },
  { name: 'application/xml', request: { headers: { 'content-type': 'application/xml' }, body: '<q/>' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with a mutation', request: getQuery('mutation { createRefreshTask(input: { urls: ["https://a.example/x"] }) { taskId } }'), status: 405, code: 'BAD_REQUEST', message: /GET requests only support query operations/ },
  { name: 'GET without a preflight header', request: { method: 'GET', headers: {}, search: `?query=${encodeURIComponent('{ __typename }')}` }, status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with broken variables', request: getQuery('{ __typename }', '&variables=%7Bnot'), status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with a 20 KB URL', request: { method: 'GET', headers: PREFLIGHT, search: `?query=${'a'.repeat(20_000)}` }, status: 431, code: 'BAD_REQUEST', message: /POST body/ },
  { name: 'PUT', request: { method: 'PUT', body: gql('{ __typename }') }, status: 405, code: 'BAD_REQUEST' },
  { name: 'DELETE', request: { method: 'DELETE', headers: PREFLIGHT }, status: 405, code: 'BAD_REQUEST' },
  // Event streams (GraphQL over Server-Sent Events): refused before anything runs, with a JSON body like every refusal
  { name: 'PUT without a body (graphql-sse single connection mode)', request: { method: 'PUT', headers: {} }, status: 405, code: 'BAD_REQUEST', message: /distinct connections mode only/ },
  { name: 'event stream with an oversized body', request: { headers: EVENT_STREAM, body: json({ query: 'subscription { __typename }', pad: 'x'.repeat(2 * 1024 * 1024) }) }, status: 413, code: 'BAD_REQUEST', message: /BODY_LIMIT_BYTES/ },
  { name: 'event stream with a non-JSON body', request: { headers: EVENT_STREAM, body: 'this is not json' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'event stream without a query', request: { headers: EVENT_STREAM, body: json({ variables: {} }) }, status: 400, code: 'BAD_REQUEST', message: /Missing query/ },
  { name: 'event stream posted as text/plain', request: { headers: { ...EVENT_STREAM, 'content-type': 'text/plain' }, body: gql('subscription { __typename }') }, status: 400, code: 'BAD_REQUEST', message: /Cross-Site Request Forgery/ },
];

/** Bytes that are not (valid) HTTP: Node's parser refuses them before any route. */
const RAW: ReadonlyArray<{ name: string; bytes: (host: string) => string; status: number }> = [
  { name: 'a request line of garbage', bytes: () => 'GARBAGE\r\n\r\n', status: 400 },
  { name: 'a chunked body with a bad chunk size', bytes: (h) => `POST /graphql HTTP/1.1\r\nHost: ${h}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, status: 400 },
  { name: 'Content-Length and Transfer-Encoding together', bytes: (h) => `POST /graphql HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400 },
  { name: 'a 20 KB header', bytes: (h) => `POST /graphql HTTP/1.1\r\nHost: ${h}\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`, status: 431 },
];

let stack: ReliabilityStack;
let watch: FailureWatch;
beforeAll(async () => {
  watch = watchProcessFailures();
  stack = await startReliabilityStack({ simulator: { rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
});
afterAll(async () => {
  await stack.close();
  watch.stop();
});

// Sums the simulator's request counters.
async function allUpstreamCalls(): Promise<number> {
  const stats = await stack.sim<{ requests: Record<string, number> }>('GET', '/__sim/stats');
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

// Asserts the answer is well-formed and has the expected status and codes.
function expectAnswer(res: RawAnswer, status: number, code: string | null, message?: RegExp): void {
  expect(describeMalformed(res)).toBeUndefined();
  expect(res.status).toBe(status);
  const body = JSON.parse(res.text) as { errors?: Array<{ message: string; extensions: { code: string } }> };
  if (code === null) expect(body.errors).toBeUndefined();
  else expect([...new Set(body.errors?.map((e) => e.extensions.code))]).toEqual([code]);
  if (message) expect(body.errors?.[0]?.message).toMatch(message);
}

describe('hostile GraphQL requests', () => {
  it.each(CORPUS)('$name → HTTP $status $code', async ({ request, status, code, message, upstream }) => {
    const before = await allUpstreamCalls();
    const res = await send(stack.url, request);
    expectAnswer(res, status, code, message);
    if (!upstream) expect(await allUpstreamCalls()).toBe(before);
  });
});

describe('bytes that are not HTTP', () => {
  it.each(RAW)('$name → HTTP $status with a GraphQL error body, connection closed', async ({ bytes, status }) => {
    const res = await sendBytes(stack.url, bytes(new URL(stack.url).host));
    expectAnswer(res, status, 'BAD_REQUEST');
    expect(res.headers.connection).toBe('close');
  });
});

describe('after the corpus', () => {
  it('the gateway still answers a normal query', async () => {
    const answer = await stack.query('{ urlTasks(first: 2) { nodes { url } } }');
    expect(answer.errors).toBeUndefined();
    expect((answer.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(2);
    expect(await stack.upstreamCalls(OPS.urlTasks)).toBeGreaterThan(0);
  });

  it('fired no unhandled rejection and no uncaught exception', () => {
    expect(watch.rejections).toEqual([]);
    expect(watch.exceptions).toEqual([]);
  });
});
