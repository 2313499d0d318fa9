/** Readiness verdicts: traffic first, one probe per period, shared by concurrent checks, shutdown. */
import { GatewayError } from '../../src/errors';
import { createReadiness } from '../../src/http/readiness';

function setup(outcome: () => Promise<unknown>) {
  let clock = 1_000_000;
  let lastSuccess: number | undefined;
  let probes = 0;
  const readiness = createReadiness({
    probe: () => {
      probes++;
      return outcome();
    },
    ttlMs: 10_000,
    probeTimeoutMs: 1_000,
    lastSuccessAt: () => lastSuccess,
    now: () => clock,
  });
  return {
    readiness,
    probes: () => probes,
    advance: (ms: number) => (clock += ms),
    sawSuccess: () => (lastSuccess = clock),
  };
}

describe('createReadiness', () => {
  it('trusts recent traffic without probing', async () => {
    const t = setup(() => Promise.resolve());
    t.sawSuccess();
    t.advance(9_000);
    expect(await t.readiness.check()).toMatchObject({ ready: true, source: 'traffic' });
    expect(t.probes()).toBe(0);
  });

  it('probes once per period, and concurrent checks share the probe', async () => {
    const t = setup(() => Promise.resolve());
    const reports = await Promise.all([t.readiness.check(), t.readiness.check(), t.readiness.check()]);
    expect(reports.map((r) => r.source)).toEqual(['probe', 'probe', 'probe']);
    t.advance(9_999);
    await t.readiness.check();
    expect(t.probes()).toBe(1);
    t.advance(1);
    await t.readiness.check();
    expect(t.probes()).toBe(2);
  });

  it('reports the code of a failed probe, keeps the verdict for the period, and lets newer traffic override it', async () => {
    const t = setup(() => Promise.reject(new GatewayError('UPSTREAM_UNAUTHORIZED')));
    expect(await t.readiness.check()).toMatchObject({ ready: false, status: 'unready', code: 'UPSTREAM_UNAUTHORIZED' });
    t.advance(1_000);
    expect(await t.readiness.check()).toMatchObject({ ready: false });
    expect(t.probes()).toBe(1);
    t.sawSuccess();
    expect(await t.readiness.check()).toMatchObject({ ready: true, source: 'traffic' });
  });

  it('stays ready when the upstream only throttles the probe', async () => {
    const t = setup(() => Promise.reject(new GatewayError('UPSTREAM_RATE_LIMITED')));
    expect(await t.readiness.check()).toMatchObject({ ready: true, code: 'UPSTREAM_RATE_LIMITED' });
  });

  it('answers shutting-down after markShuttingDown, even with fresh traffic', async () => {
    const t = setup(() => Promise.resolve());
    t.sawSuccess();
    t.readiness.markShuttingDown();
    expect(await t.readiness.check()).toMatchObject({ ready: false, status: 'shutting-down' });
  });
});
