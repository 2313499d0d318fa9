/**
 * The bench's arithmetic, pure: per-phase figures summarized over rounds (medians), the
 * ratios against the baselines, the targets of issue 6, and the printed table.
 */
import { cachedRatios, formatCachedRatios, type CachedRatios } from './cached-phase';
import type { LoadFigures } from './load';

/** One measured run of a phase. */
export interface PhaseRun extends LoadFigures {
  readonly id: string;
  readonly round: number;
  /** `max`: closed loop; `fixed`: at `rate` requests/s. */
  readonly mode: 'max' | 'fixed';
  readonly rate?: number;
  /** CPU time of the server process (user + system) per answer, in ms. */
  readonly cpuMsPerRequest: number;
  /** CPU time of the simulator process per answer (for context; 0 when the phase targets the simulator itself). */
  readonly simCpuMsPerRequest: number;
  /** CPU time of the load generator per answer. */
  readonly loadgenCpuMsPerRequest: number;
  /** Largest resident set of the server process sampled during the run, in MB. */
  readonly peakRssMb: number;
  /** Upstream (simulator) calls per answer. */
  readonly upstreamCallsPerRequest: number;
}

/** A phase's figures over its rounds: medians, except errors (summed) and RSS (largest). */
export interface PhaseSummary {
  readonly id: string;
  readonly title: string;
  readonly mode: 'max' | 'fixed';
  readonly rate?: number;
  readonly rounds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts, non-2xx answers and failed body checks, summed. */
  readonly errors: number;
  readonly cpuMsPerRequest: number;
  readonly simCpuMsPerRequest: number;
  readonly loadgenCpuMsPerRequest: number;
  readonly peakRssMb: number;
  readonly upstreamCallsPerRequest: number;
  readonly minUpstreamCalls: number;
}

/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The nearest-rank percentile (`p` from 0 to 100) of a list: the smallest value at least `p` % of the values do not exceed; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100; got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Summarizes runs by phase and mode, in the order phases first appear. */
export function summarize(runs: readonly PhaseRun[], describe: (id: string) => { title: string; minUpstreamCalls: number }): PhaseSummary[] {
  const groups = new Map<string, PhaseRun[]>();
  for (const run of runs) {
    const key = `${run.mode} ${run.id}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as PhaseRun;
    const pick = (f: (r: PhaseRun) => number) => median(group.map(f));
    return {
      id: first.id,
      ...describe(first.id),
      mode: first.mode,
      ...(first.rate === undefined ? {} : { rate: first.rate }),
      rounds: group.length,
      requests: group.reduce((sum, r) => sum + r.requests, 0),
      rps: pick((r) => r.rps),
      p50Ms: pick((r) => r.p50Ms),
      p99Ms: pick((r) => r.p99Ms),
      errors: group.reduce((sum, r) => sum + r.errors + r.non2xx + r.mismatches, 0),
      cpuMsPerRequest: pick((r) => r.cpuMsPerRequest),
      simCpuMsPerRequest: pick((r) => r.simCpuMsPerRequest),
      loadgenCpuMsPerRequest: pick((r) => r.loadgenCpuMsPerRequest),
      peakRssMb: Math.max(...group.map((r) => r.peakRssMb)),
      upstreamCallsPerRequest: pick((r) => r.upstreamCallsPerRequest),
    };
  });
}

/** The comparisons issue 6 asks for, and the cached path's (issue 16); undefined where a phase was not run. */
export interface Ratios extends CachedRatios {
  /** S1 throughput over B2's. */
  readonly s1OverB2?: number;
  /** S1 throughput over B3's. */
  readonly s1OverB3?: number;
  /** S1's p99 over B2's, both at the same fixed rate. */
  readonly fixedP99S1OverB2?: number;
}

/** Computes the ratios from the summaries. */
export function computeRatios(summaries: readonly PhaseSummary[]): Ratios {
  const find = (id: string, mode: 'max' | 'fixed') => summaries.find((s) => s.id === id && s.mode === mode);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  return {
    s1OverB2: ratio(find('S1', 'max')?.rps, find('B2', 'max')?.rps),
    s1OverB3: ratio(find('S1', 'max')?.rps, find('B3', 'max')?.rps),
    fixedP99S1OverB2: ratio(find('S1', 'fixed')?.p99Ms, find('B2', 'fixed')?.p99Ms),
    ...cachedRatios(summaries),
  };
}

/** One target and whether this run met it. */
export interface TargetVerdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Largest gateway RSS the issue allows, in MB. */
export const MAX_GATEWAY_RSS_MB = 150;

/** Checks the targets of issue 6 against the summaries; targets whose phases did not run are left out. */
export function evaluateTargets(summaries: readonly PhaseSummary[]): TargetVerdict[] {
  const r = computeRatios(summaries);
  const verdicts: TargetVerdict[] = [];
  if (r.s1OverB2 !== undefined) verdicts.push({ target: 'S1 throughput ≥ 0.7 × B2', measured: `${r.s1OverB2.toFixed(2)} × B2`, met: r.s1OverB2 >= 0.7 });
  if (r.s1OverB3 !== undefined) verdicts.push({ target: 'S1 throughput ≥ 4 × B3', measured: `${r.s1OverB3.toFixed(2)} × B3`, met: r.s1OverB3 >= 4 });
  if (r.fixedP99S1OverB2 !== undefined) {
    const s1 = summaries.find((s) => s.id === 'S1' && s.mode === 'fixed');
    const sustained = s1 !== undefined && isSustained(s1);
    verdicts.push({
      target: 'S1 p99 at the fixed rate ≤ 1.5 × B2',
      measured: `${r.fixedP99S1OverB2.toFixed(2)} × B2${sustained ? '' : ` (S1 could not sustain the rate: ${s1?.rps.toFixed(0)}/s of ${s1?.rate?.toFixed(0)}/s)`}`,
      met: sustained && r.fixedP99S1OverB2 <= 1.5,
    });
  }
  for (const s of summaries.filter((x) => x.mode === 'max' && x.id.startsWith('S'))) {
    verdicts.push({
      target: `${s.id} upstream calls/request at the minimum (${s.minUpstreamCalls})`,
      measured: s.upstreamCallsPerRequest.toFixed(2),
      // Requests still in flight when a phase ends add a few calls the answers do not count.
      met: s.upstreamCallsPerRequest <= s.minUpstreamCalls * 1.01 + 0.005,
    });
  }
  const gatewayRss = Math.max(0, ...summaries.filter((s) => s.id.startsWith('S')).map((s) => s.peakRssMb));
  if (gatewayRss > 0) verdicts.push({ target: `gateway RSS ≤ ${MAX_GATEWAY_RSS_MB} MB`, measured: `${gatewayRss.toFixed(0)} MB`, met: gatewayRss <= MAX_GATEWAY_RSS_MB });
  return verdicts;
}

/** Tells whether a fixed-rate run kept (within 5%) to its rate; a server that cannot has no meaningful latency at that rate. */
export function isSustained(s: Pick<PhaseSummary, 'rps' | 'rate'>): boolean {
  return s.rate === undefined || s.rps >= 0.95 * s.rate;
}

/** Formats the summaries, ratios and verdicts as Markdown tables. */
export function formatReport(summaries: readonly PhaseSummary[]): string {
  const header = '| phase | what | req/s | p50 ms | p99 ms | errors | server CPU ms/req | upstream calls/req | peak RSS MB | sim CPU ms/req |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|';
  const row = (s: PhaseSummary) =>
    `| ${s.id}${s.mode === 'fixed' ? ` @${Math.round(s.rate ?? 0)}/s` : ''} | ${s.title} | ${fmt(s.rps, 0)}${isSustained(s) ? '' : ' (saturated)'} | ${fmt(s.p50Ms, 1)} | ${fmt(s.p99Ms, 1)} | ${s.errors} | ${fmt(s.cpuMsPerRequest, 3)} | ${fmt(s.upstreamCallsPerRequest, 2)} | ${fmt(s.peakRssMb, 0)} | ${s.id === 'B1' ? '–' : fmt(s.simCpuMsPerRequest, 3)} |`;
  const lines = [header, rule, ...summaries.filter((s) => s.mode === 'max').map(row)];
  const fixed = summaries.filter((s) => s.mode === 'fixed');
  if (fixed.length > 0) lines.push('', `Fixed rate (50% of B2's throughput):`, '', header, rule, ...fixed.map(row));
  const r = computeRatios(summaries);
  lines.push('', `Ratios: S1/B2 throughput ${fmt(r.s1OverB2, 2)}, S1/B3 throughput ${fmt(r.s1OverB3, 2)}, fixed-rate p99 S1/B2 ${fmt(r.fixedP99S1OverB2, 2)}`);
  for (const line of formatCachedRatios(summaries)) lines.push('', line);
  const verdicts = evaluateTargets(summaries);
  if (verdicts.length > 0) lines.push('', '| target | measured | met |', '|---|---|---|', ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? 'yes' : '**no**'} |`));
  return lines.join('\n');
}

// A number with fixed decimals, or a dash when unknown.
function fmt(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}
