/**
 * Graceful shutdown of the real process: on SIGTERM it stops accepting, finishes the request
 * in flight, then exits 0. It listens on all interfaces here (traffic stays on loopback), which
 * without caller authentication must draw the start-up warning.
 */
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { eventually } from '../support/eventually';
import { spawnGateway } from './support/process';

describe('SIGTERM', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await createSimulator({ port: 0, quiet: true, records: 2000 });
  });
  afterAll(() => simulator.close());

  const urlTasksCalls = async (): Promise<number> => {
    const stats = (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as { requests: Record<string, number> };
    return stats.requests['GET /v1.0/cdn/contentgateway/url-tasks'] ?? 0;
  };

  it('refuses new connections, lets the slow in-flight request finish, and exits 0', async () => {
    const gateway = await spawnGateway({ PORT: '0', HOST: '0.0.0.0', CDN_ENDPOINT: simulator.url, LOG_LEVEL: 'info' });
    // The warning follows the ready line, possibly in a later chunk of the child's output.
    const isWarning = (l: { level?: unknown; msg?: unknown }) => l.level === 40 && String(l.msg).startsWith('HOST=0.0.0.0 accepts connections from other machines');
    const warning = await eventually(() => {
      const line = gateway.logs().find(isWarning);
      expect(line).toBeDefined();
      return line;
    });
    expect(warning?.msg).toMatch(/Set AUTH_MODE=api-key/);
    await fetch(`${simulator.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 1500, operations: ['url-tasks'] }) });
    const inFlight = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ urlTasks(first: 2) { nodes { url } } }' }),
    });
    // Signal only once the request is surely in flight: the simulator has received its upstream call.
    await eventually(async () => expect(await urlTasksCalls()).toBeGreaterThan(0), { timeoutMs: 10_000 });
    gateway.child.kill('SIGTERM');
    // The listener closes soon after the signal, while the request above is still being served.
    await eventually(() => expect(fetch(gateway.url.replace('/graphql', '/healthz'))).rejects.toThrow());

    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { urlTasks: { nodes: unknown[] } } };
    expect(body.data?.urlTasks.nodes).toHaveLength(2);

    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    const messages = gateway.logs().map((l) => l.msg);
    expect(messages).toContain('shutdown complete');
    expect(messages.indexOf('shutdown complete')).toBeGreaterThan(messages.indexOf('graphql request'));
    await fetch(`${simulator.url}/__sim/faults`, { method: 'DELETE' });
  });
});
