/**
 * The bench's arithmetic: medians, summaries over rounds, ratios against the baselines, the
 * targets of issue 6 (a fixed-rate run that could not keep its rate fails its target), and
 * the report's tables.
 */
import { computeRatios, evaluateTargets, formatReport, isSustained, median, summarize, type PhaseRun, type PhaseSummary } from '../../bench/lib/figures';

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

const describe_ = (id: string) => ({ title: `title of ${id}`, minUpstreamCalls: id === 'S2' ? 11 : id === 'S4' ? 0 : 1 });

const summary = (id: string, over: Partial<PhaseSummary> = {}): PhaseSummary => ({ ...summarize([run(id)], describe_)[0]!, ...over });

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarize', () => {
  it('takes medians over rounds, sums every kind of error and keeps the largest RSS, per phase and mode', () => {
    const runs = [
      run('S1', { round: 1, rps: 100, p99Ms: 50, errors: 1, peakRssMb: 120 }),
      run('S1', { round: 2, rps: 300, p99Ms: 10, non2xx: 2, peakRssMb: 140 }),
      run('S1', { round: 3, rps: 200, p99Ms: 30, mismatches: 3, peakRssMb: 130 }),
      run('S1', { mode: 'fixed', rate: 150, rps: 150, p99Ms: 5 }),
    ];
    const [max, fixed] = summarize(runs, describe_);
    expect(max).toMatchObject({ id: 'S1', mode: 'max', rounds: 3, rps: 200, p99Ms: 30, errors: 6, peakRssMb: 140, requests: 3000, title: 'title of S1', minUpstreamCalls: 1 });
    expect(fixed).toMatchObject({ id: 'S1', mode: 'fixed', rate: 150, rounds: 1, p99Ms: 5 });
  });
});

describe('ratios and targets', () => {
  const passing = [
    summary('S1', { rps: 800, upstreamCallsPerRequest: 1, peakRssMb: 120 }),
    summary('B2', { rps: 1000 }),
    summary('B3', { rps: 190 }),
    summary('S2', { upstreamCallsPerRequest: 11 }),
    summary('S1', { mode: 'fixed', rate: 500, rps: 499, p99Ms: 12 }),
    summary('B2', { mode: 'fixed', rate: 500, rps: 500, p99Ms: 10 }),
  ];

  it('compares S1 with B2 and B3, and the fixed-rate p99s', () => {
    expect(computeRatios(passing)).toEqual({ s1OverB2: 0.8, s1OverB3: 800 / 190, fixedP99S1OverB2: 1.2 });
    expect(computeRatios([summary('S1')])).toEqual({ s1OverB2: undefined, s1OverB3: undefined, fixedP99S1OverB2: undefined });
  });

  it('meets every target when the figures do', () => {
    const verdicts = evaluateTargets(passing);
    expect(verdicts.map((v) => v.target)).toEqual([
      'S1 throughput ≥ 0.7 × B2',
      'S1 throughput ≥ 4 × B3',
      'S1 p99 at the fixed rate ≤ 1.5 × B2',
      'S1 upstream calls/request at the minimum (1)',
      'S2 upstream calls/request at the minimum (11)',
      'gateway RSS ≤ 150 MB',
    ]);
    expect(verdicts.every((v) => v.met)).toBe(true);
  });

  it('misses each target by its own measure', () => {
    const failing = [
      summary('S1', { rps: 600, upstreamCallsPerRequest: 1.2, peakRssMb: 151 }),
      summary('B2', { rps: 1000 }),
      summary('B3', { rps: 160 }),
      summary('S1', { mode: 'fixed', rate: 500, rps: 500, p99Ms: 16 }),
      summary('B2', { mode: 'fixed', rate: 500, rps: 500, p99Ms: 10 }),
    ];
    expect(evaluateTargets(failing).filter((v) => !v.met).map((v) => v.target)).toEqual([
      'S1 throughput ≥ 0.7 × B2',
      'S1 throughput ≥ 4 × B3',
      'S1 p99 at the fixed rate ≤ 1.5 × B2',
      'S1 upstream calls/request at the minimum (1)',
      'gateway RSS ≤ 150 MB',
    ]);
  });

  it('fails the latency target when S1 could not keep to the fixed rate, whatever its p99', () => {
    const saturated = passing.map((s) => (s.id === 'S1' && s.mode === 'fixed' ? { ...s, rps: 400, p99Ms: 1 } : s));
    const verdict = evaluateTargets(saturated).find((v) => v.target.startsWith('S1 p99'));
    expect(verdict).toMatchObject({ met: false });
    expect(verdict?.measured).toContain('could not sustain the rate: 400/s of 500/s');
    expect(isSustained({ rps: 475, rate: 500 })).toBe(true);
    expect(isSustained({ rps: 474, rate: 500 })).toBe(false);
    expect(isSustained({ rps: 1 })).toBe(true);
  });
});

describe('formatReport', () => {
  it('prints closed-loop and fixed-rate tables, the ratios and the verdicts', () => {
    const text = formatReport([
      summary('B1', { rps: 3000 }),
      summary('S1', { rps: 800 }),
      summary('B2', { rps: 1000 }),
      summary('S1', { mode: 'fixed', rate: 500, rps: 400 }),
      summary('B2', { mode: 'fixed', rate: 500, rps: 500 }),
    ]);
    expect(text).toContain('| S1 | title of S1 | 800 | 10.0 | 30.0 | 0 | 1.000 | 1.00 | 100 | 0.200 |');
    expect(text).toContain('| B1 | title of B1 | 3000 |');
    expect(text).toContain('| S1 @500/s | title of S1 | 400 (saturated) |');
    expect(text).toContain('Ratios: S1/B2 throughput 0.80, S1/B3 throughput –');
    expect(text).toContain('| S1 throughput ≥ 0.7 × B2 | 0.80 × B2 | yes |');
  });
});
