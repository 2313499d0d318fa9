/**
 * The bench compares like with like: on the bench's data, the undici pass-through (B2) and the
 * plain Apollo Server (B3) answer the same JSON data as the gateway for the page scenario, B3
 * also for the page with tasks, and each costs the upstream calls the bench expects of it
 * (one page call; B3 one detail call per record where the gateway batches per task).
 */
import { isDeepStrictEqual } from 'node:util';
import { startPassthrough, type BaselineServer } from '../../bench/baselines/passthrough';
import { startPlainApollo } from '../../bench/baselines/plain-apollo';
import { definePhases, planBenchData, type Phase } from '../../bench/lib/scenarios';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK } from '../../src/config';
import { startStack, type Stack } from '../support/stack';

const data = planBenchData(Date.now(), 2);
const phases = definePhases(data);
const credentials = { ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK };
let stack: Stack;
let passthrough: BaselineServer;
let plainApollo: BaselineServer;

beforeAll(async () => {
  stack = await startStack({ simulator: { now: () => data.simNow, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0 } }, env: { CACHE_TTL_MS: '0' } });
  for (const insert of data.inserts) await stack.sim('POST', '/__sim/url-tasks', insert);
  passthrough = await startPassthrough({ endpoint: stack.simulator.url, credentials });
  plainApollo = await startPlainApollo({ endpoint: stack.simulator.url, credentials });
});

afterAll(async () => {
  await passthrough?.close();
  await plainApollo?.close();
  await stack?.close();
});

// Sends a phase's first request to a server and returns the parsed answer and the upstream calls it cost.
async function answer(phase: Phase, url: string): Promise<{ body: unknown; calls: number; verified: boolean }> {
  const request = phase.request(0, new URL(url).host);
  const before = await stack.upstreamCalls();
  const res = await fetch(url, { method: request.method, headers: request.headers, body: request.body });
  const text = await res.text();
  expect(res.status).toBe(200);
  return { body: JSON.parse(text), calls: (await stack.upstreamCalls()) - before, verified: phase.verify(text) };
}

it('B2 and B3 answer the page with the data the gateway answers, each with one upstream call', async () => {
  const gateway = await answer(phases.S1!, stack.url);
  const b2 = await answer(phases.B2!, passthrough.url);
  const b3 = await answer(phases.B3!, plainApollo.url);
  expect(gateway).toMatchObject({ calls: 1, verified: true });
  expect(b2).toMatchObject({ calls: 1, verified: true });
  expect(b3).toMatchObject({ calls: 1, verified: true });
  expect(isDeepStrictEqual(b2.body, gateway.body)).toBe(true);
  expect(isDeepStrictEqual(b3.body, gateway.body)).toBe(true);
  // Every kind of record the bench inserted shows up: files and directories, with and without a mode.
  const nodes = (gateway.body as { data: { urlTasks: { nodes: Array<{ fileType: string; mode: string | null }> } } }).data.urlTasks.nodes;
  expect(new Set(nodes.map((n) => n.fileType))).toEqual(new Set(['FILE', 'DIRECTORY']));
  expect(new Set(nodes.map((n) => n.mode))).toEqual(new Set([null, 'ALL']));
});

it('B3 answers the page with tasks like the gateway, at one detail call per record instead of one per task', async () => {
  const gateway = await answer(phases.S2!, stack.url);
  const b3 = await answer(phases['B3/S2']!, plainApollo.url);
  expect(gateway).toMatchObject({ calls: 11, verified: true });
  expect(b3).toMatchObject({ calls: 101, verified: true });
  expect(isDeepStrictEqual(b3.body, gateway.body)).toBe(true);
});
