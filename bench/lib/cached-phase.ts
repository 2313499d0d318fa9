/**
 * The cached path (issue 16): dashboards polling the same page within `CACHE_TTL_MS`. Phase C1
 * runs S1's query from many connections (BENCH_CACHED_CONNECTIONS, 50), every request asking for
 * the same page of 100, against a gateway of its own that differs from S1's in one setting only:
 * the response cache is at its default (`CACHE_TTL_MS` unset, 2000 ms) instead of off. Identical
 * calls in flight coalesce and the rest are cache hits, so the upstream is called about once per
 * `CACHE_TTL_MS`. The report puts its throughput, CPU per request and upstream calls per request
 * next to B2's, which calls the upstream for every request, as ratios measured in the same run.
 */
import type { PhaseSummary } from './figures';
import type { Phase } from './scenarios';

/** The cached phase's id. */
export const CACHED_PHASE = 'C1';

/** The server C1 runs against: the gateway with the response cache at its default. */
export const CACHED_GATEWAY = 'gateway-cached';

/** Connections of C1 when BENCH_CACHED_CONNECTIONS is not set: many dashboards at once. */
export const DEFAULT_CACHED_CONNECTIONS = 50;

/** Reads BENCH_CACHED_CONNECTIONS (a whole number ≥ 1), refusing nonsense. */
export function cachedConnections(env: NodeJS.ProcessEnv): number {
  const raw = env.BENCH_CACHED_CONNECTIONS;
  if (raw === undefined || raw === '') return DEFAULT_CACHED_CONNECTIONS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_CACHED_CONNECTIONS must be a whole number ≥ 1; got ${JSON.stringify(raw)}`);
  return value;
}

/** Builds C1 from S1: the same query and checks, always S1's first page, from the cached gateway with `connections` connections. */
export function cachedPhase(s1: Phase, connections: number): Phase {
  return {
    ...s1,
    id: CACHED_PHASE,
    title: `gateway, cache at its default: the same page of 100 from ${connections} connections`,
    server: CACHED_GATEWAY,
    // About one call per CACHE_TTL_MS, however many requests.
    minUpstreamCalls: 0,
    connections,
    request: (_i, host) => s1.request(0, host),
  };
}

/** The cached gateway's settings: the bench gateway's, with `CACHE_TTL_MS` left to the gateway's default. */
export function cachedGatewaySettings(settings: Readonly<Record<string, string>>): Record<string, string> {
  const { CACHE_TTL_MS: _off, ...rest } = settings;
  return rest;
}

/** C1 against B2, from the same run; undefined where either phase did not run. */
export interface CachedRatios {
  /** C1's throughput over B2's. */
  readonly c1OverB2Rps?: number;
  /** C1's server CPU per request over B2's. */
  readonly c1OverB2Cpu?: number;
  /** C1's upstream calls per request (B2 makes one per request). */
  readonly c1UpstreamCallsPerRequest?: number;
}

/** Computes C1's ratios against B2 from the closed-loop summaries. */
export function cachedRatios(summaries: readonly PhaseSummary[]): CachedRatios {
  const c1 = summaries.find((s) => s.id === CACHED_PHASE && s.mode === 'max');
  const b2 = summaries.find((s) => s.id === 'B2' && s.mode === 'max');
  if (!c1) return {};
  return {
    ...(b2 && b2.rps > 0 ? { c1OverB2Rps: c1.rps / b2.rps } : {}),
    ...(b2 && b2.cpuMsPerRequest > 0 ? { c1OverB2Cpu: c1.cpuMsPerRequest / b2.cpuMsPerRequest } : {}),
    c1UpstreamCallsPerRequest: c1.upstreamCallsPerRequest,
  };
}

/** The report's line on the cached path; empty when C1 did not run. */
export function formatCachedRatios(summaries: readonly PhaseSummary[]): string[] {
  const r = cachedRatios(summaries);
  if (r.c1UpstreamCallsPerRequest === undefined) return [];
  const fmt = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
  return [
    `Cached path (C1 against B2, same run): throughput ${fmt(r.c1OverB2Rps, 2)} × B2, server CPU per request ${fmt(r.c1OverB2Cpu, 2)} × B2, ` +
      `upstream calls per request ${fmt(r.c1UpstreamCallsPerRequest, 4)} (B2: 1 per request)`,
  ];
}
