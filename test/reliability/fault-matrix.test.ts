/**
 * Fault matrix: each upstream fault the simulator can inject, against the real gateway over
 * loopback. For each fault: the specific error code, partial data where other fields can
 * still resolve, an answer (no hang), no crash, no unhandled rejection,
 * and recovery as soon as the fault stops. Credential faults (a wrong SK, an expired IAM
 * token) need gateways with other credentials, so they have their own table.
 */
import { createSimulator, DEFAULT_SIMULATOR_AK, type Simulator } from '../../src/simulator/index';
import { OPS } from '../support/stack';
import { codesOf, probeUnhandledRejection, send, startReliabilityStack, watchProcessFailures, type FailureWatch, type ReliabilityStack } from './support';

// Short deadlines keep the timeout rows fast, yet each attempt count below holds with about 900 ms to spare: a retry
// that must happen starts that long before the deadline, and one that must not would start after it (at 1500/1000 ms the
// margin was 400 ms, which a busy machine's stall can eat). SHUTDOWN_TIMEOUT_MS must not be below REQUEST_TIMEOUT_MS.
const REQUEST_TIMEOUT_MS = 3000;
const ENV = {
  REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  UPSTREAM_TIMEOUT_MS: '2000',
  SHUTDOWN_TIMEOUT_MS: '3000',
  // The response cache would answer from earlier successes and hide the faults; coalescing and the limiter stay on.
  CACHE_TTL_MS: '0',
  RATE_LIMIT_URL_TASKS: '0',
  RATE_LIMIT_DETAIL: '0',
  RATE_LIMIT_HISTORYTASKS: '0',
  // A 429 without Retry-After waits the upstream's window plus this margin: 0 keeps that row's third attempt 700 ms
  // clear of the deadline (the limits are off, so the margin spaces nothing else).
  RATE_LIMIT_MARGIN_MS: '0',
  // A row's detail-only query wants up to 24 retries (6 calls × 4), more than the default budget saves up; a budget
  // that holds the whole matrix keeps each row's attempt count the attempt limit's, not whatever earlier rows left
  // (the budget's own limits are tested in retry-backoff-budget and transient-faults).
  UPSTREAM_RETRY_BUDGET_CAPACITY: '500',
};

const ROOT = '{ urlTasks(first: 3) { nodes { url } } }';
const PARTIAL = /* GraphQL */ `
  query Partial($taskId: ID!) {
    urlTasks(first: 5) { nodes { url taskId task { status } } }
    task(taskId: $taskId) { status }
  }
`;

interface PartialData {
  urlTasks: { nodes: Array<{ url: string; taskId: string; task: { status: string } | null }> };
  task: { status: string } | null;
}

/** One simulator fault and what clients must see while it lasts. */
interface FaultRow {
  readonly name: string;
  readonly faults: Record<string, unknown>;
  readonly code: string;
  /** `extensions.upstream.status`: the HTTP status, 0 when no answer arrived. */
  readonly upstreamStatus: number;
  readonly upstreamCode?: string;
  /** url-tasks attempts one failing call makes (retries included). */
  readonly attempts: number;
  /** `extensions.retryAfter`, when the upstream said when to come back. */
  readonly retryAfter?: number;
}

const ROWS: readonly FaultRow[] = [
  { name: '5xx burst: every call 503', faults: { errorRate: 1, errorStatus: 503 }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 503, upstreamCode: 'APIGW.0201', attempts: 5 },
  { name: '5xx burst: every call 500', faults: { errorRate: 1, errorStatus: 500 }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 500, attempts: 5 },
  { name: '5xx burst: every call 502', faults: { errorRate: 1, errorStatus: 502 }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 502, attempts: 5 },
  // Retried once after 2 s (+ < 100 ms jitter); a second retry would start past the 3 s deadline.
  { name: '429 storm with Retry-After: 2', faults: { errorRate: 1, errorStatus: 429, retryAfterSeconds: 2 }, code: 'UPSTREAM_RATE_LIMITED', upstreamStatus: 429, upstreamCode: 'APIGW.0308', attempts: 2, retryAfter: 2 },
  // Waited out a window (1 s + < 100/200 ms jitter) at a time: attempts at 0, ~1.05 and ~2.15 s; a fourth would start past the deadline.
  { name: '429 storm without Retry-After', faults: { errorRate: 1, errorStatus: 429 }, code: 'UPSTREAM_RATE_LIMITED', upstreamStatus: 429, upstreamCode: 'APIGW.0308', attempts: 3, retryAfter: 1 },
  // UPSTREAM_TIMEOUT_MS (2000) cuts the first attempt, leaving room for a retry that the request deadline (3000) cuts.
  { name: 'latency beyond the deadline', faults: { latencyMs: 5000 }, code: 'UPSTREAM_TIMEOUT', upstreamStatus: 0, attempts: 2 },
  { name: 'connection held without an answer', faults: { timeoutRate: 1 }, code: 'UPSTREAM_TIMEOUT', upstreamStatus: 0, attempts: 2 },
  { name: 'connection resets', faults: { resetRate: 1 }, code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 0, attempts: 5 },
  { name: 'malformed JSON (a 200 cut in half)', faults: { malformedRate: 1 }, code: 'UPSTREAM_BAD_RESPONSE', upstreamStatus: 200, attempts: 2 },
  { name: 'HTTP 200 body holding `error`', faults: { businessErrorRate: 1, businessErrorCode: 'CDN.0005' }, code: 'UPSTREAM_ERROR', upstreamStatus: 200, upstreamCode: 'CDN.0005', attempts: 1 },
];

let watch: FailureWatch;
beforeAll(() => {
  watch = watchProcessFailures();
});
afterAll(() => watch.stop());

it('the unhandled-rejection watch sees a rejection nobody handles (so its silence below means something)', async () => {
  const probe = await probeUnhandledRejection();
  expect(probe.rejections).toEqual([expect.objectContaining({ message: 'probe: nobody handles this rejection' })]);
});

describe('simulator faults', () => {
  let stack: ReliabilityStack;
  let taskId: string;
  beforeAll(async () => {
    stack = await startReliabilityStack({ economy: true, env: ENV, simulator: { rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } } });
    const first = await stack.query(PARTIAL, { taskId: '1' });
    taskId = (first.data as unknown as PartialData).urlTasks.nodes[0]!.taskId;
  });
  afterAll(() => stack.close());


  describe.each(ROWS)('$name', (row) => {
    afterAll(() => stack.sim('DELETE', '/__sim/faults'));

    it(`fails a root field with ${row.code} and the upstream's status, within the attempt limit (the field is null, the answer's data stays)`, async () => {
      await stack.sim('PUT', '/__sim/faults', row.faults);
      const before = await stack.upstreamCalls(OPS.urlTasks);
      const answer = await stack.query(ROOT);
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ urlTasks: null });
      expect(answer.errors).toHaveLength(1);
      const error = answer.errors![0]!;
      expect(error.path).toEqual(['urlTasks']);
      expect(error.extensions.code).toBe(row.code);
      expect(error.extensions.upstream).toMatchObject({ status: row.upstreamStatus, ...(row.upstreamCode ? { code: row.upstreamCode } : {}) });
      if (row.retryAfter !== undefined) expect(error.extensions.retryAfter).toBe(row.retryAfter);
      expect(error.message).toMatch(/^Listing URL tasks \(GET \/v1\.0\/cdn\/contentgateway\/url-tasks\) failed: /);
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(row.attempts);
    });

    it('still answers the fields that do not need the failing operation (faults on task details only)', async () => {
      await stack.sim('PUT', '/__sim/faults', { ...row.faults, operations: ['detail'] });
      const answer = await stack.query(PARTIAL, { taskId });
      expect(answer.status).toBe(200);
      const data = answer.data as unknown as PartialData;
      expect(data.urlTasks.nodes).toHaveLength(5);
      for (const node of data.urlTasks.nodes) {
        expect(node.url).toMatch(/^https?:\/\//);
        expect(node.task).toBeNull();
      }
      expect(data.task).toBeNull();
      expect(codesOf(answer)).toEqual([row.code]);
      const paths = answer.errors!.map((e) => JSON.stringify(e.path)).sort();
      expect(paths).toEqual([...[0, 1, 2, 3, 4].map((i) => JSON.stringify(['urlTasks', 'nodes', i, 'task'])), JSON.stringify(['task'])].sort());
    });

    it('recovers as soon as the fault stops: the same query succeeds whole', async () => {
      await stack.sim('DELETE', '/__sim/faults');
      const answer = await stack.query(PARTIAL, { taskId });
      expect(answer.errors).toBeUndefined();
      const data = answer.data as unknown as PartialData;
      expect(data.urlTasks.nodes).toHaveLength(5);
      for (const node of data.urlTasks.nodes) expect(node.task?.status).toMatch(/^(IN_PROCESS|DONE)$/);
      expect(data.task?.status).toMatch(/^(IN_PROCESS|DONE)$/);
      expect((await send(stack.url.replace('/graphql', '/healthz'), { method: 'GET' })).status).toBe(200);
    });
  });

  it('a fault on one of several concurrent requests leaves the others whole', async () => {
    // The faults reach only history tasks: the tasks requests fail while url-task requests in flight beside them do not.
    await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, latencyMs: 200, operations: ['historytasks'] });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => stack.query(i % 2 === 0 ? '{ tasks(first: 2) { nodes { taskId } } }' : `{ urlTasks(first: ${i}) { nodes { url } } }`)),
    );
    await stack.sim('DELETE', '/__sim/faults');
    answers.forEach((answer, i) => {
      if (i % 2 === 0) expect(codesOf(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
      else expect((answer.data as { urlTasks: { nodes: unknown[] } }).urlTasks.nodes).toHaveLength(i);
    });
  });

  it('fired no unhandled rejection and no uncaught exception across the matrix', () => {
    expect(watch.rejections).toEqual([]);
    expect(watch.exceptions).toEqual([]);
  });
});

describe('credential faults', () => {
  const EXPIRED = 'expired-iam-token-0123456789abcdef';
  const VALID = 'valid-iam-token-0123456789abcdef';
  const WRONG_SK = 'WrongSecretKey0123456789abcdefghijklmnop';
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await createSimulator({
      port: 0,
      quiet: true,
      records: 3000,
      tokens: [
        { token: EXPIRED, expiresAt: Date.now() - 60_000 },
        { token: VALID, expiresAt: Date.now() + 3_600_000 },
      ],
    });
  });
  afterAll(() => simulator.close());

  const CREDENTIAL_ROWS = [
    { name: 'a wrong SK', auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: WRONG_SK }, secret: WRONG_SK, upstreamCode: 'APIGW.0301' },
    { name: 'an expired IAM token', auth: { kind: 'token', token: EXPIRED }, secret: EXPIRED, upstreamCode: 'APIGW.0307' },
  ] as const;

  it.each(CREDENTIAL_ROWS)('$name: UPSTREAM_UNAUTHORIZED with an actionable hint, one attempt (not retried), the secret never echoed', async (row) => {
    const stack = await startReliabilityStack({ upstream: simulator, auth: row.auth, env: ENV });
    try {
      const before = await stack.upstreamCalls(OPS.urlTasks);
      for (let i = 0; i < 2; i++) {
        const answer = await stack.query(ROOT);
        expect(answer.status).toBe(200);
        expect(answer.data).toEqual({ urlTasks: null });
        expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', upstream: { status: 401, code: row.upstreamCode } });
        expect(answer.errors?.[0]?.message).toMatch(/Check the configured AK\/SK \(or IAM token\) and its expiry/);
        expect(answer.text).not.toContain(row.secret);
      }
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(2);
      // Nothing of the gateway broke: it still serves its other routes.
      expect((await send(stack.url.replace('/graphql', '/healthz'), { method: 'GET' })).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('a token that expires while the gateway runs: answers before, UPSTREAM_UNAUTHORIZED after, a valid token answers again', async () => {
    const EXPIRING = 'expiring-iam-token-0123456789abcdef';
    // Token expiry is checked on a clock this test moves past the expiry, instead of waiting for it.
    let tokenNow = Date.now();
    const expiresAt = tokenNow + 60_000;
    const upstream = await createSimulator({ port: 0, quiet: true, records: 3000, tokenClock: () => tokenNow, tokens: [{ token: EXPIRING, expiresAt }, { token: VALID, expiresAt: expiresAt + 3_600_000 }] });
    const expiring = await startReliabilityStack({ upstream, auth: { kind: 'token', token: EXPIRING }, env: ENV });
    const valid = await startReliabilityStack({ upstream, auth: { kind: 'token', token: VALID }, env: ENV });
    try {
      const before = await expiring.query(ROOT);
      expect(before.errors).toBeUndefined();
      tokenNow = expiresAt;
      const after = await expiring.query(ROOT);
      expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', upstream: { status: 401, code: 'APIGW.0307' } });
      expect(after.text).not.toContain(EXPIRING);
      // The upstream itself is fine: a gateway holding a valid token gets the same page.
      const fixed = await valid.query(ROOT);
      expect(fixed.errors).toBeUndefined();
      expect(fixed.data).toEqual(before.data);
    } finally {
      await expiring.close();
      await valid.close();
      await upstream.close();
    }
  });

  it('fired no unhandled rejection and no uncaught exception', () => {
    expect(watch.rejections).toEqual([]);
    expect(watch.exceptions).toEqual([]);
  });
});
