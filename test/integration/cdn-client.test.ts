/**
 * The upstream client against the real simulator over loopback: every endpoint, every error
 * shape, retries, deadlines, throttling, and credentials kept out of every error.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../../src/errors';
import type { CdnClient } from '../../src/cdn/client';
import { createCdnClient } from '../../src/cdn/upstream';
import { TASK_ID_PATTERN } from '../../src/cdn/params';
import type { CdnClientOptions, UpstreamEvent } from '../../src/cdn/options';
import { createSimulator, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Simulator } from '../../src/simulator/index';
import { eventually } from '../support/eventually';
import { callSimulator } from '../support/sim-control';

const KEYS = {
  urlTasks: 'GET /v1.0/cdn/contentgateway/url-tasks',
  historyTasks: 'GET /v1.0/cdn/historytasks',
  detail: 'GET /v1.0/cdn/historytasks/{id}/detail',
  refresh: 'POST /v1.0/cdn/content/refresh-tasks',
  preheat: 'POST /v1.0/cdn/content/preheating-tasks',
} as const;
const TOKEN = 'iam-token-for-tests-0123456789';
const EXPIRED_TOKEN = 'iam-token-expired-0123456789';
const WRONG_SK = 'WrongSecretKey0123456789abcdefghijklmnop';
const DAY_MS = 86_400_000;

let sim: Simulator;
let client: CdnClient;
const extraClients: CdnClient[] = [];

beforeAll(async () => {
  sim = await createSimulator({
    quiet: true,
    records: 5000,
    // Unlimited by default so unrelated tests do not throttle each other; the throttling test sets its own limit.
    rateLimits: { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 },
    tokens: [
      { token: TOKEN, expiresAt: Date.now() + DAY_MS },
      { token: EXPIRED_TOKEN, expiresAt: Date.now() - 1000 },
    ],
  });
  client = makeClient();
});

afterEach(async () => {
  await control('DELETE', '/__sim/faults');
});

afterAll(async () => {
  await Promise.all([client.close(), ...extraClients.map((c) => c.close())]);
  await sim.close();
});

// A client against the simulator with fast retries; extra clients are closed after all tests.
function makeClient(overrides: Partial<CdnClientOptions> = {}): CdnClient {
  const c = createCdnClient({
    endpoint: sim.url,
    auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    ...overrides,
  });
  if (client !== undefined) extraClients.push(c);
  return c;
}

// Calls the simulator's control API.
function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return callSimulator<T>(sim.url, method, path, body);
}

// Returns the simulator's request counters.
async function stats(): Promise<{ requests: Record<string, number>; throttled: number }> {
  return control('GET', '/__sim/stats');
}

// Runs `action` and returns how many upstream requests each stats key gained.
async function counting(action: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await stats();
  await action().catch(() => undefined);
  const after = await stats();
  const delta: Record<string, number> = {};
  for (const [key, n] of Object.entries(after.requests)) delta[key] = n - (before.requests[key] ?? 0);
  return delta;
}

// Awaits a failure and returns it as a GatewayError, checking that no credential leaked into it.
async function failure(p: Promise<unknown>): Promise<GatewayError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  const error = caught as GatewayError;
  expectNoSecrets(error);
  return error;
}

// Fails when a credential or a signature appears in an error's message or JSON.
function expectNoSecrets(error: GatewayError): void {
  const texts = [error.message, JSON.stringify(error), JSON.stringify(error.upstream ?? {}), String(error.stack)];
  for (const text of texts) {
    for (const secret of [DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, WRONG_SK, TOKEN, EXPIRED_TOKEN]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toContain('Signature=');
  }
}

function lastDay(): { startTime: number; endTime: number } {
  const endTime = Date.now();
  return { startTime: endTime - DAY_MS + 1, endTime };
}

describe('successful calls', () => {
  it('lists URL tasks as models: upper-case statuses, string task ids, newest first', async () => {
    const page = await client.urlTasks({ ...lastDay(), limit: 20 });
    expect(page.total).toBeGreaterThan(0);
    expect(page.records.length).toBe(Math.min(20, page.total));
    for (const r of page.records) {
      expect(typeof r.taskId).toBe('string');
      expect(r.taskId).toMatch(TASK_ID_PATTERN);
      expect(r.status).toBe(r.status?.toUpperCase());
      expect(['FILE', 'DIRECTORY']).toContain(r.fileType);
    }
    const ids = page.records.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('passes filters and paging through to the upstream', async () => {
    const window = lastDay();
    const all = await client.urlTasks({ ...window, limit: 5 });
    const second = await client.urlTasks({ ...window, offset: 1, limit: 2 });
    expect(second.records.map((r) => r.id)).toEqual(all.records.slice(1, 3).map((r) => r.id));
    const refresh = await client.urlTasks({ ...window, taskType: 'PREHEATING', fileType: 'file', limit: 10 });
    for (const r of refresh.records) {
      expect(r.type).toBe('PREHEATING');
      expect(r.fileType).toBe('FILE');
    }
    const first = all.records[0];
    if (!first) throw new Error('the simulator data set has no record in the last day');
    const byUrl = await client.urlTasks({ ...window, url: first.url ?? undefined, status: first.status ?? undefined });
    expect(byUrl.records.map((r) => r.id)).toContain(first.id);
  });

  it('lists history tasks', async () => {
    const page = await client.historyTasks({ pageSize: 5, pageNumber: 1, orderField: 'create_time', orderType: 'desc' });
    expect(page.total).toBeGreaterThan(0);
    expect(page.tasks).toHaveLength(5);
    for (const t of page.tasks) {
      expect(t.id).toMatch(TASK_ID_PATTERN);
      expect(t.fileType).toBe('file');
      expect(t.processing! + t.succeeded! + t.failed!).toBeLessThanOrEqual(t.total!);
    }
  });

  it('reads a task detail: numeric URL ids, upper-case statuses', async () => {
    const record = (await client.urlTasks({ ...lastDay(), limit: 1 })).records[0];
    if (!record) throw new Error('no record');
    const detail = await client.taskDetail(record.taskId, { pageSize: 100, pageNumber: 1, createTime: record.createTime });
    expect(detail).not.toBeNull();
    expect(detail?.id).toBe(record.taskId);
    expect(detail?.urls.map((u) => u.id)).toContain(record.id);
    for (const u of detail?.urls ?? []) {
      expect(typeof u.id).toBe('number');
      expect(u.status).toBe(u.status?.toUpperCase());
      expect(u.taskId).toBe(record.taskId);
    }
  });

  it('creates refresh and preheat tasks that the detail endpoint then knows', async () => {
    const refresh = await client.createRefreshTask({ type: 'file', urls: ['https://client-test.example.com/a.jpg', 'https://client-test.example.com/b.jpg'] });
    expect(refresh.taskId).toMatch(/^\d+$/);
    const detail = await client.taskDetail(refresh.taskId);
    expect(detail?.urls.map((u) => u.url).sort()).toEqual(['https://client-test.example.com/a.jpg', 'https://client-test.example.com/b.jpg']);
    expect(detail?.taskType).toBe('refresh');
    const preheat = await client.createPreheatTask({ urls: ['https://client-test.example.com/c.jpg'] });
    expect(preheat.taskId).toMatch(/^\d+$/);
    expect(preheat.taskId).not.toBe(refresh.taskId);
    expect((await client.taskDetail(preheat.taskId))?.taskType).toBe('preheating');
  });

  it('authenticates with an IAM token instead of a signature', async () => {
    const tokenClient = makeClient({ auth: { kind: 'token', token: TOKEN } });
    const page = await tokenClient.urlTasks({ ...lastDay(), limit: 1 });
    expect(page.records).toHaveLength(1);
    const expired = await failure(makeClient({ auth: { kind: 'token', token: EXPIRED_TOKEN } }).urlTasks({ limit: 1 }));
    expect(expired.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(expired.upstream?.code).toBe('APIGW.0307');
  });

  it('reports every attempt to onEvent with the upstream request id', async () => {
    const events: UpstreamEvent[] = [];
    const observed = makeClient({ onEvent: (e) => events.push(e) });
    await observed.historyTasks({ pageSize: 1, pageNumber: 1 }, { requestId: 'gw-req-1' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operation: 'historytasks', method: 'GET', status: 200, outcome: 'ok', attempt: 1, requestId: 'gw-req-1' });
    expect(events[0]?.upstreamRequestId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(events)).not.toContain(DEFAULT_SIMULATOR_SK);
  });
});

describe('the three upstream error shapes', () => {
  it('gateway shape: a wrong SK is UPSTREAM_UNAUTHORIZED with APIGW.0301 and the request id, not retried', async () => {
    const wrong = makeClient({ auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: WRONG_SK } });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(wrong.urlTasks({ limit: 1 }));
    });
    expect(error?.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(error?.retryable).toBe(false);
    expect(error?.upstream).toEqual({
      status: 401,
      code: 'APIGW.0301',
      message: 'Incorrect IAM authentication information: verify aksk signature fail',
      requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(error?.message).toContain('Listing URL tasks');
    expect(error?.message).toContain(error?.upstream?.requestId);
    expect(error?.message).toContain('Check the configured AK/SK');
    expect(delta[KEYS.urlTasks]).toBe(1);
  });

  it('top-level 400 shape: an invalid parameter is UPSTREAM_ERROR with CDN.0001', async () => {
    const error = await failure(client.urlTasks({ limit: 1000 }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.upstream?.status).toBe(400);
    expect(error.upstream?.code).toBe('CDN.0001');
    expect(error.upstream?.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(error.message).toMatch(/limit/);
    const unpaired = await failure(client.urlTasks({ startTime: Date.now() - 1000 }));
    expect(unpaired.upstream?.code).toBe('CDN.0001');
  });

  it('200 with an error: the detail of an unknown task is null', async () => {
    const delta = await counting(async () => {
      expect(await client.taskDetail('999999999')).toBeNull();
    });
    expect(delta[KEYS.detail]).toBe(1);
  });

  it('200 with an error: an injected business error is UPSTREAM_ERROR, not retried', async () => {
    await control('PUT', '/__sim/faults', { businessErrorRate: 1, operations: ['url-tasks'] });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(client.urlTasks({ limit: 1 }));
    });
    expect(error?.code).toBe('UPSTREAM_ERROR');
    expect(error?.upstream?.status).toBe(200);
    expect(error?.upstream?.code).toBe('CDN.0005');
    expect(error?.upstream?.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(delta[KEYS.urlTasks]).toBe(1);
  });

  it('200 with CDN.0110 is QUOTA_EXCEEDED', async () => {
    await control('PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'CDN.0110', operations: ['refresh'] });
    const error = await failure(client.createRefreshTask({ type: 'file', urls: ['https://client-test.example.com/q.jpg'] }));
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.message).toContain('Creating a refresh task');
  });

  it('maps an injected 403 to UPSTREAM_FORBIDDEN', async () => {
    await control('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 403, operations: ['historytasks'] });
    const error = await failure(client.historyTasks());
    expect(error.code).toBe('UPSTREAM_FORBIDDEN');
    expect(error.upstream?.code).toBe('APIGW.0302');
  });
});

describe('retries, throttling and deadlines', () => {
  it('retries throttled calls after Retry-After until they all succeed', async () => {
    await control('PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 1 }, retryAfterSeconds: 1 });
    const throttledBefore = (await stats()).throttled;
    const burst = makeClient({ retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 } });
    const window = lastDay();
    const deadline = Date.now() + 8000;
    const pages = await Promise.all([0, 1, 2].map((offset) => burst.urlTasks({ ...window, offset, limit: 1 }, { deadline })));
    expect(pages.map((p) => p.records.length)).toEqual([1, 1, 1]);
    expect((await stats()).throttled - throttledBefore).toBeGreaterThanOrEqual(2);
  });

  it('fails at once with UPSTREAM_RATE_LIMITED and retryAfterMs when Retry-After would pass the deadline', async () => {
    await control('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, retryAfterSeconds: 5, operations: ['url-tasks'] });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(client.urlTasks({ limit: 1 }, { deadline: Date.now() + 1000 }));
    });
    // At once: rate limited after its one call, not timed out waiting at the deadline.
    expect(error?.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error?.retryAfterMs).toBe(5000);
    expect(error?.upstream?.code).toBe('APIGW.0308');
    expect(delta[KEYS.urlTasks]).toBe(1);
  });

  it('retries a 5xx and gives up with UPSTREAM_UNAVAILABLE after maxAttempts', async () => {
    await control('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, operations: ['historytasks'] });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(client.historyTasks({ pageSize: 1, pageNumber: 1 }));
    });
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.retryable).toBe(true);
    expect(error?.message).toContain('gave up after 5 attempts');
    expect(delta[KEYS.historyTasks]).toBe(5);
  });

  it('cuts a slow upstream off at the deadline with UPSTREAM_TIMEOUT', async () => {
    // An answer a minute late: only the deadline can end this call.
    await control('PUT', '/__sim/faults', { latencyMs: 60_000, operations: ['url-tasks'] });
    const error = await failure(client.urlTasks({ limit: 1 }, { deadline: Date.now() + 200 }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('did not answer within the');
  });

  it('uses timeoutMs when the caller gives no deadline, also for a held socket', async () => {
    await control('PUT', '/__sim/faults', { timeoutRate: 1, operations: ['historytasks'] });
    const impatient = makeClient({ timeoutMs: 250 });
    const error = await failure(impatient.historyTasks());
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('stops promptly when the caller aborts', async () => {
    // An answer a minute late: only the abort can end this call; it comes once the call is at the upstream.
    await control('PUT', '/__sim/faults', { latencyMs: 60_000, operations: ['url-tasks'] });
    const controller = new AbortController();
    const before = (await stats()).requests[KEYS.urlTasks] ?? 0;
    const pending = failure(client.urlTasks({ limit: 1 }, { signal: controller.signal }));
    await eventually(async () => expect((await stats()).requests[KEYS.urlTasks] ?? 0).toBe(before + 1));
    controller.abort();
    const error = await pending;
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('cancelled by the caller');
  });

  it('reports truncated JSON as UPSTREAM_BAD_RESPONSE after one retry', async () => {
    await control('PUT', '/__sim/faults', { malformedRate: 1, operations: ['url-tasks'] });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(client.urlTasks({ ...lastDay(), limit: 5 }));
    });
    expect(error?.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error?.upstream?.status).toBe(200);
    expect(error?.message).toContain('not JSON');
    expect(delta[KEYS.urlTasks]).toBe(2);
  });

  it('retries connection resets and reports UPSTREAM_UNAVAILABLE when they persist', async () => {
    await control('PUT', '/__sim/faults', { resetRate: 1, operations: ['url-tasks'] });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(client.urlTasks({ limit: 1 }));
    });
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.upstream?.status).toBe(0);
    expect(error?.message).toMatch(/connection to the CDN API failed/);
    expect(delta[KEYS.urlTasks]).toBe(5);
  });

  it('recovers from a transient reset by retrying', async () => {
    await control('PUT', '/__sim/faults', { resetRate: 1, operations: ['url-tasks'] });
    const events: UpstreamEvent[] = [];
    let healed: Promise<unknown> | undefined;
    const recovering = makeClient({
      retry: { baseDelayMs: 400, maxDelayMs: 400 },
      random: () => 0.99,
      onEvent: (e) => {
        events.push(e);
        // The upstream heals while the client waits ~400 ms before its retry.
        if (e.attempt === 1) healed = control('DELETE', '/__sim/faults');
      },
    });
    const page = await recovering.urlTasks({ ...lastDay(), limit: 1 });
    await healed;
    expect(page.records).toHaveLength(1);
    expect(events.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'UPSTREAM_UNAVAILABLE'],
      [2, 'ok'],
    ]);
  });
});

describe('POSTs are not repeated once they may have been sent', () => {
  it('does not retry a refresh whose connection was reset', async () => {
    await control('PUT', '/__sim/faults', { resetRate: 1, operations: ['refresh'] });
    let error: GatewayError | undefined;
    const delta = await counting(async () => {
      error = await failure(client.createRefreshTask({ type: 'file', urls: ['https://client-test.example.com/r.jpg'] }));
    });
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(delta[KEYS.refresh]).toBe(1);
  });

  it('does not retry a preheat answered 503 or 429', async () => {
    await control('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, operations: ['preheat'] });
    const delta503 = await counting(() => client.createPreheatTask({ urls: ['https://client-test.example.com/p.jpg'] }));
    expect(delta503[KEYS.preheat]).toBe(1);
    await control('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 429, retryAfterSeconds: 0, operations: ['preheat'] });
    const error = await failure(client.createPreheatTask({ urls: ['https://client-test.example.com/p.jpg'] }));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect((await counting(() => client.createPreheatTask({ urls: ['https://client-test.example.com/p.jpg'] })))[KEYS.preheat]).toBe(1);
  });

  it('retries a POST whose connection was refused (it never left)', async () => {
    const closedPort = await freePort();
    const events: UpstreamEvent[] = [];
    const nowhere = makeClient({ endpoint: `http://127.0.0.1:${closedPort}`, onEvent: (e) => events.push(e) });
    const error = await failure(nowhere.createRefreshTask({ type: 'file', urls: ['https://client-test.example.com/n.jpg'] }));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5]);
  });
});

// Returns a loopback port nothing listens on.
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('temporary credentials', () => {
  it('signs X-Security-Token (and X-Domain-Id) so a simulator requiring the token accepts the call', async () => {
    const securityToken = 'sts-security-token-for-tests-0123456789';
    const sts = await createSimulator({ quiet: true, records: 100, securityToken });
    const withToken = createCdnClient({
      endpoint: sts.url,
      auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK, securityToken, domainId: 'domain-0001' },
    });
    const withoutToken = createCdnClient({ endpoint: sts.url, auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK } });
    try {
      const page = await withToken.historyTasks({ pageSize: 1, pageNumber: 1 });
      expect(page.total).toBeGreaterThan(0);
      const error = await failure(withoutToken.historyTasks({ pageSize: 1, pageNumber: 1 }));
      expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
      expect(error.message).not.toContain(securityToken);
    } finally {
      await Promise.all([withToken.close(), withoutToken.close()]);
      await sts.close();
    }
  });
});
