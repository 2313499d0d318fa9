/** Snapshot flattening (names, types, labels, units) and the allowlisted operation label. */
import { createMetrics, flattenSnapshot } from '../../src/http/metrics';
import { createOperationLabeler, findOperationNameProblems, MAX_LISTED_OPERATION_NAMES } from '../../src/http/operation-label';
import { loadConfig } from '../../src/config';
import { fixedSecret, problemsOf } from '../support/config-problems';

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
  it('labels listed names by name, marks anonymous and invalid ones, and counts every other name as other', () => {
    const label = createOperationLabeler(['A', 'B']);
    expect([label(null), label(undefined), label(''), label('has space'), label('A'), label('C'), label('B'), label('A')]).toEqual([
      'anonymous',
      'anonymous',
      'anonymous',
      'invalid',
      'A',
      'other',
      'B',
      'A',
    ]);
  });

  it('never freezes: a listed name keeps its label after any number of unlisted ones', () => {
    const label = createOperationLabeler(['Late']);
    for (let i = 0; i < 1000; i++) expect(label(`Random${i}`)).toBe('other');
    expect(label('Late')).toBe('Late');
  });

  it('returns only listed names or the three fixed values, whatever the input', () => {
    const label = createOperationLabeler(['Ok', 'other', 'not valid', 'x'.repeat(65)]);
    const inputs = ['Ok', 'other', 'not valid', 'x'.repeat(65), 'x'.repeat(900_000), 'ünïcode', 'a\u0000b', '__proto__', 'constructor'];
    expect(inputs.map(label)).toEqual(['Ok', 'other', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'other', 'other']);
  });
});

describe('findOperationNameProblems', () => {
  it('accepts GraphQL names of up to 64 characters', () => {
    expect(findOperationNameProblems(['RecentTasks', '_private', 'a'.repeat(64)])).toEqual([]);
  });

  it('refuses non-names, overlong names, the fixed labels and overlong lists, naming each', () => {
    expect(findOperationNameProblems(['ok', '1abc', 'a'.repeat(65), 'other'])).toEqual([
      'name #2 "1abc" is not a GraphQL operation name of at most 64 characters (a letter or _, then letters, digits or _)',
      `name #3 ${JSON.stringify('a'.repeat(40))}… is not a GraphQL operation name of at most 64 characters (a letter or _, then letters, digits or _)`,
      'name #4 "other" is a label the gateway uses itself (anonymous, invalid, other); rename the operation',
    ]);
    const many = Array.from({ length: MAX_LISTED_OPERATION_NAMES + 1 }, (_, i) => `Op${i}`);
    expect(findOperationNameProblems(many)).toEqual([`lists ${MAX_LISTED_OPERATION_NAMES + 1} names; at most ${MAX_LISTED_OPERATION_NAMES} are allowed (each adds series to every GraphQL metric)`]);
  });
});

describe('METRICS_OPERATION_NAMES', () => {
  it('defaults to no name: every named operation counts as other', () => {
    expect(loadConfig({}, fixedSecret).metricsOperationNames).toEqual([]);
  });

  it('reads a comma-separated list, trimmed and without repeats', () => {
    expect(loadConfig({ METRICS_OPERATION_NAMES: ' RecentTasks, Refresh ,,RecentTasks' }, fixedSecret).metricsOperationNames).toEqual(['RecentTasks', 'Refresh']);
  });

  it('reports a bad name alongside the other problems', () => {
    expect(problemsOf({ METRICS_OPERATION_NAMES: 'Good,bad-name', PORT: 'x' })).toEqual([
      'PORT: must be a whole number from 0 to 65535 (got "x")',
      'METRICS_OPERATION_NAMES: name #2 "bad-name" is not a GraphQL operation name of at most 64 characters (a letter or _, then letters, digits or _) (got "Good,bad-name")',
    ]);
  });
});
