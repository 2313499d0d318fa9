/** Operational routes over real HTTP: health, readiness, metrics, request ids, the explorer page and its assets. */
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { OPS, startOpsStack, type OpsStack } from './ops-support';

const TASKS = 'query RecentTasks { tasks(first: 2) { nodes { taskId status } } }';

describe('health, readiness and metrics', () => {
  let stack: OpsStack;
  beforeAll(async () => {
    stack = await startOpsStack({ env: { READINESS_TTL_MS: '60000', METRICS_OPERATION_NAMES: 'RecentTasks,BadCursor,Failing' } });
  });
  afterAll(() => stack.close());

  it('answers /healthz without touching the upstream', async () => {
    const before = await stack.upstreamCalls(OPS.historyTasks);
    const res = await fetch(`${stack.origin}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(await stack.upstreamCalls(OPS.historyTasks)).toBe(before);
  });

  it('probes url-tasks and historytasks once each for /readyz and serves later probes from the cached verdict', async () => {
    const before = [await stack.upstreamCalls(OPS.urlTasks), await stack.upstreamCalls(OPS.historyTasks)];
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${stack.origin}/readyz`)));
    for (const res of answers) expect(res.status).toBe(200);
    for (let i = 0; i < 10; i++) {
      const again = await fetch(`${stack.origin}/readyz`);
      expect(await again.json()).toMatchObject({ ready: true, status: 'ready', checks: [{ operation: 'url-tasks', ready: true }, { operation: 'historytasks', ready: true }] });
    }
    const after = [await stack.upstreamCalls(OPS.urlTasks), await stack.upstreamCalls(OPS.historyTasks)];
    expect([after[0]! - before[0]!, after[1]! - before[1]!]).toEqual([1, 1]);
  });

  it('counts GraphQL requests by operation, errors by code, and upstream attempts by operation, status and outcome', async () => {
    expect((await stack.gql(TASKS)).status).toBe(200);
    const bad = await stack.gql('query BadCursor { tasks(first: 1, after: "not-a-cursor") { nodes { taskId } } }');
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 500, operations: ['historytasks'] });
    const failing = await stack.gql('query Failing { tasks(first: 1) { nodes { taskId } } }');
    await stack.sim('DELETE', '/__sim/faults');
    expect(failing.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');

    const res = await fetch(`${stack.origin}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^gateway_graphql_requests_total\{operation="RecentTasks"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="BadCursor",code="BAD_USER_INPUT"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{operation="Failing",code="UPSTREAM_UNAVAILABLE"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_request_duration_seconds_count\{operation="RecentTasks"\} 1$/m);
    expect(text).toMatch(/^gateway_upstream_requests_total\{operation="historytasks",status="200",outcome="ok"\} \d+$/m);
    expect(text).toMatch(/^gateway_upstream_requests_total\{operation="historytasks",status="500",outcome="UPSTREAM_UNAVAILABLE"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_upstream_retries_total\{operation="historytasks"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_upstream_request_duration_seconds_count\{operation="historytasks",outcome="ok"\} \d+$/m);
    expect(text).toMatch(/^gateway_http_responses_total\{route="\/healthz",status="200"\} \d+$/m);
  });

  it('exposes a registered snapshot (the economy counters) as counters and gauges in one line of wiring', async () => {
    let hits = 3;
    stack.gateway.metrics.registerSnapshot(() => ({
      state: 'memory',
      cache: { hits, misses: 2, entries: 5 },
      limiter: { queueLength: 1, waitMsTotal: 1500, byOperation: { 'url-tasks': { queueLength: 1, waitMsTotal: 1500 }, detail: { queueLength: 0, waitMsTotal: 0 } } },
    }));
    hits = 7;
    const text = await (await fetch(`${stack.origin}/metrics`)).text();
    expect(text).toMatch(/^# TYPE gateway_cache_hits_total counter$/m);
    expect(text).toMatch(/^gateway_cache_hits_total 7$/m);
    expect(text).toMatch(/^# TYPE gateway_cache_entries gauge$/m);
    expect(text).toMatch(/^gateway_limiter_wait_seconds_total\{operation="url-tasks"\} 1\.5$/m);
    expect(text).toMatch(/^gateway_limiter_queue_length\{operation="detail"\} 0$/m);
    expect(text).toMatch(/^gateway_economy_info\{state="memory"\} 1$/m);
  });

  it('answers with its own request id, sends it upstream, logs it with the upstream X-request-id and the caller\'s x-request-id, and puts it in errors', async () => {
    const res = await stack.gql('query Traced { tasks(first: 1, after: "bogus") { nodes { taskId } } }', undefined, { 'x-request-id': 'trace-abc-123' });
    const traced = res.headers.get('x-request-id');
    expect(traced).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.errors?.[0]?.extensions?.requestId).toBe(traced);
    const ok = await stack.gql(TASKS, undefined, { 'x-request-id': 'trace-def-456' });
    const requestId = ok.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const upstream = stack.logs.find((l) => l.msg === 'upstream call' && l.requestId === requestId) as { upstream?: Record<string, unknown> } | undefined;
    expect(upstream?.upstream).toMatchObject({ operation: 'historytasks', status: 200, outcome: 'ok' });
    expect(upstream?.upstream?.requestId).toMatch(/^[0-9a-f]{32}$/);
    const [access] = await stack.waitForLogs((l) => l.msg === 'graphql request' && l.requestId === requestId);
    expect(access).toMatchObject({ operation: 'RecentTasks', status: 200, method: 'POST', clientRequestId: 'trace-def-456' });
  });

  it('answers unknown paths with 404 naming the GraphQL route', async () => {
    const res = await fetch(`${stack.origin}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'No route for GET /nope; GraphQL is served at /graphql' });
  });

  it('reports shutting-down on /readyz once closing has begun', async () => {
    stack.gateway.readiness.markShuttingDown();
    const res = await fetch(`${stack.origin}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, status: 'shutting-down' });
  });
});

describe('readiness when the upstream refuses', () => {
  it('answers 503 with the catalogue code, and recovers once traffic shows the upstream answering', async () => {
    const stack = await startOpsStack({ env: { READINESS_TTL_MS: '60000' } });
    try {
      await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, operations: ['historytasks'] });
      const down = await fetch(`${stack.origin}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ ready: false, status: 'unready', source: 'probe', code: 'UPSTREAM_UNAVAILABLE' });
      await stack.sim('DELETE', '/__sim/faults');
      expect((await stack.gql(TASKS)).status).toBe(200);
      const up = await fetch(`${stack.origin}/readyz`);
      expect(up.status).toBe(200);
      // historytasks is proven by the traffic; url-tasks keeps its (successful) probe verdict.
      expect(await up.json()).toMatchObject({ ready: true, checks: [{ operation: 'url-tasks', source: 'probe' }, { operation: 'historytasks', source: 'traffic' }] });
    } finally {
      await stack.close();
    }
  });

  it('answers 503 naming url-tasks when the account does not have it enabled, probing it at most once per period, while tasks still works', async () => {
    const stack = await startOpsStack({ env: { READINESS_TTL_MS: '3600000' } });
    try {
      await stack.sim('PUT', '/__sim/faults', { urlTasksDisabled: true });
      expect((await stack.gql(TASKS)).body.errors).toBeUndefined();
      const before = await stack.upstreamCalls(OPS.urlTasks);
      const answers = await Promise.all(Array.from({ length: 25 }, () => fetch(`${stack.origin}/readyz`)));
      for (let i = 0; i < 10; i++) answers.push(await fetch(`${stack.origin}/readyz`));
      expect(new Set(answers.map((r) => r.status))).toEqual(new Set([503]));
      const body = (await answers[answers.length - 1]!.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ ready: false, status: 'unready', source: 'probe', operation: 'url-tasks', code: 'UPSTREAM_FORBIDDEN' });
      expect(body.message).toMatch(/HTTP 403 CDN\.0004 .*not enabled.*submit a service ticket/);
      expect(body.checks).toMatchObject([
        { operation: 'url-tasks', ready: false, code: 'UPSTREAM_FORBIDDEN' },
        { operation: 'historytasks', ready: true, source: 'traffic' },
      ]);
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(1);

      // The GraphQL side: task listings work, url-task listings fail with the same hint and the upstream fields.
      const tasks = await stack.gql(TASKS);
      expect(tasks.body.errors).toBeUndefined();
      expect((tasks.body.data?.tasks as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
      const urls = await stack.gql('query Urls { urlTasks(first: 1) { nodes { id } } }');
      const [error] = urls.body.errors ?? [];
      expect(error?.extensions?.code).toBe('UPSTREAM_FORBIDDEN');
      expect(error?.message).toContain('submit a service ticket asking Huawei to enable it');
      expect(error?.extensions?.upstream).toEqual({ status: 403, code: 'CDN.0004', requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      // A failed url-tasks call in traffic is no success: still unready, and no new probe within the period.
      expect((await fetch(`${stack.origin}/readyz`)).status).toBe(503);
      expect((await stack.upstreamCalls(OPS.urlTasks)) - before).toBe(2);
    } finally {
      await stack.close();
    }
  });
});

describe('explorer', () => {
  it('serves a self-contained GraphiQL page to browsers, with its assets from the gateway itself', async () => {
    const stack = await startOpsStack();
    try {
      const page = await fetch(`${stack.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      // Subscriptions go over WebSocket to the page's own host.
      const host = new URL(stack.origin).host;
      expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://${host} wss://${host};`);
      const html = await page.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
      expect(html).toContain('RecentUrlTasks');
      for (const asset of sources.filter((s) => s.startsWith('explorer/'))) {
        const res = await fetch(`${stack.origin}/${asset}`);
        expect([asset, res.status]).toEqual([asset, 200]);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
      const zipped = await rawGet(`${stack.origin}/explorer/graphiql.min.js`, { 'accept-encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(zipped.body).toString('utf8')).toContain('GraphiQL');
      // A GraphQL GET from a browser is still GraphQL (Apollo's CSRF rule asks for a preflight header).
      const get = await fetch(`${stack.origin}/graphql?query=%7B__typename%7D`, { headers: { accept: 'text/html, application/json', 'apollo-require-preflight': '1' } });
      expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await stack.close();
    }
  });

  it('pre-fills the credential header the gateway expects', async () => {
    const stack = await startOpsStack({ env: { AUTH_MODE: 'api-key', API_KEYS: 'explorer-test-key-0001' } });
    try {
      const html = await (await fetch(`${stack.origin}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(html).toContain('x-api-key');
      expect(html).not.toContain('explorer-test-key-0001');
    } finally {
      await stack.close();
    }
  });

  it('switches to Apollo Sandbox (from its CDN) with EXPLORER=sandbox, and off with EXPLORER=off', async () => {
    const sandbox = await startOpsStack({ env: { EXPLORER: 'sandbox' } });
    try {
      const html = await (await fetch(`${sandbox.origin}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(html).toContain('embeddable-sandbox.cdn.apollographql.com');
      expect((await fetch(`${sandbox.origin}/explorer/graphiql.min.js`)).status).toBe(404);
    } finally {
      await sandbox.close();
    }
    const off = await startOpsStack({ env: { EXPLORER: 'off' } });
    try {
      const res = await fetch(`${off.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/json/);
      expect((await fetch(`${off.origin}/explorer/graphiql.min.js`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

// A GET that keeps the raw (possibly compressed) body, which fetch would decode.
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
