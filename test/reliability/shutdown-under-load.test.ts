/**
 * SIGTERM under load, on the real entry point (`node --import tsx src/main.ts`) in a child
 * process: requests arrive on fresh connections one after the other while the simulator
 * answers slowly, then the signal comes. Every request sent before it gets a complete 200
 * answer, connections opened after it are refused, and the process exits 0.
 */
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { spawnGateway } from '../e2e/support/process';
import { OPS } from '../support/stack';
import { eventually } from '../support/eventually';
import { send, type RawAnswer } from './support';

// The simulator's answer time: the margin between the last request reaching the upstream and the
// signal, which follows within one poll of the simulator's count. Two seconds cover a stalled machine;
// every request still ends well within REQUEST_TIMEOUT_MS (15 s) and the shutdown timeout (20 s).
const LATENCY_MS = 2000;

// Requests of the load: each asks for an exact number of records, so a complete answer is checkable, and each
// ends its range at its own second, so no two share an upstream call (coalescing and the cache would hide some).
const BASE = Math.floor(Date.now() / 1000) * 1000;
const before = (i: number): string => new Date(BASE - i * 1000).toISOString();
const QUERIES: ReadonlyArray<(i: number) => { query: string; count: (data: Record<string, unknown>) => number; expected: number }> = [
  (i) => ({ query: `{ urlTasks(first: ${1 + (i % 20)}, filter: { createdBefore: "${before(i)}" }) { nodes { url } } }`, count: (d) => (d.urlTasks as { nodes: unknown[] }).nodes.length, expected: 1 + (i % 20) }),
  (i) => ({
    query: `{ urlTasks(first: ${1 + (i % 5)}, filter: { createdBefore: "${before(i)}" }) { nodes { url task { status } } } }`,
    count: (d) => (d.urlTasks as { nodes: Array<{ task: { status: string } | null }> }).nodes.filter((n) => n.task?.status).length,
    expected: 1 + (i % 5),
  }),
  (i) => ({ query: `{ tasks(first: ${1 + (i % 10)}, filter: { createdBefore: "${before(i)}" }) { nodes { taskId status } } }`, count: (d) => (d.tasks as { nodes: unknown[] }).nodes.length, expected: 1 + (i % 10) }),
];

describe('SIGTERM during load', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await createSimulator({ port: 0, quiet: true, records: 5000, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } });
  });
  afterAll(() => simulator.close());

  it('answers every request sent before the signal whole, refuses new connections after it, and exits 0', async () => {
    // Enough upstream connections and no quota pacing, so that every request's first call is at the simulator (and counted there) at once.
    const gateway = await spawnGateway({
      PORT: '0',
      CDN_ENDPOINT: simulator.url,
      LOG_LEVEL: 'info',
      CURSOR_SECRET: 'shutdown-test-cursor-secret-0123',
      UPSTREAM_CONNECTIONS: '128',
      RATE_LIMIT_URL_TASKS: '0',
      RATE_LIMIT_DETAIL: '0',
      RATE_LIMIT_HISTORYTASKS: '0',
    });
    try {
      await fetch(`${simulator.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: LATENCY_MS }) });
      const upstreamBefore = await upstreamCalls(simulator);

      // Six waves of ten new connections, each wave as soon as the one before has reached the gateway (the simulator counted
      // their first upstream calls): every request has reached the gateway before the signal.
      const sent: Array<{ spec: ReturnType<(typeof QUERIES)[number]>; answer: Promise<RawAnswer>; settled: boolean }> = [];
      for (let i = 0; i < 60; i++) {
        const spec = QUERIES[i % QUERIES.length]!(i);
        const entry = { spec, answer: send(gateway.url, { body: JSON.stringify({ query: spec.query }) }), settled: false };
        void entry.answer.finally(() => (entry.settled = true)).catch(() => undefined);
        sent.push(entry);
        if (sent.length % 10 === 0) {
          await eventually(async () => expect((await upstreamCalls(simulator)) - upstreamBefore).toBeGreaterThanOrEqual(sent.length), { timeoutMs: 10_000, intervalMs: 5 });
        }
      }
      gateway.child.kill('SIGTERM');
      // The last request had only just reached the slow upstream: the signal came while it was in flight.
      expect(sent[sent.length - 1]!.settled).toBe(false);
      // The listener closes soon after the signal (probed on fresh connections, outside the GraphQL log).
      await eventually(() => expect(send(gateway.url.replace('/graphql', '/healthz'), { method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' }), { timeoutMs: 10_000 });

      // New connections after the signal are refused, while the old requests are still in flight.
      const late = await Promise.allSettled(Array.from({ length: 10 }, () => send(gateway.url, { body: JSON.stringify({ query: '{ __typename }' }) })));
      for (const outcome of late) {
        expect(outcome.status).toBe('rejected');
        if (outcome.status === 'rejected') expect((outcome.reason as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      }

      const answers = await Promise.all(sent.map((s) => s.answer));
      answers.forEach((res, i) => {
        expect(res.status).toBe(200);
        const body = JSON.parse(res.text) as { data?: Record<string, unknown>; errors?: unknown[] };
        expect(body.errors).toBeUndefined();
        expect(sent[i]!.spec.count(body.data!)).toBe(sent[i]!.spec.expected);
      });

      expect(await gateway.exited).toEqual({ code: 0, signal: null });
      const messages = gateway.logs().map((l) => String(l.msg));
      expect(messages).toContain('shutdown complete');
      const served = gateway.logs().filter((l) => l.msg === 'graphql request');
      expect(served).toHaveLength(sent.length);
      expect(served.every((l) => l.status === 200 && l.aborted === undefined)).toBe(true);
    } finally {
      await gateway.stop('SIGKILL');
      await fetch(`${simulator.url}/__sim/faults`, { method: 'DELETE' });
    }
  });
});

// Sums the simulator's counts of the three read operations.
async function upstreamCalls(simulator: Simulator): Promise<number> {
  const stats = (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as { requests: Record<string, number> };
  return (stats.requests[OPS.urlTasks] ?? 0) + (stats.requests[OPS.historyTasks] ?? 0);
}
