/**
 * One load phase with autocannon's programmatic API: closed-loop (as fast as the server
 * answers) or at a fixed overall rate, every answer body checked by the phase's `verify`.
 */
import autocannon from 'autocannon';
import type { BenchRequest } from './scenarios';

/** What to run. */
export interface LoadSpec {
  /** The server's origin, `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly connections: number;
  readonly durationS: number;
  /** Requests per second over all connections; closed loop when absent. */
  readonly overallRate?: number;
  request(i: number, host: string): BenchRequest;
  verify(body: string): boolean;
}

/** What autocannon measured. */
export interface LoadFigures {
  /** Answers received (any status). */
  readonly requests: number;
  /** Requests sent; more than `requests` by those still in flight when the phase ended (the server finishes them anyway). */
  readonly sent: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  /** 2xx answers whose body failed the check (GraphQL errors, wrong record count). */
  readonly mismatches: number;
}

/** Runs one phase and resolves with its figures. */
export async function runLoad(spec: LoadSpec): Promise<LoadFigures> {
  const host = new URL(spec.origin).host;
  let i = 0;
  const first = spec.request(0, host);
  const result = await autocannon({
    url: spec.origin,
    connections: spec.connections,
    duration: spec.durationS,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    timeout: 10,
    // autocannon 9 corrects for coordinated omission with an expected interval of ceil(1/rate) ms
    // (1 ms at any rate above 1/s), which fills the histogram with made-up low latencies.
    ...(spec.overallRate ? { ignoreCoordinatedOmission: true } : {}),
    // autocannon's own progress output would interleave with the bench's.
    ...({ renderProgressBar: false, renderLatencyTable: false, renderResultsTable: false } as object),
    verifyBody: (body) => typeof body === 'string' && spec.verify(body),
    requests: [
      {
        method: first.method,
        path: first.path,
        headers: { ...first.headers },
        ...(first.body === undefined ? {} : { body: first.body }),
        setupRequest: (req) => {
          const next = spec.request(i++, host);
          // A copy: autocannon writes Content-Length into the headers object it is given.
          return { ...req, method: next.method, path: next.path, headers: { ...next.headers }, ...(next.body === undefined ? {} : { body: next.body }) };
        },
      },
    ],
  });
  const requests = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  if (requests === 0) throw new Error(`no answer from ${spec.origin} in ${result.duration} s (${result.errors} errors, ${result.timeouts} timeouts)`);
  return {
    requests,
    // autocannon builds each connection's first request once before sending anything, then one per
    // request sent; its own `requests.sent` adds the per-connection rate at start in rate mode.
    sent: Math.max(requests, i - spec.connections),
    durationS: result.duration,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
  };
}
