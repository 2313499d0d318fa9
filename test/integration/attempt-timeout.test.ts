/**
 * UPSTREAM_TIMEOUT_MS bounds each attempt, inside retry, against the simulator's latency
 * fault: an attempt slower than the attempt timeout is cut with UPSTREAM_TIMEOUT and retried
 * while the call's deadline leaves room; when the deadline is the nearer bound, it cuts the
 * attempt instead and nothing is retried. Assertions are codes, causes, attempt counts and
 * the simulator's request counts, never durations.
 */
import type { CdnClient } from '../../src/cdn/client';
import type { UpstreamEvent } from '../../src/cdn/options';
import { routeKey } from '../../src/cdn/operations';
import { createCdnClient } from '../../src/cdn/upstream';
import { AttemptTimeoutError, DeadlineExceededError, GatewayError } from '../../src/errors';
import { createSimulator, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Simulator } from '../../src/simulator/index';
import { callSimulator } from '../support/sim-control';
import { startStack, type Stack } from '../support/stack';
import { failure } from '../support/failure';

const URL_TASKS = routeKey('url-tasks');
// Far beyond every bound below, so no attempt can be answered however busy the machine is.
const SLOW = { latencyMs: 60_000, operations: ['url-tasks'] };
// The bound that cuts an attempt: long enough that the simulator (in this process) has read and counted the attempt
// before the cut even when the event loop stalls, so the counts below are exact.
const CUT_MS = 1000;

describe('the attempt timeout, client level', () => {
  let sim: Simulator;
  const clients: CdnClient[] = [];

  beforeAll(async () => {
    sim = await createSimulator({ port: 0, quiet: true, records: 200 });
  });

  afterEach(async () => {
    await callSimulator(sim.url, 'DELETE', '/__sim/faults');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });

  // A client whose attempts report to `events`.
  function client(timeoutMs: number, events: UpstreamEvent[]): CdnClient {
    const c = createCdnClient({
      endpoint: sim.url,
      auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
      timeoutMs,
      retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
      onEvent: (e) => events.push(e),
    });
    clients.push(c);
    return c;
  }

  const upstreamCalls = async (): Promise<number> =>
    (await callSimulator<{ requests: Record<string, number> }>(sim.url, 'GET', '/__sim/stats')).requests[URL_TASKS] ?? 0;

  it('cuts each slow attempt at the attempt timeout and retries while the deadline leaves room', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', SLOW);
    const events: UpstreamEvent[] = [];
    const before = await upstreamCalls();
    const error = await failure(client(CUT_MS, events).urlTasks({ limit: 1 }, { deadline: Date.now() + 30_000 }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.cause).toBeInstanceOf(AttemptTimeoutError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`${CUT_MS} ms attempt timeout`);
    expect(error.message).toContain('gave up after 2 attempts');
    expect(events.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'UPSTREAM_TIMEOUT'],
      [2, 'UPSTREAM_TIMEOUT'],
    ]);
    expect((await upstreamCalls()) - before).toBe(2);
  });

  it('lets the deadline cut the attempt when it is nearer than the attempt timeout, without a retry', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', SLOW);
    const events: UpstreamEvent[] = [];
    const before = await upstreamCalls();
    const error = await failure(client(30_000, events).urlTasks({ limit: 1 }, { deadline: Date.now() + CUT_MS }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.cause).toBeInstanceOf(DeadlineExceededError);
    expect(events.map((e) => [e.attempt, e.outcome])).toEqual([[1, 'UPSTREAM_TIMEOUT']]);
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it('still answers an attempt that is faster than the attempt timeout', async () => {
    const events: UpstreamEvent[] = [];
    const page = await client(30_000, events).urlTasks({ limit: 1 }, { deadline: Date.now() + 30_000 });
    expect(page.records).toHaveLength(1);
    expect(events.map((e) => [e.attempt, e.outcome])).toEqual([[1, 'ok']]);
  });
});

describe('UPSTREAM_TIMEOUT_MS through the gateway', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      simulator: { records: 200 },
      env: { UPSTREAM_TIMEOUT_MS: String(CUT_MS), UPSTREAM_MAX_ATTEMPTS: '2' },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('fails a query whose upstream outlives UPSTREAM_TIMEOUT_MS on every attempt, after one retry', async () => {
    await stack.sim('PUT', '/__sim/faults', SLOW);
    const before = await stack.upstreamCalls(URL_TASKS);
    const res = await stack.query('{ urlTasks(first: 1) { nodes { url } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(res.errors?.[0]?.message).toContain('gave up after 2 attempts');
    expect((await stack.upstreamCalls(URL_TASKS)) - before).toBe(2);
  });
});
