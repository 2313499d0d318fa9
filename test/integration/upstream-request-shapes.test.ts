/**
 * What the gateway sends and how it reads what comes back, over real GraphQL against the
 * simulator, with every upstream request recorded as it goes on the wire:
 * the enterprise project on the calls that take it, file_type on every historytasks call,
 * the two task id formats, detail-only fields (failure reasons) and the create_time of
 * detail calls (the upstream's, never the gateway's clock).
 */
import type { CdnClient } from '../../src/cdn/client';
import type { RawHandler, UpstreamRequest } from '../../src/cdn/pipeline';
import { createCdnClient } from '../../src/cdn/upstream';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, loadConfig } from '../../src/config';
import { toTaskGlobalId } from '../../src/graph/ids';
import { createLogger } from '../../src/logger';
import { createGateway, type Gateway } from '../../src/server';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import type { GqlResponse } from '../support/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HEX_ID = 'ff80808276f5b1f50176f6c6fa720128';
const FAIL_CLASSES = ['ORIGIN_ERROR', 'INNER_ERROR', 'UNKNOWN_ERROR', 'UNKNOWN'];

/** A gateway whose client records every upstream request it is asked to make. */
interface RecordingStack {
  readonly url: string;
  readonly sent: UpstreamRequest[];
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  /** The requests of one operation sent since `from` (an index into `sent`). */
  of(operation: UpstreamRequest['operation'], from?: number): UpstreamRequest[];
  close(): Promise<void>;
}

// The simulator's data clock stands still, so queries made one after another see the same data.
const dataNow = Date.now();
let simulator: Simulator;

// Starts a gateway on the shared simulator whose client records requests at its outermost stage.
async function startRecording(env: Record<string, string> = {}): Promise<RecordingStack> {
  const sent: UpstreamRequest[] = [];
  const record = (next: RawHandler): RawHandler => (req) => {
    sent.push(req);
    return next(req);
  };
  const config = loadConfig({ CDN_ENDPOINT: simulator.url, PORT: '0', LOG_LEVEL: 'silent', CURSOR_SECRET: 'test-cursor-secret-0123456789', ...env });
  const cdn: CdnClient = createCdnClient({
    endpoint: simulator.url,
    auth: { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
    timeoutMs: config.upstreamTimeoutMs,
    wrapTransport: record,
  });
  const gateway: Gateway = await createGateway(config, { cdn, logger: createLogger('silent') });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    url,
    sent,
    async query(query, variables) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return { status: res.status, ...((await res.json()) as object) } as GqlResponse<never>;
    },
    of: (operation, from = 0) => sent.slice(from).filter((r) => r.operation === operation),
    async close() {
      await gateway.close();
      await cdn.close();
    },
  };
}

// Sends a query and returns its data, failing the test on any GraphQL error.
async function data<T>(stack: RecordingStack, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await stack.query<T>(query, variables);
  if (res.errors || !res.data) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

const iso = (ms: number) => new Date(ms).toISOString();
const lastDay = { createdAfter: iso(dataNow - DAY), createdBefore: iso(dataNow) };

let plain: RecordingStack;

beforeAll(async () => {
  simulator = await createSimulator({ port: 0, quiet: true, now: () => dataNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0, refresh: 0, preheat: 0 } });
  plain = await startRecording();
});

afterAll(async () => {
  await plain?.close();
  await simulator?.close();
});

describe('HUAWEICLOUD_ENTERPRISE_PROJECT_ID', () => {
  const READS = /* GraphQL */ `
    query($f: UrlTaskFilter) {
      urlTasks(first: 3, filter: $f) { nodes { id task { taskId } } }
      tasks(first: 2) { nodes { taskId urls(first: 1, filter: { status: SUCCEED }) { nodes { url } } } }
    }
  `;
  const CREATES = /* GraphQL */ `
    mutation {
      createRefreshTask(input: { urls: ["https://ep-test.example.com/a.js"] }) { taskId task { taskId } }
      createPreheatTask(input: { urls: ["https://ep-test.example.com/b.js"] }) { taskId task { taskId } }
    }
  `;

  it('is sent on historytasks, task detail, refresh and preheat, and never on url-tasks', async () => {
    const scoped = await startRecording({ HUAWEICLOUD_ENTERPRISE_PROJECT_ID: '2f1e8a3c-5b7d-4e9f-a1c2-3d4e5f6a7b8c' });
    try {
      await data(scoped, READS, { f: lastDay });
      await data(scoped, CREATES);
      const projectOf = (operation: UpstreamRequest['operation']) => {
        const requests = scoped.of(operation);
        expect([operation, requests.length > 0]).toEqual([operation, true]);
        return [...new Set(requests.map((r) => r.query?.enterprise_project_id))];
      };
      expect(projectOf('url-tasks')).toEqual([undefined]);
      for (const operation of ['historytasks', 'detail', 'refresh', 'preheat'] as const) {
        expect([operation, projectOf(operation)]).toEqual([operation, ['2f1e8a3c-5b7d-4e9f-a1c2-3d4e5f6a7b8c']]);
      }
    } finally {
      await scoped.close();
    }
  });

  it('is sent nowhere when not set', async () => {
    const from = plain.sent.length;
    await data(plain, READS, { f: lastDay });
    await data(plain, CREATES);
    const sent = plain.sent.slice(from);
    expect(new Set(sent.map((r) => r.operation))).toEqual(new Set(['url-tasks', 'historytasks', 'detail', 'refresh', 'preheat']));
    expect(sent.filter((r) => r.query && 'enterprise_project_id' in r.query)).toEqual([]);
  });
});

describe('tasks and file types', () => {
  it('lists FILE tasks unless asked for DIRECTORY, sending file_type on every call; totalCount counts that kind', async () => {
    const from = plain.sent.length;
    const answer = await data<Record<string, { totalCount: number; nodes: Array<{ fileType: string }> }>>(
      plain,
      /* GraphQL */ `
        query($range: TaskFilter!) {
          none: tasks(first: 20) { totalCount nodes { fileType } }
          empty: tasks(first: 20, filter: {}) { totalCount nodes { fileType } }
          files: tasks(first: 20, filter: { fileType: FILE }) { totalCount nodes { fileType } }
          dirs: tasks(first: 20, filter: { fileType: DIRECTORY }) { totalCount nodes { fileType } }
          ranged: tasks(first: 20, filter: $range) { totalCount nodes { fileType } }
        }
      `,
      { range: lastDay },
    );
    expect(answer.files!.totalCount).toBeGreaterThan(0);
    expect(answer.dirs!.totalCount).toBeGreaterThan(0);
    expect([answer.none!.totalCount, answer.empty!.totalCount]).toEqual([answer.files!.totalCount, answer.files!.totalCount]);
    for (const key of ['none', 'empty', 'files', 'ranged']) expect([key, new Set(answer[key]!.nodes.map((n) => n.fileType))]).toEqual([key, new Set(['FILE'])]);
    expect(new Set(answer.dirs!.nodes.map((n) => n.fileType))).toEqual(new Set(['DIRECTORY']));
    const fileTypes = plain.of('historytasks', from).map((r) => r.query?.file_type);
    expect(fileTypes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(fileTypes)).toEqual(new Set(['file', 'directory']));
  });

  it('sends file_type on the readiness probe too, and probes url-tasks with one record of a short window', async () => {
    const fresh = await startRecording();
    try {
      const res = await fetch(fresh.url.replace(/\/graphql$/, '/readyz'));
      expect(res.status).toBe(200);
      const probes = fresh.of('historytasks');
      expect(probes).toHaveLength(1);
      expect(probes[0]?.query?.file_type).toBe('file');
      const [urlProbe, ...more] = fresh.of('url-tasks');
      expect(more).toEqual([]);
      expect(urlProbe?.query).toMatchObject({ limit: 1, offset: 0 });
      expect(Number(urlProbe?.query?.end_time) - Number(urlProbe?.query?.start_time)).toBe(60_000);
    } finally {
      await fresh.close();
    }
  });
});

describe('task ids', () => {
  it('looks up a 32-hex task id (older tasks) upstream as it is', async () => {
    const from = plain.sent.length;
    const res = await plain.query<{ task: { taskId: string } | null }>('query($id: ID!) { task(taskId: $id) { taskId } }', { id: HEX_ID });
    expect(res.errors).toBeUndefined();
    // The simulator may or may not hold such a task; either way the id went through unchanged.
    expect([null, HEX_ID]).toContain(res.data?.task?.taskId ?? null);
    expect(plain.of('detail', from).map((r) => r.path)).toEqual([`/v1.0/cdn/historytasks/${HEX_ID}/detail`]);
  });

  it('resolves a Task global id holding a 32-hex task id through one detail call, and ignores ids holding other text', async () => {
    const from = plain.sent.length;
    const bad = Buffer.from('Task:../url-tasks:1').toString('base64url');
    const answer = await data<{ nodes: Array<{ id: string } | null> }>(plain, 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [toTaskGlobalId(HEX_ID, null), bad],
    });
    expect(answer.nodes[1]).toBeNull();
    expect(plain.of('detail', from).map((r) => r.path)).toEqual([`/v1.0/cdn/historytasks/${HEX_ID}/detail`]);
    // No creation time in the id: none is sent, and the upstream searches its default range.
    expect(plain.of('detail', from)[0]?.query?.create_time).toBeUndefined();
  });

  it('refuses a task id in neither format with BAD_USER_INPUT stating the rule, and sends nothing', async () => {
    const from = plain.sent.length;
    const res = await plain.query('{ task(taskId: "ff8080-not-hex") { taskId } }');
    expect(res.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
      ['BAD_USER_INPUT', 'taskId: a task id is 1 to 20 decimal digits or 32 hexadecimal characters; received "ff8080-not-hex"'],
    ]);
    expect(plain.sent.slice(from)).toEqual([]);
  });
});

describe('detail-only and url-tasks-only fields', () => {
  const RECORD = 'id url status taskId createdAt modifiedAt fileType mode failureReason { classification description }';
  interface RecordNode {
    id: string;
    status: string;
    taskId: string;
    createdAt: string;
    modifiedAt: string | null;
    fileType: string | null;
    mode: string | null;
    failureReason: { classification: string | null; description: string | null } | null;
  }

  it('gives a failed record its failure reason through task details only, and no modifiedAt, fileType or mode there', async () => {
    const listed = await data<{ urlTasks: { nodes: RecordNode[] } }>(plain, `query($f: UrlTaskFilter) { urlTasks(first: 5, filter: $f) { nodes { ${RECORD} } } }`, {
      f: { ...lastDay, status: 'FAILED' },
    });
    const failed = listed.urlTasks.nodes;
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.failureReason).toBeNull();
      expect(r.modifiedAt).not.toBeNull();
      expect(['FILE', 'DIRECTORY']).toContain(r.fileType);
    }
    const sample = failed[0]!;
    const { task } = await data<{ task: { urls: { nodes: RecordNode[] } } }>(plain, `query($id: ID!) { task(taskId: $id) { urls(first: 100) { nodes { ${RECORD} } } } }`, {
      id: sample.taskId,
    });
    const viaDetail = task.urls.nodes;
    expect(viaDetail.map((r) => r.id)).toContain(sample.id);
    for (const r of viaDetail) {
      expect([r.modifiedAt, r.fileType, r.mode]).toEqual([null, null, null]);
      if (r.status === 'FAILED') expect(FAIL_CLASSES).toContain(r.failureReason?.classification);
      else expect(r.failureReason).toBeNull();
    }
    const { node } = await data<{ node: RecordNode }>(plain, `query($id: ID!) { node(id: $id) { ... on UrlTask { ${RECORD} } } }`, { id: sample.id });
    expect(node).toEqual(viaDetail.find((r) => r.id === sample.id));
    expect(FAIL_CLASSES).toContain(node.failureReason?.classification);
  });
});

describe('create_time of detail calls', () => {
  it('sends the record\'s own creation time for its task, and none after a create (never the gateway\'s clock)', async () => {
    const from = plain.sent.length;
    const listed = await data<{ urlTasks: { nodes: Array<{ taskId: string; createdAt: string; task: { taskId: string } | null }> } }>(
      plain,
      'query($f: UrlTaskFilter) { urlTasks(first: 1, filter: $f) { nodes { taskId createdAt task { taskId } } } }',
      { f: lastDay },
    );
    const record = listed.urlTasks.nodes[0]!;
    expect(plain.of('detail', from).map((r) => [r.path, r.query?.create_time])).toEqual([
      [`/v1.0/cdn/historytasks/${record.taskId}/detail`, Date.parse(record.createdAt)],
    ]);

    const afterList = plain.sent.length;
    const created = await data<{ createRefreshTask: { taskId: string; task: { taskId: string } | null } }>(
      plain,
      'mutation { createRefreshTask(input: { urls: ["https://create-time.example.com/x.css"] }) { taskId task { taskId } } }',
    );
    expect(created.createRefreshTask.task?.taskId).toBe(created.createRefreshTask.taskId);
    const details = plain.of('detail', afterList);
    expect(details.map((r) => r.path)).toEqual([`/v1.0/cdn/historytasks/${created.createRefreshTask.taskId}/detail`]);
    expect(details[0]?.query && 'create_time' in details[0].query).toBe(false);
  });
});
