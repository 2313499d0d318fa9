/**
 * Ops test stack: the real simulator and the real gateway in-process over loopback, wired as
 * main.ts wires them (metrics and upstream observer on the CDN client), with the gateway's
 * log lines captured for assertions.
 */
import { Writable } from 'node:stream';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index';
import { createCdnClient } from '../../src/cdn/upstream';
import { loadConfig, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Config } from '../../src/config';
import type { CdnApi } from '../../src/graph/context';
import { createLogger } from '../../src/logger';
import { createGateway, type Gateway } from '../../src/server';
import { createMetrics } from '../../src/http/metrics';
import { createUpstreamObserver } from '../../src/http/upstream-observer';
import { eventually } from '../support/eventually';
import { callSimulator } from '../support/sim-control';

/** A running simulator + gateway pair with captured logs. */
export interface OpsStack {
  readonly simulator: Simulator;
  readonly gateway: Gateway;
  readonly config: Config;
  /** The gateway's origin, e.g. `http://127.0.0.1:1234`. */
  readonly origin: string;
  /** Parsed JSON log lines written so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Waits (up to 2 s) until `count` log lines match: access lines are written when responses close, maybe after the client read them. */
  waitForLogs(match: (line: Record<string, unknown>) => boolean, count?: number): Promise<Array<Record<string, unknown>>>;
  /** Posts a GraphQL request; returns status, headers and the parsed body. */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: GqlBody }>;
  /** Calls the simulator's control API. */
  sim<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Counts the simulator's upstream requests for a `METHOD path-template` key. */
  upstreamCalls(key: string): Promise<number>;
  close(): Promise<void>;
}

/** A GraphQL answer body. */
export interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Starts a simulator and a gateway against it; `env` overrides gateway settings. */
export async function startOpsStack(
  options: {
    env?: Record<string, string>;
    simulator?: SimulatorOptions;
    logLevel?: string;
    /** Wraps the CDN client the gateway calls (a test planting a bug). */
    wrapCdn?: (cdn: CdnApi) => CdnApi;
  } = {},
): Promise<OpsStack> {
  const simulator = await createSimulator({ port: 0, quiet: true, records: 3000, ...options.simulator });
  const config = loadConfig({ CDN_ENDPOINT: simulator.url, PORT: '0', CURSOR_SECRET: 'test-cursor-secret-0123456789', ...options.env });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(options.logLevel ?? 'debug', { destination: sink });
  const metrics = createMetrics({ processMetrics: false, operationNames: config.metricsOperationNames });
  const upstreamObserver = createUpstreamObserver(logger, metrics);
  const cdn = createCdnClient({
    endpoint: simulator.url,
    auth: { kind: 'aksk', ak: options.simulator?.ak ?? DEFAULT_SIMULATOR_AK, sk: options.simulator?.sk ?? DEFAULT_SIMULATOR_SK },
    timeoutMs: config.upstreamTimeoutMs,
    retry: { maxAttempts: config.upstreamMaxAttempts },
    onEvent: upstreamObserver.onEvent,
  });
  const gateway = await createGateway(config, { cdn: options.wrapCdn ? options.wrapCdn(cdn) : cdn, logger, metrics, upstreamObserver });
  const url = await gateway.listen(0, '127.0.0.1');
  const origin = new URL(url).origin;
  const sim = <T>(method: string, path: string, body?: unknown): Promise<T> => callSimulator<T>(simulator.url, method, path, body);
  return {
    simulator,
    gateway,
    config,
    origin,
    logs,
    async waitForLogs(match, count = 1) {
      // Gives back what there is after the deadline: the caller's assertion on it says what is missing.
      return eventually(() => {
        expect(logs.filter(match).length).toBeGreaterThanOrEqual(count);
        return logs.filter(match);
      }).catch(() => logs.filter(match));
    },
    async gql(query, variables, headers) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
      return { status: res.status, headers: res.headers, body: (await res.json()) as GqlBody };
    },
    sim,
    async upstreamCalls(key) {
      const stats = await sim<{ requests: Record<string, number> }>('GET', '/__sim/stats');
      return stats.requests[key] ?? 0;
    },
    async close() {
      await gateway.close();
      await cdn.close();
      await simulator.close();
    },
  };
}

/** The simulator's stats keys for the upstream operations. */
export const OPS = {
  urlTasks: 'GET /v1.0/cdn/contentgateway/url-tasks',
  historyTasks: 'GET /v1.0/cdn/historytasks',
  detail: 'GET /v1.0/cdn/historytasks/{id}/detail',
} as const;
