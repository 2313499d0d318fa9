/** Snapshot flattening (names, types, labels, units) and the bounded operation label. */
import { createMetrics, createOperationLabeler, flattenSnapshot } from '../../src/http/metrics';

describe('flattenSnapshot', () => {
  it('maps an economy snapshot to counters, gauges, seconds and an operation label, without double-counting aggregates', () => {
    const samples = flattenSnapshot({
      state: 'redis',
      cache: { hits: 4, misses: 1, entries: 9, bytes: 2048 },
      coalesce: { shared: 6, coalesced: 2 },
      limiter: {
        queueLength: 3,
        queued: 5,
        waitMsTotal: 2500,
        waitMsMax: 900,
        byOperation: { 'url-tasks': { queueLength: 2, queued: 4, waitMsTotal: 2000, waitMsMax: 900 }, detail: { queueLength: 1, queued: 1, waitMsTotal: 500, waitMsMax: 500 } },
      },
      stateErrors: 0,
    });
    const byName = (name: string) => samples.filter((s) => s.name === name);
    expect(byName('gateway_cache_hits_total')).toEqual([{ name: 'gateway_cache_hits_total', kind: 'counter', labels: {}, value: 4 }]);
    expect(byName('gateway_cache_entries')[0]?.kind).toBe('gauge');
    expect(byName('gateway_coalesce_coalesced_total')[0]?.value).toBe(2);
    expect(byName('gateway_limiter_queue_length')).toEqual([
      { name: 'gateway_limiter_queue_length', kind: 'gauge', labels: { operation: 'url-tasks' }, value: 2 },
      { name: 'gateway_limiter_queue_length', kind: 'gauge', labels: { operation: 'detail' }, value: 1 },
    ]);
    expect(byName('gateway_limiter_wait_seconds_total').map((s) => [s.kind, s.value])).toEqual([
      ['counter', 2],
      ['counter', 0.5],
    ]);
    expect(byName('gateway_limiter_wait_seconds_max')[0]?.kind).toBe('gauge');
    expect(byName('gateway_state_errors_total')[0]?.kind).toBe('counter');
    expect(byName('gateway_economy_info')).toEqual([{ name: 'gateway_economy_info', kind: 'gauge', labels: { state: 'redis' }, value: 1 }]);
  });

  it('ignores non-finite numbers and nested strings', () => {
    expect(flattenSnapshot({ a: { b: 'x', c: Number.NaN }, d: 1 })).toEqual([{ name: 'gateway_d', kind: 'gauge', labels: {}, value: 1 }]);
  });
});

describe('registerSnapshot', () => {
  it('keeps serving the other metrics when the snapshot starts failing', async () => {
    const metrics = createMetrics({ processMetrics: false });
    let fail = false;
    metrics.registerSnapshot(() => {
      if (fail) throw new Error('redis down');
      return { cache: { hits: 1 } };
    });
    fail = true;
    const text = await metrics.render();
    expect(text).toMatch(/^gateway_cache_hits_total 0$/m);
    expect(text).toContain('gateway_graphql_requests_total');
  });
});

describe('createOperationLabeler', () => {
  it('keeps valid names, marks anonymous and invalid ones, and caps distinct names', () => {
    const label = createOperationLabeler(2);
    expect([label(null), label(''), label('has space'), label('A'), label('B'), label('C'), label('A')]).toEqual(['anonymous', 'anonymous', 'invalid', 'A', 'B', 'other', 'A']);
  });
});
