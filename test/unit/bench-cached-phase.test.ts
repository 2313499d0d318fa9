/**
 * The bench's cached phase (C1, issue 16): S1's query, always the same page, from many
 * connections, against a gateway whose only other setting is the response cache at its
 * default; its figures reported as ratios against B2 from the same run.
 */
import { CACHED_GATEWAY, cachedConnections, cachedGatewaySettings, cachedPhase, cachedRatios, formatCachedRatios } from '../../bench/lib/cached-phase';
import { computeRatios, formatReport, summarize, type PhaseRun } from '../../bench/lib/figures';
import { definePhases, planBenchData } from '../../bench/lib/scenarios';
import { loadConfig } from '../../src/config';

const run = (id: string, over: Partial<PhaseRun> = {}): PhaseRun => ({
  id,
  round: 1,
  mode: 'max',
  requests: 1000,
  sent: 1000,
  durationS: 10,
  rps: 100,
  p50Ms: 10,
  p90Ms: 20,
  p99Ms: 30,
  maxMs: 40,
  errors: 0,
  non2xx: 0,
  mismatches: 0,
  cpuMsPerRequest: 1,
  simCpuMsPerRequest: 0.2,
  loadgenCpuMsPerRequest: 0.1,
  peakRssMb: 100,
  upstreamCallsPerRequest: 1,
  ...over,
});
const describe_ = (id: string) => ({ title: `title of ${id}`, minUpstreamCalls: id === 'C1' ? 0 : 1 });

describe('the C1 phase', () => {
  const phases = definePhases(planBenchData(Date.UTC(2026, 0, 10)));
  const s1 = phases.S1!;

  it("asks S1's first page every time, with S1's checks, from the cached gateway and its own connections", () => {
    const c1 = cachedPhase(s1, 50);
    expect(c1).toMatchObject({ id: 'C1', server: CACHED_GATEWAY, connections: 50, minUpstreamCalls: 0 });
    const bodies = [0, 1, 7, 123].map((i) => c1.request(i, 'h').body);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toBe(s1.request(0, 'h').body);
    // S1 itself varies its range request by request; C1 must not.
    expect(s1.request(1, 'h').body).not.toBe(s1.request(0, 'h').body);
    expect(c1.verify).toBe(s1.verify);
  });

  it('leaves the cache to the gateway default and keeps every other setting', () => {
    const settings = { CACHE_TTL_MS: '0', RATE_LIMIT_URL_TASKS: '0', LOG_LEVEL: 'info' };
    expect(cachedGatewaySettings(settings)).toEqual({ RATE_LIMIT_URL_TASKS: '0', LOG_LEVEL: 'info' });
    expect(settings.CACHE_TTL_MS).toBe('0');
    // The default is a cache that is on.
    expect(loadConfig({ CDN_ENDPOINT: 'http://127.0.0.1:9100' }).cacheTtlMs).toBeGreaterThan(0);
  });

  it('reads BENCH_CACHED_CONNECTIONS, 50 by default, refusing what is not a whole number of at least one', () => {
    expect(cachedConnections({})).toBe(50);
    expect(cachedConnections({ BENCH_CACHED_CONNECTIONS: '200' })).toBe(200);
    for (const bad of ['0', '-3', '2.5', 'many']) expect(() => cachedConnections({ BENCH_CACHED_CONNECTIONS: bad })).toThrow('BENCH_CACHED_CONNECTIONS must be a whole number ≥ 1');
  });
});

describe('C1 against B2', () => {
  const runs = [
    run('B2', { rps: 1000, cpuMsPerRequest: 0.5, upstreamCallsPerRequest: 1 }),
    run('C1', { rps: 4000, cpuMsPerRequest: 0.25, upstreamCallsPerRequest: 0.0002 }),
  ];

  it('divides C1 throughput and CPU per request by B2 and reports its upstream calls per request', () => {
    const summaries = summarize(runs, describe_);
    expect(cachedRatios(summaries)).toEqual({ c1OverB2Rps: 4, c1OverB2Cpu: 0.5, c1UpstreamCallsPerRequest: 0.0002 });
    expect(computeRatios(summaries)).toMatchObject({ c1OverB2Rps: 4, c1OverB2Cpu: 0.5 });
  });

  it('adds one line to the report when C1 ran, none otherwise, and a dash for a ratio without B2', () => {
    const withC1 = formatReport(summarize(runs, describe_));
    expect(withC1).toContain('Cached path (C1 against B2, same run): throughput 4.00 × B2, server CPU per request 0.50 × B2, upstream calls per request 0.0002');
    expect(withC1).toContain('| C1 |');
    expect(formatReport(summarize([runs[0]!], describe_))).not.toContain('Cached path');
    expect(formatCachedRatios(summarize([runs[1]!], describe_))).toEqual([expect.stringContaining('throughput – × B2, server CPU per request – × B2')]);
  });
});
