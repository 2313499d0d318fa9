/**
 * `tsx bench/lib/paired-ratios.ts bench.json [A:B …]`: ratios between two phases of a
 * bench run, round by round, from the JSON that `npm run bench -- --json` writes.
 *
 * On a shared machine the load of other work changes within minutes, and a round's phases run
 * one after the other within a minute or two: the ratio of two phases of the same round is
 * steadier than the ratio of their medians over the run. Each pair gives throughput and CPU per
 * request ratios for every round, and their median and range. Without pairs on the command line
 * it compares S1 with B2, and every variant S1[name] with S1 and with B2.
 */
import { readFileSync } from 'node:fs';
import { median, type PhaseRun } from './figures';

/** One comparison of phase `a` with phase `b`. */
export interface PairedRatio {
  readonly a: string;
  readonly b: string;
  readonly mode: 'max' | 'fixed';
  /** Rounds in which both ran. */
  readonly rounds: number;
  /** a's throughput over b's, by round. */
  readonly rps: readonly number[];
  /** a's server CPU per request over b's, by round. */
  readonly cpu: readonly number[];
}

/** Pairs the runs of `a` and `b` by round and mode, and divides their figures. */
export function pairRatios(runs: readonly PhaseRun[], a: string, b: string, mode: 'max' | 'fixed' = 'max'): PairedRatio {
  const of = (id: string) => new Map(runs.filter((r) => r.id === id && r.mode === mode).map((r) => [r.round, r]));
  const [as, bs] = [of(a), of(b)];
  const rounds = [...as.keys()].filter((round) => bs.has(round)).sort((x, y) => x - y);
  const divide = (f: (r: PhaseRun) => number) => rounds.map((round) => f(as.get(round) as PhaseRun) / f(bs.get(round) as PhaseRun));
  return { a, b, mode, rounds: rounds.length, rps: divide((r) => r.rps), cpu: divide((r) => r.cpuMsPerRequest) };
}

/** The default comparisons: S1/B2, C1/B2, and each S1[variant] against S1 and B2. */
export function defaultPairs(runs: readonly PhaseRun[]): Array<[string, string]> {
  const ids = new Set(runs.map((r) => r.id));
  const pairs: Array<[string, string]> = [];
  const add = (a: string, b: string) => {
    if (ids.has(a) && ids.has(b)) pairs.push([a, b]);
  };
  add('S1', 'B2');
  add('C1', 'B2');
  for (const id of [...ids].filter((x) => /^S1\[.+\]$/.test(x)).sort()) {
    add('S1', id);
    add(id, 'B2');
  }
  return pairs;
}

/** Formats paired ratios as a Markdown table: median and range over the rounds, and every round. */
export function formatPairs(pairs: readonly PairedRatio[]): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const spread = (vs: readonly number[]) => (vs.length === 0 ? '–' : `${f(median(vs))} (${f(Math.min(...vs))}–${f(Math.max(...vs))})`);
  const each = (vs: readonly number[]) => vs.map(f).join(', ');
  return [
    '| a / b | mode | rounds | throughput: median (range) | CPU per request: median (range) | throughput by round | CPU by round |',
    '|---|---|--:|--:|--:|---|---|',
    ...pairs.map((p) => `| ${p.a} / ${p.b} | ${p.mode} | ${p.rounds} | ${spread(p.rps)} | ${spread(p.cpu)} | ${each(p.rps)} | ${each(p.cpu)} |`),
  ].join('\n');
}

if (require.main === module) {
  const [file, ...named] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/lib/paired-ratios.ts bench.json [A:B …]   (phase A over phase B; default: S1:B2, C1:B2, S1:S1[x], S1[x]:B2)\n');
    process.exit(2);
  }
  const { runs } = JSON.parse(readFileSync(file, 'utf8')) as { runs: PhaseRun[] };
  const pairs = named.length > 0 ? named.map((n) => n.split(':') as [string, string]) : defaultPairs(runs);
  const results = pairs.flatMap(([a, b]) => [pairRatios(runs, a, b, 'max'), pairRatios(runs, a, b, 'fixed')]).filter((p) => p.rounds > 0);
  process.stdout.write(`${formatPairs(results)}\n`);
}
