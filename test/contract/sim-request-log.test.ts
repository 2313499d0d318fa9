/**
 * The simulator's request log (`GET /__sim/requests`), which the wire contract tests read:
 * API requests as received (method, path, decoded query, body), oldest first, bounded, and
 * cleared by a reset; control calls and unknown APIs are not logged. And its arrival log
 * (`GET /__sim/arrivals`): each API call's operation, arrival time and answered status.
 */
import { createSimulator, type Simulator } from '../../src/simulator';
import { REQUEST_LOG_SIZE } from '../../src/simulator/request-log';
import { api, control, send } from '../support/sim-api';
import { receivedRequests } from './support/sim-requests';

const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
let sim: Simulator;

beforeAll(async () => {
  sim = await createSimulator({ port: 0, quiet: true, records: 500, rateLimits: UNLIMITED });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control(sim, 'POST', '/__sim/reset');
});

describe('GET /__sim/requests', () => {
  it('lists API requests as received, oldest first, and nothing else', async () => {
    await api(sim, 'GET', '/v1.0/cdn/historytasks', { query: { file_type: 'file', enterprise_project_id: 'a b/主' } });
    await control(sim, 'GET', '/__sim/stats');
    await api(sim, 'GET', '/v1.0/cdn/no-such-api');
    await api(sim, 'POST', '/v1.0/cdn/content/preheating-tasks', { body: { preheating_task: { urls: ['https://log.example/a.js'] } } });
    await send(sim, 'GET', '/v1.0/cdn/contentgateway/url-tasks?limit=1&limit=2', {});
    expect(await receivedRequests(sim.url)).toEqual([
      { method: 'GET', path: '/v1.0/cdn/historytasks', query: { file_type: 'file', enterprise_project_id: 'a b/主' }, body: null },
      { method: 'POST', path: '/v1.0/cdn/content/preheating-tasks', query: {}, body: '{"preheating_task":{"urls":["https://log.example/a.js"]}}' },
      { method: 'GET', path: '/v1.0/cdn/contentgateway/url-tasks', query: { limit: ['1', '2'] }, body: null },
    ]);
    await control(sim, 'POST', '/__sim/reset');
    expect(await receivedRequests(sim.url)).toEqual([]);
  });

  it(`keeps the last ${REQUEST_LOG_SIZE} requests`, async () => {
    for (let offset = 0; offset < REQUEST_LOG_SIZE + 5; offset++) await send(sim, 'GET', `/v1.0/cdn/contentgateway/url-tasks?offset=${offset}`, {});
    const received = await receivedRequests(sim.url);
    expect(received).toHaveLength(REQUEST_LOG_SIZE);
    expect([received[0]!.query.offset, received.at(-1)!.query.offset]).toEqual(['5', String(REQUEST_LOG_SIZE + 4)]);
  });
});

describe('GET /__sim/arrivals', () => {
  type Arrival = { operation: string; at: number; status: number };
  const arrivals = async (): Promise<Arrival[]> => (await control(sim, 'GET', '/__sim/arrivals')).json.arrivals;

  it('lists each API call with its operation, arrival time on the rate-limit clock and answered status (429 when throttled), oldest first', async () => {
    await control(sim, 'PUT', '/__sim/faults', { rateLimits: { 'url-tasks': 1 } });
    await api(sim, 'GET', '/v1.0/cdn/historytasks', { query: { file_type: 'file' } });
    await api(sim, 'GET', '/v1.0/cdn/contentgateway/url-tasks');
    const throttled = await api(sim, 'GET', '/v1.0/cdn/contentgateway/url-tasks');
    await api(sim, 'GET', '/v1.0/cdn/no-such-api');
    await control(sim, 'PUT', '/__sim/faults', { resetRate: 1, rateLimits: { 'url-tasks': 0 } });
    await api(sim, 'GET', '/v1.0/cdn/contentgateway/url-tasks').catch(() => undefined);
    await control(sim, 'DELETE', '/__sim/faults');
    expect(throttled.status).toBe(429);
    // No Retry-After unless the fault configuration asks for one (Huawei's is not documented to send it).
    expect(throttled.headers['retry-after']).toBeUndefined();
    const seen = await arrivals();
    expect(seen.map(({ operation, status }) => [operation, status])).toEqual([
      ['historytasks', 200],
      ['url-tasks', 200],
      ['url-tasks', 429],
      ['url-tasks', 0],
    ]);
    const times = seen.map((a) => a.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    await control(sim, 'POST', '/__sim/reset');
    expect(await arrivals()).toEqual([]);
  });
});
