/** The shared state's fallback: which parts serve from this replica's memory, one report per transition, and how /readyz says it. */
import { describeSharedState } from '../../src/http/readiness';
import { createReadiness } from '../../src/http/readiness';
import { createFallbackTracker, type FallbackChange } from '../../src/state/fallback';
import { createMemoryState, type SharedPart } from '../../src/state/index';

function tracked() {
  const changes: FallbackChange[] = [];
  const tracker = createFallbackTracker((c) => changes.push(c));
  return { tracker, changes };
}

describe('createFallbackTracker', () => {
  it('starts local, and reports nothing for the first connection (start-up is no recovery)', () => {
    const { tracker, changes } = tracked();
    expect(tracker.local()).toEqual(['cache', 'limiter', 'idempotency', 'pollers']);
    tracker.connectionUp();
    expect(tracker.local()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('reports a lost connection once for every part, and its return once', () => {
    const { tracker, changes } = tracked();
    tracker.connectionUp();
    tracker.connectionDown('connect ECONNREFUSED');
    tracker.connectionDown('connect ECONNREFUSED');
    tracker.failed('cache', 'Connection is closed.');
    expect(tracker.local()).toEqual(['cache', 'limiter', 'idempotency', 'pollers']);
    tracker.connectionUp();
    expect(tracker.local()).toEqual([]);
    expect(changes).toEqual([
      { parts: ['cache', 'limiter', 'idempotency', 'pollers'], local: true, reason: 'connect ECONNREFUSED' },
      { parts: ['cache', 'limiter', 'idempotency', 'pollers'], local: false },
    ]);
  });

  it('takes one part local on a failed command until one of its commands succeeds, leaving the others shared', () => {
    const { tracker, changes } = tracked();
    tracker.connectionUp();
    tracker.failed('idempotency', 'Command timed out');
    tracker.failed('idempotency', 'Command timed out');
    tracker.succeeded('cache');
    expect(tracker.local()).toEqual(['idempotency']);
    tracker.succeeded('idempotency');
    expect(tracker.local()).toEqual([]);
    expect(changes).toEqual([
      { parts: ['idempotency'], local: true, reason: 'Command timed out' },
      { parts: ['idempotency'], local: false },
    ]);
  });

  it('survives a throwing hook', () => {
    const tracker = createFallbackTracker(() => {
      throw new Error('broken hook');
    });
    tracker.connectionUp();
    expect(() => tracker.connectionDown('gone')).not.toThrow();
    expect(tracker.local()).toHaveLength(4);
  });
});

describe('/readyz shared state', () => {
  it('is degraded only when parts Redis should share fall back, and names them', () => {
    expect(describeSharedState({ kind: 'redis', local: [] })).toEqual({ store: 'redis', degraded: false, local: [] });
    expect(describeSharedState({ kind: 'redis', local: ['idempotency'] })).toEqual({
      store: 'redis',
      degraded: true,
      local: ['idempotency'],
      message: "Redis is unreachable or failing: idempotency run on this replica's memory, not shared with other replicas, until it answers again (the gateway keeps serving).",
    });
    // Memory is this replica's by configuration: everything is local, nothing degraded.
    expect(describeSharedState(createMemoryState({ cacheMaxBytes: 1024 }).status())).toEqual({ store: 'memory', degraded: false, local: ['cache', 'limiter', 'idempotency', 'pollers'] });
  });

  it('keeps a degraded gateway ready, with the shared state in the body', async () => {
    let local: SharedPart[] = ['cache', 'limiter', 'idempotency', 'pollers'];
    const readiness = createReadiness({
      probes: [{ operation: 'url-tasks', probe: () => Promise.resolve() }],
      ttlMs: 10_000,
      probeTimeoutMs: 1000,
      sharedState: () => ({ kind: 'redis', local }),
    });
    expect(await readiness.check()).toMatchObject({ ready: true, status: 'ready', sharedState: { store: 'redis', degraded: true, local } });
    local = [];
    expect(await readiness.check()).toMatchObject({ ready: true, sharedState: { degraded: false, local: [] } });
  });
});
