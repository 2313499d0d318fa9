/**
 * Task progress across replicas (docs/architecture.md#subscriptions): two gateways on one Redis
 * and the simulator, graphql-ws clients on both. One replica at a time polls a followed task and
 * publishes each new state; the other passes it to its subscribers. The task moves one record
 * at a time (PATCHed by the test once every subscriber saw the last step), so calls are counted
 * per progress event, not per second. Skipped without redis-server (CI installs it).
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { createRedisState } from '../../src/state/index';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { eventually } from '../support/eventually';
import { findRedisServer, startRedisServer, type RedisServer } from '../support/redis-server';
import { OPS, startStack, type Stack } from '../support/stack';

const HAVE_REDIS = findRedisServer();

const FOLLOW = /* GraphQL */ `
  subscription Follow($taskId: ID!) { taskProgress(taskId: $taskId) { taskId status processing succeeded failed total } }
`;
type Progress = { taskId: string; status: string; processing: number; succeeded: number; failed: number; total: number };
type Event = FormattedExecutionResult<{ taskProgress: Progress }, unknown>;

interface Followed {
  readonly gw: number;
  readonly events: Event[];
  readonly ended: Promise<'complete' | { error: unknown }>;
}

// Each poll of the holder is one call: long enough that the test's next step lands before the next poll, even on a busy machine.
const POLL_MS = 1500;

(HAVE_REDIS ? describe : describe.skip)('taskProgress across two gateways on one Redis', () => {
  let redis: RedisServer;
  let sim: Simulator;
  let gateways: Stack[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    // Created tasks stay in progress for the whole test unless the test settles their records.
    [redis, sim] = await Promise.all([startRedisServer(), createSimulator({ quiet: true, records: 2000, transitionMs: 3_600_000 })]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    for (const g of gateways.splice(0)) await g.close();
  });
  afterAll(async () => {
    await sim?.close();
    await redis?.stop();
  });

  async function twoGateways(): Promise<[Stack, Stack]> {
    // No cache: every poll is an upstream call the simulator counts. Patient Redis: a stalled event loop must not turn a
    // claim into the per-replica fallback (a second poller) and change what the test counts.
    const env = {
      REDIS_URL: redis.url,
      CACHE_TTL_MS: '0',
      PROGRESS_POLL_MS: String(POLL_MS),
      PROGRESS_POLL_MAX_MS: String(POLL_MS),
      UPSTREAM_MAX_ATTEMPTS: '1',
      SUBSCRIPTION_CONNECTIONS_PER_CALLER: '100',
    };
    gateways = [];
    for (let i = 0; i < 2; i++) {
      const state = createRedisState({ url: redis.url, keyPrefix: 'cdngw:progress-test:', commandTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
      gateways.push(await startStack({ upstream: sim, env, economy: { state } }));
    }
    return gateways as [Stack, Stack];
  }

  function follow(stack: Stack, gw: number, taskId: string): Followed {
    const client = createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    clients.push(client);
    const events: Event[] = [];
    const ended = new Promise<'complete' | { error: unknown }>((resolve) => {
      client.subscribe<{ taskProgress: Progress }>(
        { query: FOLLOW, variables: { taskId } },
        { next: (e) => void events.push(e), complete: () => resolve('complete'), error: (error) => resolve({ error }) },
      );
    });
    return { gw, events, ended };
  }

  // A task of `count` records in progress; its id and its records' ids.
  async function newTask(count: number): Promise<{ taskId: string; records: number[] }> {
    const created = await gateways[0]!.sim<{ result: Array<{ id: number; task_id: number }> }>('POST', '/__sim/url-tasks', { count });
    return { taskId: String(created.result[0]!.task_id), records: created.result.map((r) => r.id) };
  }
  const settle = (record: number): Promise<unknown> => gateways[0]!.sim('PATCH', `/__sim/url-tasks/${record}`, { status: 'SUCCEED' });
  const succeeded = (f: Followed): number[] => f.events.map((e) => e.data?.taskProgress.succeeded ?? -1);
  const polls = (): number[] => gateways.map((g) => g.gateway.progress.stats().polls);

  it('20 subscribers on two gateways cost one detail call per progress step: one replica polls, the other passes its states on', async () => {
    const [a, b] = await twoGateways();
    const steps = 6;
    const { taskId, records } = await newTask(steps);
    const callsBefore = await a.upstreamCalls(OPS.detail);
    const pollsBefore = polls();
    const followers = Array.from({ length: 20 }, (_, i) => follow(i % 2 ? b : a, i % 2, taskId));
    await eventually(() => followers.forEach((f) => expect(f.events.length).toBe(1)), { timeoutMs: 20_000 });
    // Each step settles one record once every subscriber saw the last one, so that each poll sees a new state.
    for (let k = 1; k <= steps; k++) {
      await settle(records[k - 1]!);
      await eventually(() => followers.forEach((f) => expect(succeeded(f).at(-1)).toBe(k)), { timeoutMs: 20_000 });
    }
    const ends = await Promise.all(followers.map((f) => f.ended));
    expect(ends.every((e) => e === 'complete')).toBe(true);

    // Every subscriber, on either gateway, saw every state once, in order, and DONE last.
    for (const f of followers) {
      expect(succeeded(f)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(f.events.at(-1)!.data?.taskProgress.status).toBe('DONE');
    }
    // One gateway made every poll; the other none, its ten subscribers fed from what the first published.
    const made = polls().map((n, i) => n - pollsBefore[i]!);
    expect(made.filter((n) => n === 0)).toHaveLength(1);
    const calls = (await a.upstreamCalls(OPS.detail)) - callsBefore;
    expect(calls).toBe(made[0]! + made[1]!);
    // One call per state (7 states), give or take a poll that came before a step on a stalled machine; a poller per
    // gateway would make two per state.
    expect(calls).toBeGreaterThanOrEqual(steps + 1);
    expect(calls).toBeLessThanOrEqual(steps + 3);
  });

  it('hands the polling to the other gateway when the polling one stops, and its subscribers still reach DONE', async () => {
    const [a, b] = await twoGateways();
    const { taskId, records } = await newTask(2);
    const pollsBefore = polls();
    const followers = Array.from({ length: 6 }, (_, i) => follow(i % 2 ? b : a, i % 2, taskId));
    await eventually(() => followers.forEach((f) => expect(f.events.length).toBe(1)), { timeoutMs: 20_000 });
    const made = polls().map((n, i) => n - pollsBefore[i]!);
    const holder = made[0]! > 0 ? 0 : 1;
    const other = 1 - holder;
    expect(made[other]).toBe(0);
    // The polling gateway shuts down (its WebSockets close with 1001 and it gives the task's lease up).
    const [stopping] = gateways.splice(holder, 1);
    await stopping!.close();
    const otherPolls = gateways[0]!.gateway.progress.stats().polls;
    await settle(records[0]!);
    await settle(records[1]!);
    const staying = followers.filter((f) => f.gw === other);
    const ends = await Promise.all(staying.map((f) => f.ended));
    expect(ends.every((e) => e === 'complete')).toBe(true);
    for (const f of staying) {
      expect(f.events.at(-1)!.data?.taskProgress).toMatchObject({ status: 'DONE', succeeded: 2, processing: 0 });
    }
    // The remaining gateway polled the task itself from then on.
    expect(gateways[0]!.gateway.progress.stats().polls).toBeGreaterThan(otherPolls);
    // The stopped gateway's own subscribers were closed (1001: reconnect elsewhere), not completed.
    for (const f of followers.filter((x) => x.gw === holder)) expect(await f.ended).not.toBe('complete');
  });
});
