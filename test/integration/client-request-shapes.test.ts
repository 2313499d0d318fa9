/**
 * The client configurations the README documents (README, Clients), each sending exactly what
 * the client sends, over loopback: Apollo Client runs for real (its requests recorded on the
 * way out); urql's and Relay's requests are built as their code builds them
 * (test/support/client-snippets.ts). CSRF prevention stays on: urql's default GET, which
 * carries only an `Accept` header, and a hash-only persisted-query GET without the header are
 * refused, with a message naming the header to add, before any upstream call.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayFetch, urqlQueryRequest, type GraphQLBody, type UrqlOptions } from '../support/client-snippets';
import { startStack, type Stack } from '../support/stack';

// urql adds __typename to every selection set; the document already has it.
const QUERY = 'query RecentTasks($first: Int!) { urlTasks(first: $first) { __typename nodes { __typename id url } } }';
const VARIABLES = { first: 2 };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Answer {
  status: number;
  body: { data?: { urlTasks?: { nodes: Array<{ id: string }> } } | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  method: string;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
});
afterAll(() => stack?.close());

// Sends what urql 4/5 sends for a query with these options.
async function urql(body: GraphQLBody, options: UrqlOptions = {}): Promise<Answer> {
  const { url, init } = urqlQueryRequest(stack.url, body, options);
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Answer['body'], method: init.method ?? 'GET' };
}

// An Apollo Client whose requests are recorded (method, URL, headers) before they go out.
function apolloClient(link: { useGETForQueries?: boolean; persisted?: boolean }) {
  const sent: Array<{ method: string; url: string; headers: Record<string, string> }> = [];
  const recording: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    sent.push({ method: init?.method ?? 'GET', url: String(input), headers });
    return fetch(input, init);
  };
  const http = new HttpLink({ uri: stack.url, fetch: recording, useGETForQueries: link.useGETForQueries ?? false });
  const client = new ApolloClient({
    link: link.persisted ? new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(http) : http,
    cache: new InMemoryCache(),
    clientAwareness: { name: 'cdn-dashboard', version: '1.4.0' },
  });
  return { client, sent };
}

describe('urql', () => {
  it('with its defaults (queries as GET with only an Accept header) is refused as CSRF, with a message naming the header to add, and costs no upstream call', async () => {
    const before = await stack.upstreamCalls();
    const answer = await urql({ query: QUERY, operationName: 'RecentTasks', variables: VARIABLES });
    expect(answer.method).toBe('GET');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(answer.body.errors?.[0]?.message).toContain('add the header apollo-require-preflight: true');
    expect(answer.body.errors?.[0]?.message).toContain('preferGetMethod: false');
    expect(await stack.upstreamCalls()).toBe(before);
  });

  it("with fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } keeps GET and gets its data", async () => {
    const answer = await urql({ query: QUERY, operationName: 'RecentTasks', variables: VARIABLES }, { fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } });
    expect([answer.method, answer.status, answer.body.errors]).toEqual(['GET', 200, undefined]);
    expect(answer.body.data?.urlTasks?.nodes).toHaveLength(2);
  });

  it('with preferGetMethod: false sends POST with content-type: application/json and gets its data', async () => {
    const answer = await urql({ query: QUERY, operationName: 'RecentTasks', variables: VARIABLES }, { preferGetMethod: false });
    expect([answer.method, answer.status, answer.body.errors]).toEqual(['POST', 200, undefined]);
    expect(answer.body.data?.urlTasks?.nodes).toHaveLength(2);
  });

  it('with persisted queries (hash-only GETs): refused without the header; with it, miss, register, then hit', async () => {
    const hash = sha256(QUERY);
    const hashed = { operationName: 'RecentTasks', variables: VARIABLES, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
    const bare = await urql(hashed);
    expect([bare.method, bare.status, bare.body.errors?.[0]?.extensions?.code]).toEqual(['GET', 400, 'BAD_REQUEST']);
    expect(bare.body.errors?.[0]?.message).toContain('apollo-require-preflight: true');

    const withHeader = { fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } };
    const miss = await urql(hashed, withHeader);
    expect([miss.method, miss.status, miss.body.errors?.[0]?.message, miss.body.errors?.[0]?.extensions?.code]).toEqual(['GET', 200, 'PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND']);
    // urql's persistedExchange then sends the document with the hash (marked as a miss).
    const register = await urql({ query: QUERY, ...hashed, extensions: { persistedQuery: { version: 1, sha256Hash: hash, miss: true } } }, withHeader);
    expect([register.method, register.status, register.body.errors]).toEqual(['GET', 200, undefined]);
    const hit = await urql(hashed, withHeader);
    expect([hit.method, hit.status, hit.body.errors]).toEqual(['GET', 200, undefined]);
    expect(hit.body.data).toEqual(register.body.data);
  });
});

describe('Apollo Client', () => {
  it('unmodified (POST, with clientAwareness) gets its data', async () => {
    const { client, sent } = apolloClient({});
    try {
      const result = await client.query({ query: gql(QUERY), variables: VARIABLES });
      expect((result.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(2);
      expect(sent[0]).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json', 'apollographql-client-name': 'cdn-dashboard', 'apollographql-client-version': '1.4.0' } });
    } finally {
      client.stop();
    }
  });

  it('with useGETForQueries: true sends GET with content-type: application/json, which passes CSRF prevention as it is', async () => {
    const { client, sent } = apolloClient({ useGETForQueries: true });
    try {
      const result = await client.query({ query: gql(QUERY), variables: VARIABLES });
      expect((result.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(2);
      expect(sent[0]).toMatchObject({ method: 'GET', headers: { 'content-type': 'application/json' } });
      expect(sent[0]?.headers['apollo-require-preflight']).toBeUndefined();
    } finally {
      client.stop();
    }
  });

  it('with PersistedQueryLink (useGETForHashedQueries) sends hash-only GETs that pass CSRF prevention as they are', async () => {
    // A document of its own, so that its hash is not registered by another test.
    const document = 'query PersistedTasks($first: Int!) { urlTasks(first: $first) { nodes { id url } } }';
    const first = apolloClient({ persisted: true });
    const second = apolloClient({ persisted: true });
    try {
      await first.client.query({ query: gql(document), variables: VARIABLES });
      // The hash alone as GET (unknown yet), then the document with its hash as POST.
      expect(first.sent.map((r) => [r.method, new URL(r.url).searchParams.has('extensions')])).toEqual([
        ['GET', true],
        ['POST', false],
      ]);
      expect(first.sent[0]?.headers['content-type']).toBe('application/json');
      const again = await second.client.query({ query: gql(document), variables: VARIABLES });
      expect((again.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(2);
      expect(second.sent.map((r) => [r.method, new URL(r.url).searchParams.has('query'), new URL(r.url).searchParams.has('extensions')])).toEqual([['GET', false, true]]);
    } finally {
      first.client.stop();
      second.client.stop();
    }
  });
});

describe('Relay', () => {
  it("with the README's fetch function (POST, content-type: application/json) gets its data", async () => {
    const answer = (await relayFetch(stack.url)({ name: 'RecentTasks', text: QUERY, operationKind: 'query' }, VARIABLES)) as Answer['body'];
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.urlTasks?.nodes).toHaveLength(2);
  });
});

describe('a bare GET', () => {
  it('with only an Accept header is still refused (HTTP 400 BAD_REQUEST), naming apollo-require-preflight', async () => {
    const res = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Answer['body'];
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(body.errors?.[0]?.message).toMatch(/^A GET request without a content-type header can be sent by any web page .*: add the header apollo-require-preflight: true/);
    const allowed = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect([allowed.status, await allowed.json()]).toEqual([200, { data: { __typename: 'Query' } }]);
  });
});
