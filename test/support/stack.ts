/**
 * Test stack: the real simulator and the real gateway, in-process, talking over loopback HTTP.
 * Tests send real GraphQL requests and read the simulator's control API.
 */
import type { Tracer } from '@opentelemetry/api';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index';
import type { EconomyOptions } from '../../src/cdn/economy';
import type { CdnAuth } from '../../src/cdn/options';
import { routeKey } from '../../src/cdn/operations';
import { createUpstream, upstreamOptionsFromConfig, type EconomyHandles, type UpstreamOptions } from '../../src/cdn/upstream';
import { loadConfig, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { createGateway, type Gateway } from '../../src/server';
import { callSimulator } from './sim-control';

/** A GraphQL response as the tests read it. */
export interface GqlResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** A running simulator + gateway pair. */
export interface Stack {
  readonly simulator: Simulator;
  readonly gateway: Gateway;
  readonly config: Config;
  /** The upstream economy of the gateway's client, when the stack was started with `economy`. */
  readonly economy?: EconomyHandles;
  /** URL of the gateway's /graphql. */
  readonly url: string;
  /** WebSocket URL of the gateway's /graphql (graphql-ws subscriptions). */
  readonly wsUrl: string;
  /** Sends a GraphQL request to the gateway. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  /** Calls the simulator's control API. */
  sim<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Returns the number of upstream requests the simulator counted for `METHOD path-template` keys. */
  upstreamCalls(key?: string): Promise<number>;
  close(): Promise<void>;
}

/** The simulator's stats keys for the upstream operations. */
export const OPS = {
  urlTasks: routeKey('url-tasks'),
  historyTasks: routeKey('historytasks'),
  detail: routeKey('detail'),
} as const;

/** How to start a stack; every field is optional. */
export interface StackOptions {
  readonly simulator?: SimulatorOptions;
  /** Gateway settings (environment names), over the test defaults. */
  readonly env?: Record<string, string>;
  /**
   * Gives the gateway's client the upstream economy (coalescing, cache, rate limits) built from
   * the config (CACHE_TTL_MS, RATE_LIMIT_*, REDIS_URL in `env`), with these overrides. Off by default.
   */
  readonly economy?: boolean | EconomyOptions;
  /** Uses this running simulator instead of starting one (it is not closed with the stack): several gateways, one upstream. */
  readonly upstream?: Simulator;
  /** The CDN client's credentials (e.g. an IAM token the simulator was given). @default the simulator's AK/SK */
  readonly auth?: CdnAuth;
  /** The gateway's clock (request deadlines, "now" in default ranges), for tests that move it by hand; the upstream client keeps the real clock, which signatures need. @default Date.now */
  readonly now?: () => number;
  /** Records spans of requests and upstream calls with this tracer (src/telemetry/start.ts). @default none: tracing off */
  readonly tracer?: Tracer;
  /** The gateway's logger. @default silent */
  readonly logger?: Logger;
  /** Wraps the upstream client's transport (sees every attempt as sent, headers included). */
  readonly wrapTransport?: UpstreamOptions['wrapTransport'];
}

/** Starts a simulator and a gateway against it; `env` overrides gateway settings. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = options.upstream ?? (await createSimulator({ port: 0, quiet: true, ...options.simulator }));
  const config = loadConfig({ CDN_ENDPOINT: simulator.url, PORT: '0', LOG_LEVEL: 'silent', CURSOR_SECRET: 'test-cursor-secret-0123456789', ...options.env });
  const fromConfig = upstreamOptionsFromConfig(config, simulator.url);
  const upstream = createUpstream({
    ...fromConfig,
    auth: options.auth ?? { kind: 'aksk', ak: options.simulator?.ak ?? DEFAULT_SIMULATOR_AK, sk: options.simulator?.sk ?? DEFAULT_SIMULATOR_SK },
    economy: options.economy ? { ...fromConfig.economy, ...(options.economy === true ? {} : options.economy) } : false,
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.wrapTransport ? { wrapTransport: options.wrapTransport } : {}),
  });
  const economy = upstream.economy;
  await economy?.connect();
  const cdn = upstream.client;
  const pollers = economy?.pollers(config.enterpriseProjectId ?? '');
  const gateway = await createGateway(config, {
    cdn,
    logger: options.logger ?? createLogger('silent'),
    ...(options.now ? { now: options.now } : {}),
    // With the economy, idempotency keys live in its shared state (Redis with REDIS_URL), as in main.ts.
    ...(economy ? { sharedState: economy.state } : {}),
    ...(pollers ? { pollers } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
  const url = await gateway.listen(0, '127.0.0.1');
  const sim = <T>(method: string, path: string, body?: unknown): Promise<T> => callSimulator<T>(simulator.url, method, path, body);
  return {
    simulator,
    gateway,
    config,
    economy,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    async query(query, variables, headers) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GqlResponse, 'status'>;
      return { status: res.status, ...body } as GqlResponse<never>;
    },
    sim,
    async upstreamCalls(key) {
      const stats = await sim<{ requests: Record<string, number> }>('GET', '/__sim/stats');
      if (key) return stats.requests[key] ?? 0;
      return Object.values(stats.requests).reduce((a, b) => a + b, 0);
    },
    async close() {
      await gateway.close();
      await upstream.close();
      if (!options.upstream) await simulator.close();
    },
  };
}
