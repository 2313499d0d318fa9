/**
 * Paired ratios (bench/lib/paired-ratios.ts): two phases compared round by round, because on a
 * shared machine a round's phases see the same load while rounds minutes apart do not.
 */
import type { PhaseRun } from '../../bench/lib/figures';
import { defaultPairs, formatPairs, pairRatios } from '../../bench/lib/paired-ratios';

const run = (id: string, round: number, rps: number, cpuMsPerRequest: number, mode: 'max' | 'fixed' = 'max'): PhaseRun => ({
  id,
  round,
  mode,
  requests: rps * 10,
  sent: rps * 10,
  durationS: 10,
  rps,
  p50Ms: 1,
  p90Ms: 2,
  p99Ms: 3,
  maxMs: 4,
  errors: 0,
  non2xx: 0,
  mismatches: 0,
  cpuMsPerRequest,
  simCpuMsPerRequest: 0,
  loadgenCpuMsPerRequest: 0,
  peakRssMb: 100,
  upstreamCallsPerRequest: 1,
});

// Round 2 is slow for everything (another job on the machine): the paired ratio does not move.
const RUNS = [
  run('S1', 1, 400, 2),
  run('B2', 1, 1000, 0.5),
  run('S1', 2, 100, 8),
  run('B2', 2, 250, 2),
  run('S1', 3, 300, 2.5),
  run('B2', 3, 1000, 0.5),
  run('S1[before]', 1, 200, 4),
  run('S1[before]', 3, 150, 5),
  run('S1', 1, 50, 3, 'fixed'),
  run('B2', 1, 100, 1, 'fixed'),
];

describe('pairRatios', () => {
  it('divides the figures of the same round, leaving out rounds where one of the two did not run', () => {
    expect(pairRatios(RUNS, 'S1', 'B2')).toEqual({ a: 'S1', b: 'B2', mode: 'max', rounds: 3, rps: [0.4, 0.4, 0.3], cpu: [4, 4, 5] });
    expect(pairRatios(RUNS, 'S1', 'S1[before]')).toMatchObject({ rounds: 2, rps: [2, 2], cpu: [0.5, 0.5] });
    expect(pairRatios(RUNS, 'S1', 'B2', 'fixed')).toMatchObject({ rounds: 1, rps: [0.5], cpu: [3] });
    expect(pairRatios(RUNS, 'S1', 'B3').rounds).toBe(0);
  });
});

describe('defaultPairs', () => {
  it('compares S1 and C1 with B2, and each S1 variant with S1 and B2, when they ran', () => {
    expect(defaultPairs(RUNS)).toEqual([
      ['S1', 'B2'],
      ['S1', 'S1[before]'],
      ['S1[before]', 'B2'],
    ]);
    expect(defaultPairs([...RUNS, run('C1', 1, 2000, 0.2)])).toContainEqual(['C1', 'B2']);
  });
});

describe('formatPairs', () => {
  it('shows the median and range over the rounds, and each round', () => {
    expect(formatPairs([pairRatios(RUNS, 'S1', 'B2')])).toContain('| S1 / B2 | max | 3 | 0.40 (0.30–0.40) | 4.00 (4.00–5.00) | 0.40, 0.40, 0.30 | 4.00, 4.00, 5.00 |');
  });
});
