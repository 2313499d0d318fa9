/**
 * Creates per caller (issue 13), through GraphQL with two API keys against the simulator:
 * idempotency keys are the caller's own, a create that never left the gateway releases its
 * key at once, and each caller has a daily cap on created URLs checked before sending.
 */
import { nextUtcMidnight } from '../../src/graph/create-quota';
import { eventually } from '../support/eventually';
import { startStack, type GqlResponse, type Stack } from '../support/stack';

const REFRESH_POST = 'POST /v1.0/cdn/content/refresh-tasks';
const PREHEAT_POST = 'POST /v1.0/cdn/content/preheating-tasks';
const KEY_A = 'caller-a-key-0123456789';
const KEY_B = 'caller-b-key-0123456789';
const A = { 'x-api-key': KEY_A };
const B = { 'x-api-key': KEY_B };

const CREATE_REFRESH = `mutation Refresh($input: CreateRefreshTaskInput!) { createRefreshTask(input: $input) { taskId replayed } }`;
const CREATE_PREHEAT = `mutation Preheat($input: CreatePreheatTaskInput!) { createPreheatTask(input: $input) { taskId replayed } }`;

type Payload = { taskId: string; replayed: boolean };
type RefreshData = { createRefreshTask: Payload };
type PreheatData = { createPreheatTask: Payload };

let serial = 0;
const unique = (name: string) => `https://cdn.example.com/callers-${Date.now()}-${++serial}/${name}`;
const key = () => `key-${Date.now()}-${++serial}`;

// The one error of a response.
function onlyError(res: GqlResponse) {
  expect(res.errors).toHaveLength(1);
  return res.errors?.[0] as { message: string; extensions?: Record<string, unknown> };
}

const AUTH = { AUTH_MODE: 'api-key', API_KEYS: `${KEY_A},${KEY_B}` };

describe('idempotency keys are per caller', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ simulator: { records: 200, rateLimits: { refresh: 0, preheat: 0 } }, env: AUTH });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.sim('DELETE', '/__sim/faults'));

  it("gives caller B a create of its own for A's key: never A's task, and no hint that A used the key", async () => {
    const k = key();
    const input = { urls: [unique('a.js')], idempotencyKey: k };
    const before = await stack.upstreamCalls(REFRESH_POST);
    const first = await stack.query<RefreshData>(CREATE_REFRESH, { input }, A);
    expect(first.data?.createRefreshTask.replayed).toBe(false);
    // The same key and input from B: a new task, not a replay of A's.
    const sameInput = await stack.query<RefreshData>(CREATE_REFRESH, { input }, B);
    expect(sameInput.errors).toBeUndefined();
    expect(sameInput.data?.createRefreshTask.replayed).toBe(false);
    expect(sameInput.data?.createRefreshTask.taskId).not.toBe(first.data?.createRefreshTask.taskId);
    // B's repeat replays B's own task.
    const bRepeat = await stack.query<RefreshData>(CREATE_REFRESH, { input }, B);
    expect(bRepeat.data?.createRefreshTask).toEqual({ taskId: sameInput.data?.createRefreshTask.taskId, replayed: true });
    // A still gets its own task back: B did not replace or block it.
    const aRepeat = await stack.query<RefreshData>(CREATE_REFRESH, { input }, A);
    expect(aRepeat.data?.createRefreshTask).toEqual({ taskId: first.data?.createRefreshTask.taskId, replayed: true });
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 2);
  });

  it("lets B create with a key A used for another input, where A itself is refused", async () => {
    const k = key();
    expect((await stack.query<RefreshData>(CREATE_REFRESH, { input: { urls: [unique('a.js')], idempotencyKey: k } }, A)).errors).toBeUndefined();
    const other = { urls: [unique('b.js')], idempotencyKey: k };
    expect(onlyError(await stack.query(CREATE_REFRESH, { input: other }, A)).extensions?.code).toBe('BAD_USER_INPUT');
    const b = await stack.query<RefreshData>(CREATE_REFRESH, { input: other }, B);
    expect(b.errors).toBeUndefined();
    expect(b.data?.createRefreshTask.replayed).toBe(false);
  });

  it("never hands B the unknown outcome A's key remembers", async () => {
    const input = { urls: [unique('a.js')], idempotencyKey: key() };
    await stack.sim('PUT', '/__sim/faults', { resetRate: 1, operations: ['refresh'] });
    const aFirst = onlyError(await stack.query(CREATE_REFRESH, { input }, A));
    expect(aFirst.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(aFirst.message).toContain('The task may or may not have been created.');
    await stack.sim('DELETE', '/__sim/faults');
    const b = await stack.query<RefreshData>(CREATE_REFRESH, { input }, B);
    expect(b.errors).toBeUndefined();
    expect(b.data?.createRefreshTask.replayed).toBe(false);
    // A's key still answers A with A's outcome.
    expect(onlyError(await stack.query(CREATE_REFRESH, { input }, A)).message).toContain('This repeats the outcome of an earlier call with the same idempotencyKey.');
  });
});

describe('creates the gateway never sent', () => {
  let stack: Stack;
  // One clock for the gateway (request deadlines) and its rate limiter, moved by the tests.
  let clock = Date.now() + 3_600_000;

  beforeAll(async () => {
    stack = await startStack({
      simulator: { records: 200, rateLimits: { refresh: 0, preheat: 0 } },
      // One refresh per 2 s window, and requests of 1.5 s: a create behind a fresh one cannot get a slot in time.
      env: { ...AUTH, RATE_LIMIT_REFRESH: '1', RATE_LIMIT_MARGIN_MS: '1000', REQUEST_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '1500', CACHE_TTL_MS: '0' },
      economy: { now: () => clock },
      now: () => clock,
    });
  });
  afterAll(() => stack.close());

  it("forgets a create refused by the gateway's rate limiter, so a retry with the same key creates it once", async () => {
    clock += 10_000;
    const before = await stack.upstreamCalls(REFRESH_POST);
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [unique('first.js')] } }, A)).errors).toBeUndefined();
    const input = { urls: [unique('a.js')], idempotencyKey: key() };
    const refused = onlyError(await stack.query(CREATE_REFRESH, { input }, A));
    expect(refused.extensions?.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(refused.message).not.toContain('may or may not have been created');
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 1);
    // Once the window has passed, the same key creates the task, and a repeat replays it.
    clock += 2_000;
    const retry = await stack.query<RefreshData>(CREATE_REFRESH, { input }, A);
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.createRefreshTask.replayed).toBe(false);
    expect((await stack.query<RefreshData>(CREATE_REFRESH, { input }, A)).data?.createRefreshTask).toEqual({ ...retry.data?.createRefreshTask, replayed: true });
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 2);
  });

  it('forgets a create whose caller left while it waited for a slot', async () => {
    clock += 10_000;
    const before = await stack.upstreamCalls(REFRESH_POST);
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [unique('first.js')] } }, A)).errors).toBeUndefined();
    // The next slot is 1 s away on the limiter's clock: the create waits for it, and its caller leaves.
    clock += 1_000;
    const input = { urls: [unique('a.js')], idempotencyKey: key() };
    const controller = new AbortController();
    const abandoned = fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...A },
      body: JSON.stringify({ query: CREATE_REFRESH, variables: { input } }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    const limiter = () => stack.economy?.metrics().limiter;
    await eventually(() => expect(limiter()?.queueLength).toBe(1));
    controller.abort();
    await abandoned;
    await eventually(() => expect(limiter()?.queueLength).toBe(0));
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 1);
    // Past the abandoned slot, the same key creates the task (a repeat joining the abandoned call, if any, is not a create).
    clock += 4_000;
    const retry = await eventually(async () => {
      const res = await stack.query<RefreshData>(CREATE_REFRESH, { input }, A);
      expect(res.errors).toBeUndefined();
      return res;
    });
    expect(retry.data?.createRefreshTask.replayed).toBe(false);
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 2);
  });
});

describe('daily create caps per caller', () => {
  let stack: Stack;
  // The gateway's clock (request deadlines, the UTC day of the caps), moved by the tests. It starts a minute ahead of the
  // real clock, which the rate limiter reads, when the stack starts (not when the file loads): on a busy machine a clock
  // behind the real one would put request deadlines in the limiter's past.
  let clock = 0;

  beforeAll(async () => {
    clock = Date.now() + 60_000;
    stack = await startStack({
      simulator: { records: 200, rateLimits: { refresh: 0, preheat: 0 } },
      env: { ...AUTH, CREATE_QUOTA_PER_CALLER_FILES: '3', CREATE_QUOTA_PER_CALLER_DIRECTORIES: '1', CREATE_QUOTA_PER_CALLER_PREHEATS: '2' },
      now: () => clock,
    });
  });
  afterAll(() => stack.close());

  it('refuses caller A over its file cap with QUOTA_EXCEEDED and sends nothing, while B still creates', async () => {
    const before = await stack.upstreamCalls(REFRESH_POST);
    const keyed = { urls: [unique('1'), unique('2')], idempotencyKey: key() };
    const first = await stack.query<RefreshData>(CREATE_REFRESH, { input: keyed }, A);
    expect(first.errors).toBeUndefined();
    const over = onlyError(await stack.query(CREATE_REFRESH, { input: { urls: [unique('3'), unique('4')] } }, A));
    expect(over.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(over.message).toBe(
      'The create was not sent: caller api-key:key-1 may create 3 file refresh URLs per UTC day (CREATE_QUOTA_PER_CALLER_FILES), ' +
        `has used 2 today, and this create adds 2; the count resets at ${new Date(nextUtcMidnight(clock)).toISOString()}.`,
    );
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 1);
    // B has a cap of its own.
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [unique('b1'), unique('b2'), unique('b3')] } }, B)).errors).toBeUndefined();
    // A replay counts nothing; what is left of A's cap can be used.
    expect((await stack.query<RefreshData>(CREATE_REFRESH, { input: keyed }, A)).data?.createRefreshTask).toEqual({ ...first.data?.createRefreshTask, replayed: true });
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [unique('5')] } }, A)).errors).toBeUndefined();
    expect(onlyError(await stack.query(CREATE_REFRESH, { input: { urls: [unique('6')] } }, A)).extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 3);
  });

  it('counts directories and preheats apart, and gives a new cap at 00:00 UTC', async () => {
    const beforePreheats = await stack.upstreamCalls(PREHEAT_POST);
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [`${unique('d')}/`], type: 'DIRECTORY' } }, A)).errors).toBeUndefined();
    expect(onlyError(await stack.query(CREATE_REFRESH, { input: { urls: [`${unique('e')}/`], type: 'DIRECTORY' } }, A)).message).toMatch(
      /may create 1 directory refresh URLs per UTC day \(CREATE_QUOTA_PER_CALLER_DIRECTORIES\), has used 1 today, and this create adds 1;/,
    );
    expect(onlyError(await stack.query(CREATE_PREHEAT, { input: { urls: [unique('p1'), unique('p2'), unique('p3')] } }, A)).extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(await stack.upstreamCalls(PREHEAT_POST)).toBe(beforePreheats);
    // A refused create took nothing from the cap: the two preheats it allows go through.
    expect((await stack.query<PreheatData>(CREATE_PREHEAT, { input: { urls: [unique('p1'), unique('p2')] } }, A)).errors).toBeUndefined();
    clock = nextUtcMidnight(clock) - 1;
    expect(onlyError(await stack.query(CREATE_REFRESH, { input: { urls: [unique('late')] } }, A)).extensions?.code).toBe('QUOTA_EXCEEDED');
    clock += 1;
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [unique('7'), unique('8'), unique('9')] } }, A)).errors).toBeUndefined();
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [`${unique('f')}/`], type: 'DIRECTORY' } }, A)).errors).toBeUndefined();
  });

  it('gives back the URLs of a create the CDN refused', async () => {
    clock = nextUtcMidnight(clock) + 1;
    await stack.sim('PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'CDN.0110', operations: ['preheat'] });
    expect(onlyError(await stack.query(CREATE_PREHEAT, { input: { urls: [unique('p1'), unique('p2')] } }, B)).extensions?.code).toBe('QUOTA_EXCEEDED');
    await stack.sim('DELETE', '/__sim/faults');
    expect((await stack.query(CREATE_PREHEAT, { input: { urls: [unique('p3'), unique('p4')] } }, B)).errors).toBeUndefined();
  });
});
