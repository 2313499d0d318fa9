/**
 * The simulator's request log (`GET /__sim/requests`), which the wire contract tests read:
 * API requests as received (method, path, decoded query, body), oldest first, bounded, and
 * cleared by a reset; control calls and unknown APIs are not logged.
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
