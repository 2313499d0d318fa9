/** Readiness verdicts: per operation, traffic first, one probe per period, shared by concurrent checks, shutdown. */
import type { OperationName } from '../../src/cdn/operations';
import { GatewayError } from '../../src/errors';
import { createReadiness } from '../../src/http/readiness';

type Outcome = () => Promise<unknown>;
const ok: Outcome = () => Promise.resolve();

function setup(outcomes: { 'url-tasks'?: Outcome; historytasks?: Outcome } = {}) {
  let clock = 1_000_000;
  const lastSuccess = new Map<OperationName, number>();
  const probes = { 'url-tasks': 0, historytasks: 0 };
  const readiness = createReadiness({
    probes: (['url-tasks', 'historytasks'] as const).map((operation) => ({
      operation,
      probe: () => {
        probes[operation]++;
        return (outcomes[operation] ?? ok)();
      },
    })),
    ttlMs: 10_000,
    probeTimeoutMs: 1_000,
    lastSuccessAt: (operation) => lastSuccess.get(operation),
    now: () => clock,
  });
  return {
    readiness,
    probes: () => ({ ...probes }),
    advance: (ms: number) => (clock += ms),
    sawSuccess: (...operations: OperationName[]) => operations.forEach((op) => lastSuccess.set(op, clock)),
  };
}

describe('createReadiness', () => {
  it('trusts recent traffic of each operation without probing it', async () => {
    const t = setup();
    t.sawSuccess('url-tasks', 'historytasks');
    t.advance(9_000);
    expect(await t.readiness.check()).toMatchObject({ ready: true, source: 'traffic' });
    expect(t.probes()).toEqual({ 'url-tasks': 0, historytasks: 0 });
  });

  it('probes an operation without traffic of its own: historytasks traffic says nothing of url-tasks', async () => {
    const t = setup();
    t.sawSuccess('historytasks');
    const report = await t.readiness.check();
    expect(report).toMatchObject({ ready: true, source: 'probe' });
    expect(report.checks?.map((c) => [c.operation, c.source])).toEqual([
      ['url-tasks', 'probe'],
      ['historytasks', 'traffic'],
    ]);
    expect(t.probes()).toEqual({ 'url-tasks': 1, historytasks: 0 });
  });

  it('probes each operation once per period, and concurrent checks share the probes', async () => {
    const t = setup();
    const reports = await Promise.all(Array.from({ length: 20 }, () => t.readiness.check()));
    expect(new Set(reports.map((r) => r.source))).toEqual(new Set(['probe']));
    t.advance(9_999);
    await Promise.all([t.readiness.check(), t.readiness.check()]);
    expect(t.probes()).toEqual({ 'url-tasks': 1, historytasks: 1 });
    t.advance(1);
    await Promise.all([t.readiness.check(), t.readiness.check()]);
    expect(t.probes()).toEqual({ 'url-tasks': 2, historytasks: 2 });
  });

  it('is unready when url-tasks fails although historytasks answers, naming the operation, its code and message', async () => {
    const refusal = new GatewayError('UPSTREAM_FORBIDDEN', 'Listing URL tasks failed: the CDN API answered HTTP 403 CDN.0004. Submit a service ticket.');
    const t = setup({ 'url-tasks': () => Promise.reject(refusal) });
    t.sawSuccess('historytasks');
    expect(await t.readiness.check()).toMatchObject({
      ready: false,
      status: 'unready',
      source: 'probe',
      operation: 'url-tasks',
      code: 'UPSTREAM_FORBIDDEN',
      message: refusal.message,
    });
  });

  it('names the failing operation when only historytasks fails (e.g. a missing enterprise project)', async () => {
    const t = setup({ historytasks: () => Promise.reject(new GatewayError('UPSTREAM_FORBIDDEN', 'set HUAWEICLOUD_ENTERPRISE_PROJECT_ID')) });
    expect(await t.readiness.check()).toMatchObject({ ready: false, operation: 'historytasks', code: 'UPSTREAM_FORBIDDEN' });
  });

  it('reports the code of a failed probe, keeps the verdict for the period, and lets newer traffic of that operation override it', async () => {
    const t = setup({ 'url-tasks': () => Promise.reject(new GatewayError('UPSTREAM_UNAUTHORIZED')) });
    expect(await t.readiness.check()).toMatchObject({ ready: false, status: 'unready', operation: 'url-tasks', code: 'UPSTREAM_UNAUTHORIZED' });
    t.advance(1_000);
    t.sawSuccess('historytasks');
    expect(await t.readiness.check()).toMatchObject({ ready: false, operation: 'url-tasks' });
    expect(t.probes()['url-tasks']).toBe(1);
    t.sawSuccess('url-tasks');
    expect(await t.readiness.check()).toMatchObject({ ready: true, source: 'traffic' });
  });

  it('keeps an unexpected failure\'s details out of the report', async () => {
    const t = setup({ 'url-tasks': () => Promise.reject(new TypeError('secret internals')) });
    const report = await t.readiness.check();
    expect(report).toMatchObject({ ready: false, code: 'INTERNAL_SERVER_ERROR', message: 'The readiness probe failed unexpectedly; see the gateway logs.' });
  });

  it('stays ready when the upstream only throttles a probe, and says so in the check', async () => {
    const t = setup({ 'url-tasks': () => Promise.reject(new GatewayError('UPSTREAM_RATE_LIMITED')) });
    const report = await t.readiness.check();
    expect(report).toMatchObject({ ready: true, status: 'ready' });
    expect(report.checks?.[0]).toMatchObject({ operation: 'url-tasks', ready: true, code: 'UPSTREAM_RATE_LIMITED' });
  });

  it('answers shutting-down after markShuttingDown, even with fresh traffic', async () => {
    const t = setup();
    t.sawSuccess('url-tasks', 'historytasks');
    t.readiness.markShuttingDown();
    expect(await t.readiness.check()).toMatchObject({ ready: false, status: 'shutting-down' });
  });
});
