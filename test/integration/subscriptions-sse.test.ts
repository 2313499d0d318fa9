/**
 * Task progress over GraphQL over Server-Sent Events (graphql-sse's own client, distinct
 * connections mode) against the gateway and the simulator over loopback: a created task
 * followed to DONE; the same gate as WebSocket (credentials, Origin, connections per caller
 * counted over both transports); polls made as the subscriber's caller; shutdown ending the
 * streams; and the poller metrics read from /metrics while subscriptions run. The simulator's
 * data clock is moved by hand to settle tasks.
 */
import { createClient as createSseClient, NetworkError, type Client as SseClient, type ExecutionResult } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { CdnApi } from '../../src/graph/context';
import { startStack, type Stack } from '../support/stack';
import { startOpsStack, type OpsStack } from './ops-support';
import { eventually } from '../support/eventually';

const FOLLOW = 'subscription Follow($taskId: ID!) { taskProgress(taskId: $taskId) { taskId status processing succeeded failed total } }';

type Progress = { taskId: string; status: string; processing: number; succeeded: number; failed: number; total: number };
type Event = ExecutionResult<{ taskProgress: Progress }, unknown>;

/** One followed subscription: its events, and how it ended. */
interface Followed {
  readonly events: Event[];
  readonly ended: Promise<'complete' | { error: unknown }>;
  stop(): void;
}

// Subscribes through any graphql-sse or graphql-ws client and collects every event until the end.
function follow(client: SseClient | WsClient, taskId: string, query = FOLLOW): Followed {
  const events: Event[] = [];
  let stop = () => {};
  const ended = new Promise<'complete' | { error: unknown }>((resolve) => {
    stop = (client as SseClient).subscribe<{ taskProgress: Progress }>(
      { query, variables: { taskId } },
      { next: (e) => void events.push(e as Event), complete: () => resolve('complete'), error: (error) => resolve({ error }) },
    );
  });
  return { events, ended, stop: () => stop() };
}

// A graphql-sse client that does not retry, so a refusal surfaces as the subscription's error.
function sse(url: string, headers?: Record<string, string>): SseClient {
  return createSseClient({ url, retryAttempts: 0, ...(headers ? { headers } : {}) });
}

// A graphql-ws client that does not retry.
function ws(url: string, connectionParams?: Record<string, unknown>): WsClient {
  return createWsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(connectionParams ? { connectionParams } : {}) });
}

// The HTTP status and body of a refused stream (graphql-sse's NetworkError carries the response).
async function refusal(ended: Followed['ended']): Promise<{ status: number; body: { errors?: Array<{ message: string; extensions?: { code?: string } }> } }> {
  const outcome = await ended;
  if (outcome === 'complete' || !(outcome.error instanceof NetworkError) || !outcome.error.response) throw new Error(`expected a refused stream, got ${String(outcome === 'complete' ? outcome : outcome.error)}`);
  const response = outcome.error.response as unknown as Response;
  return { status: response.status, body: (await response.json()) as never };
}

// One sample of /metrics text, by name and labels (`undefined` when absent).
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('taskProgress over Server-Sent Events', () => {
  let stack: Stack;
  let offsetMs = 0;
  const clients: Array<SseClient | SseClient<true> | WsClient> = [];

  // Creates a refresh task of `n` URLs through the gateway; returns its upstream id.
  async function createTask(n: number): Promise<string> {
    const urls = Array.from({ length: n }, (_, i) => `https://www.example.com/sse/${Date.now()}-${i}.html`);
    const res = await stack.query<{ createRefreshTask: { taskId: string } }>('mutation($input: CreateRefreshTaskInput!) { createRefreshTask(input: $input) { taskId } }', { input: { urls } });
    expect(res.errors).toBeUndefined();
    return res.data!.createRefreshTask.taskId;
  }

  beforeAll(async () => {
    stack = await startStack({
      simulator: { now: () => Date.now() + offsetMs, transitionMs: 60_000 },
      env: { PROGRESS_POLL_MS: '100', PROGRESS_POLL_MAX_MS: '200', UPSTREAM_MAX_ATTEMPTS: '1' },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => stack.close());

  it('follows a created task to DONE on /graphql with Accept: text/event-stream, then completes', async () => {
    const taskId = await createTask(3);
    const client = sse(stack.url);
    clients.push(client);
    const followed = follow(client, taskId);
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    expect(followed.events[0]!.data?.taskProgress).toMatchObject({ taskId, status: 'IN_PROCESS', processing: 3, total: 3 });
    offsetMs += 61_000;
    await expect(followed.ended).resolves.toBe('complete');
    const last = followed.events.at(-1)!.data!.taskProgress;
    expect(last).toMatchObject({ taskId, status: 'DONE', processing: 0, total: 3 });
    expect(last.succeeded + last.failed).toBe(3);
    await eventually(() => expect(stack.gateway.progress.stats().pollers).toBe(0));
    expect(stack.gateway.eventStreams.connections()).toBe(0);
  });

  it('shows pollers, subscribers, connections by transport and polls by outcome in /metrics while subscriptions run', async () => {
    const metrics = async () => (await fetch(new URL('/metrics', stack.url))).text();
    const before = await metrics();
    const changedBefore = sample(before, 'gateway_progress_polls_total', '{outcome="changed"}') ?? 0;
    expect(sample(before, 'gateway_progress_polls_total', '{outcome="error"}')).toBe(0);
    const taskId = await createTask(2);
    const overSse = sse(stack.url);
    const overWs = ws(stack.url);
    clients.push(overSse, overWs);
    const a = follow(overSse, taskId);
    const b = follow(overWs, taskId);
    await eventually(() => [a, b].forEach((f) => expect(f.events.length).toBeGreaterThanOrEqual(1)));
    const during = await metrics();
    expect(sample(during, 'gateway_progress_pollers')).toBe(1);
    expect(sample(during, 'gateway_progress_subscribers')).toBe(2);
    expect(sample(during, 'gateway_subscription_connections', '{transport="sse"}')).toBe(1);
    expect(sample(during, 'gateway_subscription_connections', '{transport="websocket"}')).toBe(1);
    expect(sample(during, 'gateway_progress_polls_total', '{outcome="changed"}')).toBeGreaterThan(changedBefore);
    offsetMs += 61_000;
    await Promise.all([a.ended, b.ended]);
    await eventually(async () => {
      const after = await metrics();
      expect(sample(after, 'gateway_progress_pollers')).toBe(0);
      expect(sample(after, 'gateway_progress_subscribers')).toBe(0);
      expect(sample(after, 'gateway_subscription_connections', '{transport="sse"}')).toBe(0);
    });
  });

  it('refuses a query, a bad task id and single connection mode, with what to do instead', async () => {
    const client = sse(stack.url);
    clients.push(client);
    const query = follow(client, '1', '{ __typename }');
    await expect(query.ended).resolves.toBe('complete');
    expect(query.events[0]!.errors![0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(query.events[0]!.errors![0]!.message).toContain('Only subscriptions are served over Server-Sent Events');
    const bad = follow(client, 'not a task id');
    await expect(bad.ended).resolves.toBe('complete');
    expect(bad.events[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    // Single connection mode starts with a PUT reserving a stream.
    const single = createSseClient({ url: stack.url, singleConnection: true, retryAttempts: 0 });
    clients.push(single);
    const refused = await new Promise<unknown>((resolve) => single.subscribe({ query: FOLLOW, variables: { taskId: '1' } }, { next: () => {}, complete: () => resolve('complete'), error: resolve }));
    expect(refused).toBeInstanceOf(NetworkError);
    expect((refused as NetworkError).response?.status).toBe(405);
    const put = await fetch(stack.url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(((await put.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toContain('distinct connections mode only');
  });

  it('applies the CSRF rule of HTTP GETs to event streams', async () => {
    const url = `${stack.url}?query=${encodeURIComponent(FOLLOW)}&variables=${encodeURIComponent(JSON.stringify({ taskId: '999999999999' }))}`;
    const plain = await fetch(url, { headers: { accept: 'text/event-stream' } });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toContain('apollo-require-preflight');
    const marked = await fetch(url, { headers: { accept: 'text/event-stream', 'apollo-require-preflight': 'true' } });
    expect(marked.status).toBe(200);
    expect(marked.headers.get('content-type')).toContain('text/event-stream');
    const text = await marked.text();
    expect(text).toContain('event: next');
    expect(text).toContain('NOT_FOUND');
    expect(text).toContain('event: complete');
  });
});

describe('event streams: credentials, origin, shared connection cap, caller, shutdown', () => {
  const KEYS = ['sse-key-one-0123456789abcdef', 'sse-key-two-0123456789abcdef'];
  let stack: OpsStack;
  let url: string;
  // The caller each progress poll was made as (the detail calls tagged `progress:<task id>`).
  const pollCallers: string[] = [];
  const clients: Array<SseClient | WsClient> = [];

  beforeAll(async () => {
    stack = await startOpsStack({
      logLevel: 'silent',
      env: { AUTH_MODE: 'api-key', API_KEYS: KEYS.join(','), SUBSCRIPTION_CONNECTIONS_PER_CALLER: '2', CORS_ORIGINS: 'https://app.example', PROGRESS_POLL_MS: '100', PROGRESS_POLL_MAX_MS: '100' },
      wrapCdn: (cdn): CdnApi => ({
        ...cdn,
        taskDetail: (taskId, params, options) => {
          if (options?.requestTag?.startsWith('progress:')) pollCallers.push(options.caller ?? 'none');
          return cdn.taskDetail(taskId, params, options);
        },
      }),
    });
    url = `${stack.origin}/graphql`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => stack.close());

  // A task that stays PROCESSING (the simulator's clock is not moved here).
  async function processingTask(): Promise<string> {
    const created = await stack.sim<{ result: Array<{ task_id: number }> }>('POST', '/__sim/url-tasks', { count: 1, status: 'PROCESSING' });
    return String(created.result[0]!.task_id);
  }

  it('refuses a stream without credentials with 401 UNAUTHENTICATED, and polls as the caller of the key it was given', async () => {
    const anonymous = sse(url);
    clients.push(anonymous);
    const refused = await refusal(follow(anonymous, '1').ended);
    expect(refused.status).toBe(401);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(refused.body)).not.toContain(KEYS[0]);

    const taskId = await processingTask();
    pollCallers.length = 0;
    const keyed = sse(url, { authorization: `Bearer ${KEYS[1]}` });
    clients.push(keyed);
    const followed = follow(keyed, taskId);
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    expect(followed.events[0]!.data?.taskProgress).toMatchObject({ taskId, status: 'IN_PROCESS' });
    followed.stop();
    await eventually(() => expect(stack.gateway.progress.stats().pollers).toBe(0));
    expect(new Set(pollCallers)).toEqual(new Set(['api-key:key-2']));
  });

  it('polls a WebSocket subscription as its connection caller too', async () => {
    const taskId = await processingTask();
    pollCallers.length = 0;
    const client = ws(url, { 'x-api-key': KEYS[0] });
    clients.push(client);
    const followed = follow(client, taskId);
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    followed.stop();
    await eventually(() => expect(stack.gateway.progress.stats().pollers).toBe(0));
    expect(new Set(pollCallers)).toEqual(new Set(['api-key:key-1']));
  });

  it('refuses an origin CORS_ORIGINS does not list, and admits a listed one', async () => {
    const body = JSON.stringify({ query: FOLLOW, variables: { taskId: '999999999999' } });
    const headers = { accept: 'text/event-stream', 'content-type': 'application/json', 'x-api-key': KEYS[0]! };
    const evil = await fetch(url, { method: 'POST', body, headers: { ...headers, origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toContain('CORS_ORIGINS');
    const app = await fetch(url, { method: 'POST', body, headers: { ...headers, origin: 'https://app.example' } });
    expect(app.status).toBe(200);
    expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(await app.text()).toContain('event: complete');
  });

  it("counts a caller's event streams and WebSockets against one SUBSCRIPTION_CONNECTIONS_PER_CALLER", async () => {
    const taskId = await processingTask();
    const key = { 'x-api-key': KEYS[0]! };
    const overWs = ws(url, key);
    const overSse = sse(url, key);
    clients.push(overWs, overSse);
    const held = [follow(overWs, taskId), follow(overSse, taskId)];
    await eventually(() => held.forEach((f) => expect(f.events.length).toBeGreaterThanOrEqual(1)));
    // Both places are taken: a third connection is refused, on either transport.
    const thirdSse = sse(url, key);
    clients.push(thirdSse);
    const refused = await refusal(follow(thirdSse, taskId).ended);
    expect(refused.status).toBe(429);
    expect(refused.body.errors![0]!.message).toContain('SUBSCRIPTION_CONNECTIONS_PER_CALLER=2');
    const thirdWs = ws(url, key);
    clients.push(thirdWs);
    const closed = await follow(thirdWs, taskId).ended;
    expect((closed as { error: { code?: number } }).error.code).toBe(4429);
    // Another caller is not affected.
    const other = sse(url, { 'x-api-key': KEYS[1]! });
    clients.push(other);
    const admitted = follow(other, taskId);
    await eventually(() => expect(admitted.events.length).toBeGreaterThanOrEqual(1));
    // A place given back is taken again.
    held[1]!.stop();
    await eventually(() => expect(stack.gateway.eventStreams.connections()).toBe(1));
    const fourth = sse(url, key);
    clients.push(fourth);
    const again = follow(fourth, taskId);
    await eventually(() => expect(again.events.length).toBeGreaterThanOrEqual(1));
    again.stop();
  });

  it('ends open streams on shutdown, so clients reconnect elsewhere, and stops their pollers', async () => {
    // Were the streams left to the HTTP server's drain, closing would wait the whole SHUTDOWN_TIMEOUT_MS, past the test's timeout.
    const own = await startOpsStack({ logLevel: 'silent', env: { PROGRESS_POLL_MS: '100', PROGRESS_POLL_MAX_MS: '100', SHUTDOWN_TIMEOUT_MS: '600000' } });
    const created = await own.sim<{ result: Array<{ task_id: number }> }>('POST', '/__sim/url-tasks', { count: 1, status: 'PROCESSING' });
    const client = sse(`${own.origin}/graphql`);
    const followed = follow(client, String(created.result[0]!.task_id));
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    expect(own.gateway.eventStreams.connections()).toBe(1);
    await own.close();
    // Ended without `complete`: graphql-sse's client reads a network error, which it retries by default.
    const ended = await followed.ended;
    expect(ended).not.toBe('complete');
    expect((ended as { error: unknown }).error).toBeInstanceOf(NetworkError);
    expect(own.gateway.eventStreams.connections()).toBe(0);
    expect(own.gateway.progress.stats()).toMatchObject({ pollers: 0, subscribers: 0 });
    const late = await fetch(`${own.origin}/graphql`, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: '{}' }).catch(() => 'refused');
    expect(late).toBe('refused');
    await client.dispose();
  });
});
