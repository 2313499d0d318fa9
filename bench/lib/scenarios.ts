/**
 * What the bench asks: the data it inserts into the simulator, the scenarios (S1–S4 against
 * the gateway) and the baselines (B1–B3), each with the request to send and the checks its
 * answers must pass.
 *
 * The data: the simulator's clock is frozen four days back, and after it come `windows` hours,
 * each holding 12 tasks of 10 records inserted at its start. A page of 100 from one hour is
 * therefore exactly 10 tasks (S2's DataLoader case), the same records in every run.
 *
 * Consecutive requests ask for consecutive hours, and each for a slightly different range end
 * (a counter, still past the hour's records): the pages hold the same kind of data, but no two
 * concurrent requests share a url-tasks call or a task, so neither the gateway's coalescing of
 * identical in-flight calls nor any cache can serve one request from another's upstream calls.
 */
import { OPERATIONS } from '../../src/cdn/operations';
import { signRequest } from '../../src/cdn/signer';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK } from '../../src/config';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tasks inserted for the bench, and records per task. */
export const BENCH_TASKS = 12;
export const RECORDS_PER_TASK = 10;

/** Hours of data the bench inserts by default: far more than concurrent requests. */
export const BENCH_WINDOWS = 40;

/** The frozen data clock, the inserted tasks and the ranges that hold them. */
export interface BenchData {
  /** The simulator's data clock (epoch ms). */
  readonly simNow: number;
  /** The first hour's range: `after` inclusive, `before` exclusive (plus the per-request counter); hour w is `w` hours later. */
  readonly after: number;
  readonly before: number;
  /** How many hours of data there are. */
  readonly windows: number;
  /** Bodies to POST to `/__sim/url-tasks`, oldest task first. */
  readonly inserts: ReadonlyArray<Record<string, unknown>>;
}

const STATUSES = ['SUCCEED', 'FAILED', 'REFRESHING', 'WAITING', 'PROCESSING', 'SUCCEED'];

/** Plans the bench data for a wall-clock time: from a whole minute four days back, so that every hour lies in the past. */
export function planBenchData(wallNow: number, windows = BENCH_WINDOWS): BenchData {
  if (!Number.isInteger(windows) || windows < 1 || windows > 72) throw new RangeError(`windows must be an integer from 1 to 72 (hours before now); got ${windows}`);
  const simNow = Math.floor(wallNow / MINUTE) * MINUTE - 4 * DAY;
  const inserts = Array.from({ length: windows * BENCH_TASKS }, (_, n) => {
    const w = Math.floor(n / BENCH_TASKS);
    const t = n % BENCH_TASKS;
    const directory = t % 3 === 0;
    return {
      count: RECORDS_PER_TASK,
      createTime: simNow + w * HOUR + MINUTE + t * 1000,
      type: directory || t % 2 === 0 ? 'REFRESH' : 'PREHEATING',
      fileType: directory ? 'directory' : 'file',
      status: STATUSES[(w + t) % STATUSES.length],
    };
  });
  // The range ends past the hour's records and the counter's spread, before the next hour.
  return { simNow, after: simNow, before: simNow + 30 * MINUTE, windows, inserts };
}

/** The range of the i-th request: hour `i mod windows`, its end moved by the counter so that no two requests are alike. */
export function rangeOf(data: BenchData, i: number): { after: number; before: number } {
  const shift = (i % data.windows) * HOUR;
  return { after: data.after + shift, before: data.before + shift + (i % SPREAD_MS) };
}

/** The servers a phase can target; `gateway[name]` is a variant of the gateway with other settings, `gateway-cached` C1's (cached-phase.ts). */
export type ServerName = 'gateway' | 'simulator' | 'passthrough' | 'plain-apollo' | 'gateway-cached' | `gateway[${string}]`;

/** One request of a phase; `i` counts the requests sent. */
export interface BenchRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A scenario or baseline: where it goes, what it sends, what its answers must be. */
export interface Phase {
  readonly id: string;
  readonly title: string;
  readonly server: ServerName;
  /** The fewest upstream calls one request can cost. */
  readonly minUpstreamCalls: number;
  /** Connections of this phase's load, when not the bench's (BENCH_CONNECTIONS). */
  readonly connections?: number;
  /** Builds the i-th request; `host` is the server's `host:port`. */
  request(i: number, host: string): BenchRequest;
  /** A cheap check of every answer body (autocannon counts failures as mismatches). */
  verify(body: string): boolean;
}

/** The UrlTask fields S1 asks for: every scalar field. */
export const URL_TASK_SCALARS = 'id url status type taskId createdAt modifiedAt fileType mode';

/** The GraphQL query of a page, optionally with each record's task. */
export function pageQuery(withTask: boolean): string {
  return (
    'query Page($first: Int!, $after: DateTime!, $before: DateTime!) { ' +
    'urlTasks(first: $first, filter: { createdAfter: $after, createdBefore: $before }) { ' +
    `nodes { ${URL_TASK_SCALARS}${withTask ? ' task { status total processing }' : ''} } } }`
  );
}

/** The spread of range ends the counter walks through (under the half hour left before the next hour's data). */
const SPREAD_MS = 1_000_000;

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

// Counts the occurrences of a needle (non-overlapping).
export function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

// A GraphQL page phase against one of the GraphQL servers.
function pagePhase(id: string, title: string, server: ServerName, path: string, data: BenchData, first: number, withTask: boolean): Phase {
  const query = pageQuery(withTask);
  const distinctTasks = Math.ceil(first / RECORDS_PER_TASK);
  return {
    id,
    title,
    server,
    minUpstreamCalls: 1 + (withTask ? distinctTasks : 0),
    request: (i) => ({
      method: 'POST',
      path,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ query, variables: { first, ...rangeOf(data, i) } }),
    }),
    verify: (body) =>
      body.startsWith('{"data":{"urlTasks":{"nodes":[{') &&
      !body.includes('"errors"') &&
      countOccurrences(body, '"url":') === first &&
      (!withTask || countOccurrences(body, '"total":') === first),
  };
}

/** The phases of the bench, by id. */
export function definePhases(data: BenchData): Record<string, Phase> {
  const phases: Phase[] = [
    pagePhase('S1', 'gateway: page of 100, every scalar field', 'gateway', '/graphql', data, 100, false),
    pagePhase('S2', 'gateway: S1 + task { status total processing }', 'gateway', '/graphql', data, 100, true),
    pagePhase('S3', 'gateway: page of 20', 'gateway', '/graphql', data, 20, false),
    {
      id: 'S4',
      title: 'gateway: { __typename }',
      server: 'gateway',
      minUpstreamCalls: 0,
      request: () => ({ method: 'POST', path: '/graphql', headers: { ...JSON_HEADERS }, body: '{"query":"{ __typename }"}' }),
      verify: (body) => body.trim() === '{"data":{"__typename":"Query"}}',
    },
    {
      id: 'B1',
      title: 'simulator direct: signed url-tasks GET, 100 records',
      server: 'simulator',
      minUpstreamCalls: 1,
      request: signedPageRequests(data),
      verify: (body) => body.startsWith('{') && countOccurrences(body, '"task_id":') === 100,
    },
    pagePhase('B2', 'undici pass-through: same page, same JSON', 'passthrough', '/graphql', data, 100, false),
    pagePhase('B3', 'plain Apollo Server: same page', 'plain-apollo', '/', data, 100, false),
    pagePhase('B3/S2', 'plain Apollo Server: S2 (no loaders)', 'plain-apollo', '/', data, 100, true),
  ];
  return Object.fromEntries(phases.map((p) => [p.id, p]));
}

/** Copies a gateway phase onto a variant of the gateway: `S1` becomes `S1[name]`. */
export function variantOf(phase: Phase, variant: string): Phase {
  return { ...phase, id: `${phase.id}[${variant}]`, title: `${phase.title} [${variant}]`, server: `gateway[${variant}]` };
}

// The simulator's page request, signed again once a minute (signatures hold for 15 minutes): the
// load generator's signing would otherwise compete with the servers for the CPU.
function signedPageRequests(data: BenchData): (i: number, host: string) => BenchRequest {
  let cached: { host: string; at: number; request: BenchRequest } | undefined;
  return (_i, host) => {
    const now = Date.now();
    if (cached && cached.host === host && now - cached.at < MINUTE) return cached.request;
    const path = OPERATIONS['url-tasks'].pathTemplate;
    const signed = signRequest(
      { method: 'GET', host, path, query: { start_time: data.after, end_time: data.before, offset: 0, limit: 100 }, headers: JSON_HEADERS },
      { ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
      new Date(now),
    );
    cached = { host, at: now, request: { method: 'GET', path: signed.pathAndQuery, headers: signed.headers } };
    return cached.request;
  };
}
