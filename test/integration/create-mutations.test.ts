/**
 * createRefreshTask and createPreheatTask end to end: gateway and simulator over loopback.
 * Created tasks are followed to completion; invalid input costs no upstream call; business
 * errors keep the upstream code and request id; a create is sent once whatever fails, and an
 * idempotencyKey turns repeats into replays.
 */
import { startStack, type GqlResponse, type Stack } from '../support/stack';

const REFRESH_POST = 'POST /v1.0/cdn/content/refresh-tasks';
const PREHEAT_POST = 'POST /v1.0/cdn/content/preheating-tasks';
// How long created records take to settle in the simulator: longer than any test, so that they
// settle only when a test moves the simulator's data clock past it (`settle`).
const TRANSITION_MS = 600_000;

const TASK_FIELDS = 'id taskId type status fileType createdAt processing succeeded failed total';

const CREATE_REFRESH = `
  mutation Refresh($input: CreateRefreshTaskInput!) {
    createRefreshTask(input: $input) { taskId replayed task { ${TASK_FIELDS} } }
  }`;
const CREATE_PREHEAT = `
  mutation Preheat($input: CreatePreheatTaskInput!) {
    createPreheatTask(input: $input) { taskId replayed task { ${TASK_FIELDS} } }
  }`;
const TASK = `query Task($taskId: ID!) { task(taskId: $taskId) { ${TASK_FIELDS} } }`;

interface TaskView {
  id: string;
  taskId: string;
  type: string;
  status: string;
  fileType: string;
  createdAt: string;
  processing: number;
  succeeded: number;
  failed: number;
  total: number;
}
interface Payload {
  taskId: string;
  replayed: boolean;
  task: TaskView | null;
}
type RefreshData = { createRefreshTask: Payload };
type PreheatData = { createPreheatTask: Payload };

// A URL unique to this run, so that tests never see each other's records by accident.
let serial = 0;
const unique = (name: string) => `https://cdn.example.com/${Date.now()}-${++serial}/${name}`;

// The one error of a response.
function onlyError(res: GqlResponse) {
  expect(res.errors).toHaveLength(1);
  return res.errors?.[0] as { message: string; extensions?: Record<string, unknown> };
}

describe('create mutations', () => {
  let stack: Stack;
  // The simulator's data clock runs this far ahead of the real one; `settle` moves it past the transitions.
  let skewMs = 0;
  const settle = (): void => {
    skewMs += TRANSITION_MS;
  };

  beforeAll(async () => {
    // Huawei allows 5 creates a second; these tests send more, and the limit is not what they are about.
    stack = await startStack({ simulator: { records: 2000, transitionMs: TRANSITION_MS, rateLimits: { refresh: 0, preheat: 0 }, now: () => Date.now() + skewMs } });
  });
  afterAll(() => stack.close());
  afterEach(async () => {
    skewMs = 0;
    await stack.sim('DELETE', '/__sim/faults');
  });

  describe('creating and following a task', () => {
    it('creates a refresh task, shows its records in urlTasks and follows it until DONE with the counts adding up', async () => {
      const startedAt = Date.now();
      const urls = [unique('a.js'), unique('fail-b.js'), unique('c.css'), unique('FAIL/d.png')];
      const created = await stack.query<RefreshData>(CREATE_REFRESH, { input: { urls } });
      expect(created.errors).toBeUndefined();
      const payload = created.data?.createRefreshTask as Payload;
      expect(payload).toMatchObject({ replayed: false, task: { taskId: payload.taskId, type: 'REFRESH', status: 'IN_PROCESS', fileType: 'FILE', total: 4 } });
      expect(Date.parse(payload.task?.createdAt as string)).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(Date.parse(payload.task?.createdAt as string)).toBeLessThanOrEqual(Date.now());

      // The records, in url-tasks (the seed API), newest first.
      const listed = await stack.query<{ urlTasks: { totalCount: number; nodes: Array<{ url: string; taskId: string; type: string; fileType: string; status: string }> } }>(
        `query Records($after: DateTime!) {
          urlTasks(first: 10, filter: { createdAfter: $after, taskType: REFRESH }) { totalCount nodes { url taskId type fileType status } }
        }`,
        { after: new Date(startedAt - 1000).toISOString() },
      );
      expect(listed.errors).toBeUndefined();
      const mine = listed.data?.urlTasks.nodes.filter((n) => n.taskId === payload.taskId) ?? [];
      expect(mine.map((n) => n.url).sort()).toEqual([...urls].sort());
      for (const node of mine) expect(node).toMatchObject({ type: 'REFRESH', fileType: 'FILE', status: expect.stringMatching(/^(WAITING|PROCESSING)$/) });

      // The task, followed through Query.task: in process until its records settle, then done.
      expect((await stack.query<{ task: TaskView }>(TASK, { taskId: payload.taskId })).data?.task).toMatchObject({ status: 'IN_PROCESS', processing: 4, total: 4 });
      settle();
      const done = (await stack.query<{ task: TaskView }>(TASK, { taskId: payload.taskId })).data?.task;
      expect(done?.status).toBe('DONE');
      expect(done).toMatchObject({ id: payload.task?.id, processing: 0, succeeded: 2, failed: 2, total: 4 });
      expect((done?.processing ?? 0) + (done?.succeeded ?? 0) + (done?.failed ?? 0)).toBe(done?.total);

      // The same task through node(id), with its URLs' final statuses, and in the task list.
      const node = await stack.query<{ node: { taskId: string; status: string; urls: { nodes: Array<{ url: string; status: string }> } } }>(
        `query Node($id: ID!) { node(id: $id) { ... on Task { taskId status urls(first: 10) { nodes { url status } } } } }`,
        { id: payload.task?.id },
      );
      expect(node.data?.node).toMatchObject({ taskId: payload.taskId, status: 'DONE' });
      const statuses = Object.fromEntries(node.data?.node.urls.nodes.map((u) => [u.url, u.status]) ?? []);
      expect(statuses).toEqual({ [urls[0] as string]: 'SUCCEED', [urls[1] as string]: 'FAILED', [urls[2] as string]: 'SUCCEED', [urls[3] as string]: 'FAILED' });
      const tasks = await stack.query<{ tasks: { nodes: Array<{ taskId: string; status: string; total: number }> } }>(
        `query Tasks($after: DateTime!) { tasks(first: 5, filter: { createdAfter: $after, taskType: REFRESH }) { nodes { taskId status total } } }`,
        { after: new Date(startedAt - 1000).toISOString() },
      );
      expect(tasks.data?.tasks.nodes).toContainEqual({ taskId: payload.taskId, status: 'DONE', total: 4 });
    });

    it('creates a directory refresh with a mode, and a preheat', async () => {
      const dir = await stack.query<RefreshData>(CREATE_REFRESH, { input: { urls: [`${unique('assets')}/`], type: 'DIRECTORY', mode: 'DETECT_MODIFY_REFRESH' } });
      expect(dir.errors).toBeUndefined();
      expect(dir.data?.createRefreshTask.task).toMatchObject({ type: 'REFRESH', fileType: 'DIRECTORY', total: 1 });
      const records = await stack.query<{ urlTasks: { nodes: Array<{ taskId: string; mode: string | null }> } }>(
        `query { urlTasks(first: 5, filter: { fileType: DIRECTORY }) { nodes { taskId mode } } }`,
      );
      expect(records.data?.urlTasks.nodes).toContainEqual({ taskId: dir.data?.createRefreshTask.taskId, mode: 'DETECT_MODIFY_REFRESH' });

      const preheat = await stack.query<PreheatData>(CREATE_PREHEAT, { input: { urls: [unique('big.mp4'), unique('fail.mp4')] } });
      expect(preheat.errors).toBeUndefined();
      expect(preheat.data?.createPreheatTask).toMatchObject({ replayed: false, task: { type: 'PREHEATING', fileType: 'FILE', status: 'IN_PROCESS', total: 2 } });
      settle();
      const done = (await stack.query<{ task: TaskView }>(TASK, { taskId: preheat.data?.createPreheatTask.taskId })).data?.task;
      expect(done).toMatchObject({ succeeded: 1, failed: 1, processing: 0, total: 2 });
    });

    it('sends only the create when the payload does not ask for the task', async () => {
      const before = await stack.upstreamCalls();
      const res = await stack.query<{ createPreheatTask: { taskId: string } }>(
        `mutation($urls: [String!]!) { createPreheatTask(input: { urls: $urls }) { taskId } }`,
        { urls: [unique('x.js')] },
      );
      expect(res.data?.createPreheatTask.taskId).toMatch(/^\d+$/);
      expect((await stack.upstreamCalls()) - before).toBe(1);
    });
  });

  describe('input validation, before any upstream call', () => {
    const long = `https://cdn.example.com/${'a'.repeat(4096 - 24 + 1)}`;
    const many = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/v/${i}`);
    it.each<[string, Record<string, unknown>, string]>([
      ['an empty list', { urls: [] }, 'input.urls must hold at least one URL; got an empty list.'],
      ['a non-http scheme', { urls: ['https://cdn.example.com/ok', 'ftp://cdn.example.com/a.js'] }, 'input.urls[1] "ftp://cdn.example.com/a.js" must start with http:// or https://.'],
      ['a URL over 4096 characters', { urls: [long] }, `input.urls[0] ${JSON.stringify(long.slice(0, 100))}… is 4097 characters long; at most 4096 are allowed.`],
      ['a duplicate', { urls: ['https://cdn.example.com/a', 'https://cdn.example.com/a'] }, 'input.urls[1] repeats input.urls[0] "https://cdn.example.com/a"; each URL may appear once.'],
      [
        '1001 URLs',
        { urls: many(1001) },
        'input.urls holds 1001 URLs; at most 1000 are allowed per call (the first one over is input.urls[1000] "https://cdn.example.com/v/1000").',
      ],
      [
        '101 directories',
        { urls: many(101), type: 'DIRECTORY' },
        'input.urls holds 101 directories; at most 100 are allowed per call (the first one over is input.urls[100] "https://cdn.example.com/v/100").',
      ],
      ['an UNKNOWN type', { urls: ['https://cdn.example.com/a'], type: 'UNKNOWN' }, 'input.type: UNKNOWN only describes values the gateway does not know and cannot be sent to the CDN.'],
      ['an UNKNOWN mode', { urls: ['https://cdn.example.com/a'], mode: 'UNKNOWN' }, 'input.mode: UNKNOWN only describes values the gateway does not know and cannot be sent to the CDN.'],
      ['a bad idempotency key', { urls: ['https://cdn.example.com/a'], idempotencyKey: 'has space' }, 'input.idempotencyKey must be 1 to 255 printable ASCII characters without spaces (a UUID is a good key); got "has space".'],
    ])('refuses %s as BAD_USER_INPUT naming the offender, and sends nothing', async (_name, input, message) => {
      const before = await stack.upstreamCalls();
      const res = await stack.query(CREATE_REFRESH, { input });
      expect(res.data).toBeNull();
      expect(onlyError(res)).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
      expect(await stack.upstreamCalls()).toBe(before);
    });

    it('applies the same URL rules to preheats', async () => {
      const before = await stack.upstreamCalls(PREHEAT_POST);
      const res = await stack.query(CREATE_PREHEAT, { input: { urls: ['https://cdn.example.com/a b'] } });
      expect(onlyError(res)).toMatchObject({
        message:
          'input.urls[0] "https://cdn.example.com/a b" must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has a space (U+0020 at character 25).',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect(await stack.upstreamCalls(PREHEAT_POST)).toBe(before);
    });
  });

  describe('URLs that parsers read differently, before any upstream call', () => {
    const attacks: Array<[string, string, RegExp]> = [
      ['credentials', 'https://alice:hunter2@cdn.example.com/a.js', /^input\.urls\[1\] "https:\/\/…@cdn\.example\.com\/a\.js" must not carry credentials/],
      ['a backslash before @', 'https://cdn.example.com\\@evil.example/a.js', /^input\.urls\[1\] .* must not contain a backslash \(U\+005C at character 23\)/],
      ['U+0085 (NEL)', 'https://cdn.example.com/a\u0085.js', /^input\.urls\[1\] "https:\/\/cdn\.example\.com\/a\\u0085\.js" must not contain .*; it has a control character \(U\+0085 at character 25\)/],
      ['U+200B (zero width space)', 'https://cdn.example.com/\u200ba.js', /^input\.urls\[1\] .*; it has an invisible formatting character \(U\+200B at character 24\)/],
      ['U+202E (right-to-left override)', 'https://cdn.example.com/\u202esj.exe', /^input\.urls\[1\] .*; it has a bidirectional formatting character \(U\+202E at character 24\)/],
      ['a percent-encoded host', 'https://cdn%2eexample.com/a.js', /^input\.urls\[1\] .* writes its host as "cdn%2eexample\.com", which the URL standard reads as "cdn\.example\.com"/],
    ];

    it.each(attacks)('refuses %s as BAD_USER_INPUT naming the index and the reason; nothing reaches the simulator', async (_name, bad, message) => {
      const before = await stack.upstreamCalls();
      const [refresh, preheat] = [
        await stack.query(CREATE_REFRESH, { input: { urls: [unique('ok.js'), bad] } }),
        await stack.query(CREATE_PREHEAT, { input: { urls: [unique('ok.js'), bad] } }),
      ];
      for (const res of [refresh, preheat]) {
        expect(res.data).toBeNull();
        const error = onlyError(res);
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(message);
        // The message escapes what it quotes and never repeats credentials.
        expect(error.message).not.toMatch(/[\u0085\u200b\u202e]|alice|hunter2/);
      }
      expect(await stack.upstreamCalls()).toBe(before);
    });

    it('lists every refused URL of one call, and sends none of the good ones', async () => {
      const before = await stack.sim<{ requests: unknown[] }>('GET', '/__sim/requests');
      const res = await stack.query(CREATE_REFRESH, { input: { urls: [unique('ok.js'), ...attacks.map(([, bad]) => bad)] } });
      const error = onlyError(res);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/^6 problems in the input: input\.urls\[1\] .*; input\.urls\[2\] .*; input\.urls\[3\] .*; input\.urls\[4\] .*; input\.urls\[5\] .*; and 1 more\.$/);
      const after = await stack.sim<{ requests: unknown[] }>('GET', '/__sim/requests');
      expect(after.requests).toEqual(before.requests);
    });
  });

  describe('upstream business errors', () => {
    it('turns CDN.0108 (domain not accelerated) into BAD_USER_INPUT with the upstream code and request id', async () => {
      const res = await stack.query(CREATE_REFRESH, { input: { urls: [unique('ok.js'), 'https://img.not-accelerated.example/a.png'] } });
      const error = onlyError(res);
      expect(error.message).toMatch(/^Creating a refresh task \(POST \/v1\.0\/cdn\/content\/refresh-tasks\) was refused: the URLs name a domain this CDN account does not accelerate \(CDN\.0108 "The domain img\.not-accelerated\.example is not accelerated by this account\.", upstream request id [0-9a-f]{32}\)/);
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { status: 200, code: 'CDN.0108', requestId: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    });
  });

  describe('a create is never sent twice', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['a reset connection', { resetRate: 1, operations: ['refresh'] }, 'UPSTREAM_UNAVAILABLE'],
      ['a 503', { errorRate: 1, errorStatus: 503, operations: ['refresh'] }, 'UPSTREAM_UNAVAILABLE'],
      ['a 500', { errorRate: 1, errorStatus: 500, operations: ['refresh'] }, 'UPSTREAM_UNAVAILABLE'],
    ])('sends one POST despite %s, and says the task may exist', async (_name, faults, code) => {
      await stack.sim('PUT', '/__sim/faults', faults);
      const before = await stack.upstreamCalls(REFRESH_POST);
      const res = await stack.query(CREATE_REFRESH, { input: { urls: [unique('a.js')] } });
      const error = onlyError(res);
      expect(error.extensions?.code).toBe(code);
      expect(error.message).toContain('The task may or may not have been created. Check the recent tasks before trying again; an idempotencyKey makes retries safe.');
      expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 1);
    });

    it('while reads are retried on the same faults', async () => {
      await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 503, operations: ['detail'] });
      const before = await stack.upstreamCalls('GET /v1.0/cdn/historytasks/{id}/detail');
      const res = await stack.query(TASK, { taskId: '1' });
      expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect((await stack.upstreamCalls('GET /v1.0/cdn/historytasks/{id}/detail')) - before).toBe(stack.config.upstreamMaxAttempts);
    });
  });

  describe('idempotencyKey', () => {
    const key = () => `key-${Date.now()}-${++serial}`;

    it('returns the first task to a repeat instead of creating a second one', async () => {
      const input = { urls: [unique('a.js')], idempotencyKey: key() };
      const before = await stack.upstreamCalls(REFRESH_POST);
      const first = await stack.query<RefreshData>(CREATE_REFRESH, { input });
      const second = await stack.query<RefreshData>(CREATE_REFRESH, { input });
      expect(first.data?.createRefreshTask.replayed).toBe(false);
      expect(second.data?.createRefreshTask).toMatchObject({ replayed: true, taskId: first.data?.createRefreshTask.taskId, task: { id: first.data?.createRefreshTask.task?.id } });
      expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 1);
    });

    it('shares one upstream call among concurrent repeats', async () => {
      await stack.sim('PUT', '/__sim/faults', { latencyMs: 300, operations: ['preheat'] });
      const input = { urls: [unique('a.js')], idempotencyKey: key() };
      const before = await stack.upstreamCalls(PREHEAT_POST);
      const answers = await Promise.all([1, 2, 3].map(() => stack.query<PreheatData>(CREATE_PREHEAT, { input })));
      const payloads = answers.map((a) => a.data?.createPreheatTask);
      expect(new Set(payloads.map((p) => p?.taskId)).size).toBe(1);
      expect(payloads.filter((p) => p?.replayed === false)).toHaveLength(1);
      expect(await stack.upstreamCalls(PREHEAT_POST)).toBe(before + 1);
    });

    it('refuses the same key with a different input, without sending it', async () => {
      const k = key();
      await stack.query(CREATE_REFRESH, { input: { urls: [unique('a.js')], idempotencyKey: k } });
      const before = await stack.upstreamCalls();
      const res = await stack.query(CREATE_REFRESH, { input: { urls: [unique('b.js')], idempotencyKey: k } });
      expect(onlyError(res)).toMatchObject({
        message: `idempotencyKey "${k}" was already used with a different input within the last 10 minutes; repeat the first input to get its result, or use a new key for a new task`,
        extensions: { code: 'BAD_USER_INPUT' },
      });
      // The same key for the other mutation is another input too.
      const other = await stack.query(CREATE_PREHEAT, { input: { urls: [unique('b.js')], idempotencyKey: k } });
      expect(onlyError(other).extensions?.code).toBe('BAD_USER_INPUT');
      expect(await stack.upstreamCalls()).toBe(before);
    });

    it('remembers a create whose outcome is unknown, so a retry with the key cannot create a second task', async () => {
      await stack.sim('PUT', '/__sim/faults', { resetRate: 1, operations: ['refresh'] });
      const input = { urls: [unique('a.js')], idempotencyKey: key() };
      const before = await stack.upstreamCalls(REFRESH_POST);
      const first = onlyError(await stack.query(CREATE_REFRESH, { input }));
      expect(first.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(first.message).toMatch(/The task may or may not have been created\. Until \S+Z this idempotencyKey \("key-[^"]+"\) returns this error instead of sending again/);
      await stack.sim('DELETE', '/__sim/faults');
      const retry = onlyError(await stack.query(CREATE_REFRESH, { input }));
      expect(retry.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(retry.message).toContain('This repeats the outcome of an earlier call with the same idempotencyKey.');
      expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 1);
      // A new key is the caller's explicit decision to try again.
      const fresh = await stack.query<RefreshData>(CREATE_REFRESH, { input: { ...input, idempotencyKey: key() } });
      expect(fresh.data?.createRefreshTask.replayed).toBe(false);
      expect(await stack.upstreamCalls(REFRESH_POST)).toBe(before + 2);
    });

    it('forgets a create that was refused, so a corrected repeat with the same key goes through', async () => {
      await stack.sim('PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'CDN.0110', operations: ['refresh'] });
      const input = { urls: [unique('a.js')], idempotencyKey: key() };
      expect(onlyError(await stack.query(CREATE_REFRESH, { input })).extensions?.code).toBe('QUOTA_EXCEEDED');
      await stack.sim('DELETE', '/__sim/faults');
      const again = await stack.query<RefreshData>(CREATE_REFRESH, { input });
      expect(again.data?.createRefreshTask).toMatchObject({ replayed: false, taskId: expect.stringMatching(/^\d+$/) });
    });
  });
});

describe('create mutations against daily quotas and a short idempotency window', () => {
  let stack: Stack;
  let gatewayAt: number | undefined;

  beforeAll(async () => {
    stack = await startStack({
      simulator: { records: 500, transitionMs: TRANSITION_MS, dailyQuotas: { refreshFile: 3, refreshDirectory: 1, preheat: 2 } },
      env: { IDEMPOTENCY_TTL_MS: '1000' },
      // The gateway's clock stands still while `gatewayAt` is set: the idempotency window ends when the test moves it.
      now: () => gatewayAt ?? Date.now(),
    });
  });
  afterAll(() => stack.close());

  it('enforces the file refresh quota: QUOTA_EXCEEDED with CDN.0110 and the request id once it is used up', async () => {
    const ok = await stack.query<RefreshData>(CREATE_REFRESH, { input: { urls: [unique('1'), unique('2')] } });
    expect(ok.errors).toBeUndefined();
    const over = onlyError(await stack.query(CREATE_REFRESH, { input: { urls: [unique('3'), unique('4')] } }));
    expect(over.message).toMatch(/^Creating a refresh task \(POST \/v1\.0\/cdn\/content\/refresh-tasks\) failed: the CDN API answered HTTP 200 CDN\.0110 "The daily quota of 3 file refreshes is exceeded: 2 used today, 2 more requested\."/);
    expect(over.extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', upstream: { status: 200, code: 'CDN.0110', requestId: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    // What is left of the quota can still be used, and a refused call cost nothing.
    const last = await stack.query<RefreshData>(CREATE_REFRESH, { input: { urls: [unique('5')] } });
    expect(last.data?.createRefreshTask.task?.total).toBe(1);
  });

  it('counts directories and preheats apart from files', async () => {
    expect((await stack.query(CREATE_REFRESH, { input: { urls: [`${unique('d')}/`], type: 'DIRECTORY' } })).errors).toBeUndefined();
    expect(onlyError(await stack.query(CREATE_REFRESH, { input: { urls: [`${unique('e')}/`], type: 'DIRECTORY' } })).extensions?.code).toBe('QUOTA_EXCEEDED');
    expect((await stack.query(CREATE_PREHEAT, { input: { urls: [unique('p1'), unique('p2')] } })).errors).toBeUndefined();
    expect(onlyError(await stack.query(CREATE_PREHEAT, { input: { urls: [unique('p3')] } })).extensions?.code).toBe('QUOTA_EXCEEDED');
  });

  it('creates anew once IDEMPOTENCY_TTL_MS has passed', async () => {
    // The tests above used up every quota; a reset gives them back.
    await stack.sim('POST', '/__sim/reset', {});
    const input = { urls: [unique('ttl.js')], idempotencyKey: `ttl-${Date.now()}` };
    gatewayAt = Date.now();
    const first = await stack.query<PreheatData>(CREATE_PREHEAT, { input });
    const replay = await stack.query<PreheatData>(CREATE_PREHEAT, { input });
    expect(replay.data?.createPreheatTask).toMatchObject({ replayed: true, taskId: first.data?.createPreheatTask.taskId });
    // Repeats inside the window are replays (they cost nothing); the first one after it creates anew.
    gatewayAt += 999;
    expect((await stack.query<PreheatData>(CREATE_PREHEAT, { input })).data?.createPreheatTask.replayed).toBe(true);
    gatewayAt += 1;
    const later = await stack.query<PreheatData>(CREATE_PREHEAT, { input });
    expect(later.errors).toBeUndefined();
    expect(later.data?.createPreheatTask.replayed).toBe(false);
    expect(later.data?.createPreheatTask.taskId).not.toBe(first.data?.createPreheatTask.taskId);
    gatewayAt = undefined;
  });
});

describe('create mutations under the tenant rate limit', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Huawei's real limits in the simulator; the gateway's economy queues calls within them. The simulator counts a second
    // from arrival, the limiter from dispatch: an 800 ms margin (1.8 s windows) covers a busy machine's stall between the two,
    // which would otherwise turn a create into a 429 (never repeated, since a POST may have been acted on).
    stack = await startStack({ simulator: { records: 500 }, economy: { rateLimitMarginMs: 800 }, env: { CACHE_TTL_MS: '0' } });
  });
  afterAll(() => stack.close());

  it('queues a burst of creates instead of letting the CDN refuse them, one POST each', async () => {
    const before = await stack.upstreamCalls(PREHEAT_POST);
    const burst = await Promise.all(
      Array.from({ length: 7 }, (_, i) => stack.query<{ createPreheatTask: { taskId: string } }>(`mutation($u: [String!]!) { createPreheatTask(input: { urls: $u }) { taskId } }`, { u: [unique(`burst-${i}`)] })),
    );
    expect(burst.map((r) => r.errors)).toEqual(Array(7).fill(undefined));
    expect(new Set(burst.map((r) => r.data?.createPreheatTask.taskId)).size).toBe(7);
    expect(await stack.upstreamCalls(PREHEAT_POST)).toBe(before + 7);
    expect((await stack.sim<{ throttled: number }>('GET', '/__sim/stats')).throttled).toBe(0);
  });
});
