/**
 * Task progress subscriptions over the GraphQL over WebSocket protocol: a real graphql-ws
 * client against the gateway and the simulator over loopback. The simulator's data clock is
 * moved by hand to settle tasks, so no test waits for a task's own time.
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startStack, type Stack } from '../support/stack';
import { eventually } from '../support/eventually';

const FOLLOW = /* GraphQL */ `
  subscription Follow($taskId: ID!) { taskProgress(taskId: $taskId) { taskId status processing succeeded failed total } }
`;

type Progress = { taskId: string; status: string; processing: number; succeeded: number; failed: number; total: number };
type Event = FormattedExecutionResult<{ taskProgress: Progress }, unknown>;

/** One followed subscription: its events, and whether it completed or failed. */
interface Followed {
  readonly events: Event[];
  readonly ended: Promise<'complete' | { error: unknown }>;
  stop(): void;
}

// Subscribes and collects every event until the subscription ends.
function follow(client: Client, taskId: string): Followed {
  const events: Event[] = [];
  let stop = () => {};
  const ended = new Promise<'complete' | { error: unknown }>((resolve) => {
    stop = client.subscribe<{ taskProgress: Progress }>(
      { query: FOLLOW, variables: { taskId } },
      { next: (e) => void events.push(e), complete: () => resolve('complete'), error: (error) => resolve({ error }) },
    );
  });
  return { events, ended, stop: () => stop() };
}

// A graphql-ws client that does not retry, so a refusal surfaces as the subscription's error.
function connect(stack: Stack, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(connectionParams ? { connectionParams } : {}) });
}

// Creates a refresh task of `n` URLs through the gateway; returns its upstream id.
async function createTask(stack: Stack, n = 3): Promise<string> {
  const urls = Array.from({ length: n }, (_, i) => `https://www.example.com/sub/${Date.now()}-${i}.html`);
  const res = await stack.query<{ createRefreshTask: { taskId: string } }>(
    'mutation($input: CreateRefreshTaskInput!) { createRefreshTask(input: $input) { taskId } }',
    { input: { urls } },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createRefreshTask.taskId;
}

// Detail calls the simulator received for one task (its request log).
async function detailCallsFor(stack: Stack, taskId: string): Promise<number> {
  const { requests } = await stack.sim<{ requests: Array<{ path: string }> }>('GET', '/__sim/requests');
  return requests.filter((r) => r.path.endsWith(`/historytasks/${taskId}/detail`)).length;
}

describe('taskProgress subscription (graphql-ws)', () => {
  let stack: Stack;
  let offsetMs = 0;
  const clients: Client[] = [];

  beforeAll(async () => {
    stack = await startStack({
      simulator: { now: () => Date.now() + offsetMs, transitionMs: 60_000 },
      env: { PROGRESS_POLL_MS: '100', PROGRESS_POLL_MAX_MS: '200', UPSTREAM_MAX_ATTEMPTS: '1', SUBSCRIPTION_CONNECTIONS_PER_CALLER: '100' },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await stack.sim('DELETE', '/__sim/faults');
  });
  afterAll(() => stack.close());

  it('follows a created task to DONE: the current state at once, then the change, then completes', async () => {
    const taskId = await createTask(stack, 3);
    const client = connect(stack);
    clients.push(client);
    const followed = follow(client, taskId);
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    expect(followed.events[0]!.data?.taskProgress).toMatchObject({ taskId, status: 'IN_PROCESS', processing: 3, total: 3 });
    offsetMs += 61_000; // every record settles
    await expect(followed.ended).resolves.toBe('complete');
    const last = followed.events.at(-1)!;
    expect(last.data?.taskProgress).toMatchObject({ taskId, status: 'DONE', processing: 0, total: 3 });
    expect(last.data!.taskProgress.succeeded + last.data!.taskProgress.failed).toBe(3);
    // Only changes are sent: never the same state twice in a row.
    for (let i = 1; i < followed.events.length; i++) expect(followed.events[i]).not.toEqual(followed.events[i - 1]);
    await eventually(() => expect(stack.gateway.progress.stats().pollers).toBe(0));
  });

  it('shares one poller among 50 subscribers on many connections: one detail call per poll', async () => {
    const taskId = await createTask(stack, 2);
    const pollsBefore = stack.gateway.progress.stats().polls;
    const callsBefore = await detailCallsFor(stack, taskId);
    const followers: Followed[] = [];
    for (let i = 0; i < 50; i++) {
      const client = connect(stack);
      clients.push(client);
      followers.push(follow(client, taskId));
    }
    await eventually(() => followers.forEach((f) => expect(f.events.length).toBeGreaterThanOrEqual(1)), { timeoutMs: 15_000 });
    expect(stack.gateway.progress.stats().pollers).toBe(1);
    offsetMs += 61_000;
    const ends = await Promise.all(followers.map((f) => f.ended));
    expect(ends.every((e) => e === 'complete')).toBe(true);
    for (const f of followers) expect(f.events.at(-1)!.data?.taskProgress.status).toBe('DONE');
    const polls = stack.gateway.progress.stats().polls - pollsBefore;
    const calls = (await detailCallsFor(stack, taskId)) - callsBefore;
    // Every detail call for the task was a poll of the shared poller (the economy is off: no cache hides calls).
    expect(calls).toBeLessThanOrEqual(polls);
    expect(calls).toBeGreaterThan(0);
  });

  it('stops polling when the last subscriber leaves', async () => {
    const taskId = await createTask(stack, 1);
    const followers = [0, 1, 2].map(() => {
      const client = connect(stack);
      clients.push(client);
      return follow(client, taskId);
    });
    await eventually(() => followers.forEach((f) => expect(f.events.length).toBeGreaterThanOrEqual(1)));
    followers.forEach((f) => f.stop());
    await eventually(() => expect(stack.gateway.progress.stats().pollers).toBe(0));
    const callsAfterLeaving = await detailCallsFor(stack, taskId);
    // Follow another task for several more poll delays: the left task's count must not move.
    const other = await createTask(stack, 1);
    const client = connect(stack);
    clients.push(client);
    const watcher = follow(client, other);
    const pollsNow = stack.gateway.progress.stats().polls;
    await eventually(() => expect(stack.gateway.progress.stats().polls).toBeGreaterThanOrEqual(pollsNow + 4));
    expect(await detailCallsFor(stack, taskId)).toBe(callsAfterLeaving);
    watcher.stop();
  });

  it('reports an upstream fault as an error event and carries on', async () => {
    const taskId = await createTask(stack, 2);
    const client = connect(stack);
    clients.push(client);
    const followed = follow(client, taskId);
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 500, operations: ['detail'] });
    await eventually(() => expect(followed.events.some((e) => e.errors?.length)).toBe(true));
    const failed = followed.events.find((e) => e.errors?.length)!;
    expect(failed.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await stack.sim('DELETE', '/__sim/faults');
    offsetMs += 61_000;
    await expect(followed.ended).resolves.toBe('complete');
    expect(followed.events.at(-1)!.data?.taskProgress.status).toBe('DONE');
  });

  it('ends the subscription with NOT_FOUND for a task the upstream does not know', async () => {
    const client = connect(stack);
    clients.push(client);
    const followed = follow(client, '999999999999');
    await expect(followed.ended).resolves.toBe('complete');
    expect(followed.events).toHaveLength(1);
    expect(followed.events[0]!.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(followed.events[0]!.data).toBeNull();
  });

  it('refuses a bad task id and queries over WebSocket with catalogue codes', async () => {
    const client = connect(stack);
    clients.push(client);
    const bad = follow(client, 'not a task id');
    const ended = await bad.ended;
    // A subscribe-step error is the result's errors (graphql-js), sent as one event.
    if (ended === 'complete') expect(bad.events[0]!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    else expect(JSON.stringify(ended.error)).toContain('BAD_USER_INPUT');
    const query = await new Promise<unknown>((resolve) => client.subscribe({ query: '{ __typename }' }, { next: () => {}, complete: () => resolve('complete'), error: resolve }));
    expect(JSON.stringify(query)).toContain('Only subscriptions are served over WebSocket');
  });
});

describe('subscription connections: auth, origin, limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'api-key', API_KEYS: 'test-key-0123456789abcdef', SUBSCRIPTIONS_PER_CONNECTION: '1', CORS_ORIGINS: 'https://app.example' } });
  });
  afterAll(() => stack.close());

  it('refuses a connection without credentials with 4401, and accepts the key in connectionParams', async () => {
    const anonymous = connect(stack);
    const refused = await follow(anonymous, '1').ended;
    expect(refused).not.toBe('complete');
    expect((refused as { error: { code?: number } }).error.code).toBe(4401);
    await anonymous.dispose();
    const keyed = connect(stack, { 'x-api-key': 'test-key-0123456789abcdef' });
    const followed = follow(keyed, '999999999999');
    await expect(followed.ended).resolves.toBe('complete');
    expect(followed.events[0]!.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
    await keyed.dispose();
  });

  it('refuses an upgrade from an origin CORS_ORIGINS does not allow', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(stack.wsUrl, 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
      // With this listener ws leaves the refused request open: end it here.
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
    const allowed = await new Promise<number>((resolve) => {
      const ws = new WebSocket(stack.wsUrl, 'graphql-transport-ws', { headers: { origin: 'https://app.example' } });
      ws.on('open', () => {
        resolve(101);
        ws.close();
      });
      ws.on('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
    });
    expect(allowed).toBe(101);
  });

  it('caps subscriptions per connection', async () => {
    const client = connect(stack, { authorization: 'Bearer test-key-0123456789abcdef' });
    const created = await stack.sim<{ result: Array<{ task_id: number }> }>('POST', '/__sim/url-tasks', { count: 1, status: 'PROCESSING' });
    const taskId = String(created.result[0]!.task_id);
    const first = follow(client, taskId);
    await eventually(() => expect(first.events.length).toBeGreaterThanOrEqual(1));
    const second = await follow(client, taskId).ended;
    expect(JSON.stringify(second)).toContain('SUBSCRIPTIONS_PER_CONNECTION');
    first.stop();
    await client.dispose();
  });

  it('closes open subscriptions with 1001 (going away) on shutdown', async () => {
    const own = await startStack({ env: { PROGRESS_POLL_MS: '100', PROGRESS_POLL_MAX_MS: '100' } });
    const created = await own.sim<{ result: Array<{ task_id: number }> }>('POST', '/__sim/url-tasks', { count: 1, status: 'PROCESSING' });
    const client = connect(own);
    const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
    const followed = follow(client, String(created.result[0]!.task_id));
    await eventually(() => expect(followed.events.length).toBeGreaterThanOrEqual(1));
    await own.close();
    expect(await closed).toBe(1001);
    await client.dispose();
  });
});
