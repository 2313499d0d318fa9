/**
 * Cross-origin calls in a real browser (Debian's Chromium, headless, driven by playwright-core):
 * a page served from another origin (another loopback port) calls the gateway with `fetch`,
 * sending exactly the headers Apollo Client sends with `clientAwareness` (recorded from a real
 * Apollo Client on its way out) plus W3C trace context, baggage and Sentry's header; Chromium
 * preflights it and the call succeeds. A header nobody allowed makes Chromium block the call
 * (`TypeError: Failed to fetch`), which is what the allow list prevents; one added with
 * CORS_ALLOW_HEADERS passes. urql's GET with `apollo-require-preflight` works cross-origin too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startOpsStack, type OpsStack } from '../integration/ops-support';
import { URQL_ACCEPT } from '../support/client-snippets';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from './support/chromium';

const QUERY = 'query Recent { urlTasks(first: 2) { nodes { id url } } }';
const TRACING = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'vendor=opaque',
  baggage: 'userId=alice,release=1.4.0',
  'sentry-trace': '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1',
};

/** What a page's fetch came to: the answer, or the error Chromium raised. */
type Outcome = { ok: true; status: number; body: { data?: unknown; errors?: unknown } } | { ok: false; error: string };

// Runs a fetch inside the page and reports how it ended.
function fetchFromPage(page: Page, url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Outcome> {
  return page.evaluate(async ({ url, init }) => {
    try {
      const res = await fetch(url, init);
      return { ok: true as const, status: res.status, body: (await res.json()) as { data?: unknown; errors?: unknown } };
    } catch (error) {
      return { ok: false as const, error: String(error) };
    }
  }, { url, init });
}

// Records the headers a real Apollo Client with clientAwareness sends for a query (the request still goes, to the gateway).
async function apolloClientHeaders(uri: string): Promise<Record<string, string>> {
  let recorded: Record<string, string> = {};
  const recording: typeof fetch = async (input, init) => {
    recorded = {};
    new Headers(init?.headers).forEach((value, name) => {
      recorded[name] = value;
    });
    return fetch(input, init);
  };
  const client = new ApolloClient({ link: new HttpLink({ uri, fetch: recording }), cache: new InMemoryCache(), clientAwareness: { name: 'cdn-dashboard', version: '1.4.0' } });
  try {
    await client.query({ query: gql(QUERY) });
  } finally {
    client.stop();
  }
  return recorded;
}

describeWithChromium('CORS browser test')('cross-origin calls from Chromium', () => {
  let site: Server;
  let siteOrigin: string;
  let stack: OpsStack;
  let browser: Browser;
  let page: Page;
  let graphql: string;

  beforeAll(async () => {
    // The frontend's origin: another port of the loopback interface.
    site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>dashboard</title><p>dashboard</p>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    stack = await startOpsStack({ logLevel: 'silent', env: { CORS_ORIGINS: siteOrigin, CORS_ALLOW_HEADERS: 'x-tenant-id' } });
    graphql = `${stack.origin}/graphql`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(siteOrigin);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  });

  it("succeeds with Apollo Client's clientAwareness headers, traceparent, tracestate, baggage and sentry-trace", async () => {
    const headers = await apolloClientHeaders(graphql);
    expect(headers).toMatchObject({ 'apollographql-client-name': 'cdn-dashboard', 'apollographql-client-version': '1.4.0', 'content-type': 'application/json' });
    const outcome = await fetchFromPage(page, graphql, { method: 'POST', headers: { ...headers, ...TRACING }, body: JSON.stringify({ query: QUERY }) });
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    expect(outcome.ok && (outcome.body.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(2);
  });

  it('blocks a call carrying a header the gateway does not allow (the failure clients met), and lets one added by CORS_ALLOW_HEADERS through', async () => {
    const json = { 'content-type': 'application/json' };
    const blocked = await fetchFromPage(page, graphql, { method: 'POST', headers: { ...json, 'x-not-allowed': '1' }, body: JSON.stringify({ query: QUERY }) });
    expect(blocked).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    const added = await fetchFromPage(page, graphql, { method: 'POST', headers: { ...json, 'x-tenant-id': 'acme' }, body: JSON.stringify({ query: QUERY }) });
    expect(added).toMatchObject({ ok: true, status: 200 });
  });

  it("succeeds with urql's GET carrying apollo-require-preflight", async () => {
    const url = new URL(graphql);
    url.searchParams.set('query', QUERY);
    url.searchParams.set('operationName', 'Recent');
    const outcome = await fetchFromPage(page, url.toString(), { method: 'GET', headers: { accept: URQL_ACCEPT, 'apollo-require-preflight': 'true' } });
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    expect(outcome.ok && outcome.body.errors).toBeUndefined();
  });
});
