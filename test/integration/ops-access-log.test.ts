/**
 * The access log as the one writer of a request's outcome: whichever part of the gateway
 * answered (caller authentication, the body reader, Apollo with or without its plugins, a
 * resolver, Node's HTTP parser), the request gets exactly one access line and one metrics
 * observation, under the request id its answer carries in `x-request-id` and in every error
 * (the gateway's own; the caller's `x-request-id` is logged beside it as `clientRequestId`).
 */
import { connect } from 'node:net';
import { startOpsStack, type OpsStack } from './ops-support';

const KEY = 'access-log-key-0123456789';

let stack: OpsStack;
beforeAll(async () => {
  stack = await startOpsStack({ env: { AUTH_MODE: 'api-key', API_KEYS: KEY, BODY_LIMIT_BYTES: '2048', METRICS_OPERATION_NAMES: 'Fine,Cursor,Named' } });
});
afterAll(() => stack.close());

/** One answer as a client sees it. */
interface Answer {
  readonly status: number;
  readonly requestId: string | null;
  readonly body: { errors?: Array<{ extensions?: { code?: string; requestId?: string } }> };
}

// Posts a raw body to /graphql with the API key and a client request id.
async function post(requestId: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const res = await fetch(`${stack.origin}/graphql`, { method: 'POST', headers: { 'x-api-key': KEY, 'x-request-id': requestId, ...headers }, body });
  return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as Answer['body'] };
}

// The access lines written under a request id, once the first has arrived.
async function accessLines(requestId: string): Promise<Array<Record<string, unknown>>> {
  await stack.waitForLogs((l) => l.requestId === requestId && (l.msg === 'graphql request' || l.msg === 'http request'));
  return stack.logs.filter((l) => l.requestId === requestId && (l.msg === 'graphql request' || l.msg === 'http request'));
}

const CASES: ReadonlyArray<{ name: string; send: (id: string) => Promise<Answer>; status: number; codes: string[]; operation: string | null }> = [
  { name: 'an answer without errors', send: (id) => post(id, JSON.stringify({ query: 'query Fine { __typename }' })), status: 200, codes: [], operation: 'Fine' },
  { name: 'a resolver error', send: (id) => post(id, JSON.stringify({ query: 'query Cursor { urlTasks(first: 1, after: "forged") { totalCount } }' })), status: 200, codes: ['BAD_USER_INPUT'], operation: 'Cursor' },
  // Apollo names the operation only once the document is valid, unless the request names it.
  { name: 'a validation failure (plugins ran)', send: (id) => post(id, JSON.stringify({ query: 'query Unknown { nothing }' })), status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], operation: null },
  { name: 'a named operation that fails validation', send: (id) => post(id, JSON.stringify({ query: 'query Named { nothing }', operationName: 'Named' })), status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], operation: 'Named' },
  { name: 'a CSRF refusal (Apollo ran no plugin)', send: (id) => post(id, JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' }), status: 400, codes: ['BAD_REQUEST'], operation: null },
  { name: 'a body that is not JSON (refused before Apollo)', send: (id) => post(id, '{"query": '), status: 400, codes: ['BAD_REQUEST'], operation: null },
  { name: 'a body over BODY_LIMIT_BYTES', send: (id) => post(id, JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(4096) })), status: 413, codes: ['BAD_REQUEST'], operation: null },
  {
    name: 'a caller without a key',
    send: async (id) => {
      const res = await fetch(`${stack.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: '{"query":"{ __typename }"}' });
      return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as Answer['body'] };
    },
    status: 401,
    codes: ['UNAUTHENTICATED'],
    operation: null,
  },
];

describe('one access line per GraphQL request, under the request id its answer carries', () => {
  it.each(CASES.map((c, i) => ({ ...c, id: `access-${i}` })))('$name → HTTP $status $codes', async ({ send, id, status, codes, operation }) => {
    const answer = await send(id);
    expect(answer.status).toBe(status);
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const requestId = answer.requestId!;
    expect((answer.body.errors ?? []).map((e) => e.extensions?.code)).toEqual(codes);
    for (const error of answer.body.errors ?? []) expect(error.extensions?.requestId).toBe(requestId);
    const lines = await accessLines(requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'graphql request', status, operation, clientRequestId: id, ...(codes.length > 0 ? { errors: codes } : {}) });
    if (codes.length === 0) expect(lines[0]).not.toHaveProperty('errors');
  });

  it('counted each request once in the metrics, by its codes', async () => {
    const text = await (await fetch(`${stack.origin}/metrics`)).text();
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="Named",code="GRAPHQL_VALIDATION_FAILED"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="anonymous",code="GRAPHQL_VALIDATION_FAILED"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="Cursor",code="BAD_USER_INPUT"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="anonymous",code="BAD_REQUEST"\} 3$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="anonymous",code="UNAUTHENTICATED"\} 1$/m);
    expect(text).toMatch(/^gateway_http_responses_total\{route="\/graphql",status="413"\} 1$/m);
  });
});

describe('bytes that are not HTTP', () => {
  it('get a GraphQL error body whose request id is the answer’s x-request-id, and one access line under it', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(stack.origin).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      socket.end('GARBAGE\r\n\r\n');
    });
    const [head = '', body = ''] = reply.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    const requestId = /^x-request-id: (\S+)$/im.exec(head)?.[1];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(body)).toEqual({ errors: [{ message: 'The request is not valid HTTP/1.1', extensions: { code: 'BAD_REQUEST', requestId } }] });
    expect(await accessLines(requestId as string)).toEqual([expect.objectContaining({ msg: 'http request', route: 'unparsed', status: 400 })]);
    const metrics = await (await fetch(`${stack.origin}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_http_responses_total\{route="unparsed",status="400"\} 1$/m);
  });
});
