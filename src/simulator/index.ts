/**
 * The CDN API simulator: a node:http server faithful to Huawei's refresh/preheat record APIs
 * (docs/upstream.md), with a deterministic data set and a control API for tests (see
 * src/simulator/README.md). Gateway code never imports it; tests, benchmarks and `npm start` do.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperationName } from '../cdn/models';
import { createRequestHandler } from './http';
import { DAILY_QUOTAS, type QuotaKind } from './quota';
import { DEFAULT_RATE_LIMITS, OPERATIONS } from './ratelimit';
import { SimulatorState } from './state';

export type { FaultConfig } from './faults';
export type { SimulatorStats } from './stats';
export { DAILY_QUOTAS } from './quota';
export { DEFAULT_RATE_LIMITS } from './ratelimit';

/** The AK the simulator accepts by default (20 characters, like a real one). */
export const DEFAULT_SIMULATOR_AK = 'HPUASIMULATORAK00001';
/** The SK the simulator accepts by default (40 characters, like a real one). */
export const DEFAULT_SIMULATOR_SK = 'SimulatorSecretKey0123456789abcdefghijkl';

/** How to start a simulator; every field is optional. */
export interface SimulatorOptions {
  /** 0 = a random free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The accepted AK. @default DEFAULT_SIMULATOR_AK */
  ak?: string;
  /** The accepted SK. @default DEFAULT_SIMULATOR_SK */
  sk?: string;
  /** When set, AK/SK requests must carry this `X-Security-Token` (signed). */
  securityToken?: string;
  /** Accepted `X-Auth-Token` values; an expired one is refused with 401 APIGW.0307. */
  tokens?: Array<{ token: string; expiresAt: number }>;
  /** The clock in epoch ms `tokens` expire by (tests move it instead of waiting). @default the wall clock */
  tokenClock?: () => number;
  /** The data set seed. @default 1 */
  seed?: number;
  /** About how many URL records the data set holds. @default 40000 */
  records?: number;
  /** The data clock in epoch ms; the data set covers the 31 days before it. @default Date.now */
  now?: () => number;
  /** The monotonic clock in ms the rate-limit windows are measured with (tests move it instead of waiting a second). @default performance.now */
  rateLimitClock?: () => number;
  /** Calls per second per tenant and operation; 0 = unlimited. @default DEFAULT_RATE_LIMITS */
  rateLimits?: Partial<Record<OperationName, number>>;
  /** URLs per account per UTC day. @default DAILY_QUOTAS */
  dailyQuotas?: Partial<Record<QuotaKind, number>>;
  /** How long created tasks stay WAITING/PROCESSING before they settle. @default 20000 */
  transitionMs?: number;
  /** Silences the simulator's own error log. @default false */
  quiet?: boolean;
  /**
   * Simulates an account with enterprise projects called by an IAM user: historytasks, the
   * detail and the creates refuse calls without `enterprise_project_id`. The fault
   * configuration's `enterpriseProjectRequired` overrides it until the next DELETE or reset.
   * @default false
   */
  enterpriseProjectRequired?: boolean;
}

/** A running simulator. */
export interface Simulator {
  /** The base URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  readonly port: number;
  /** Closes the server and every socket, hung ones included. */
  close(): Promise<void>;
}

/** Starts a simulator and resolves once it listens. */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimulatorState({
    auth: {
      ak: nonEmpty(options.ak, 'ak') ?? DEFAULT_SIMULATOR_AK,
      sk: nonEmpty(options.sk, 'sk') ?? DEFAULT_SIMULATOR_SK,
      ...(options.securityToken === undefined ? {} : { securityToken: options.securityToken }),
      tokens: (options.tokens ?? []).map((t) => ({ ...t })),
      ...(options.tokenClock === undefined ? {} : { tokenClock: options.tokenClock }),
    },
    seed: integer(options.seed, 'seed', -(2 ** 31), 2 ** 32) ?? 1,
    records: integer(options.records, 'records', 0, 2_000_000) ?? 40_000,
    clock: options.now ?? Date.now,
    rateLimitClock: options.rateLimitClock ?? (() => performance.now()),
    transitionMs: integer(options.transitionMs, 'transitionMs', 0, 86_400_000) ?? 20_000,
    rateLimits: limits(options.rateLimits, DEFAULT_RATE_LIMITS, OPERATIONS, 'rateLimits'),
    quotas: limits(options.dailyQuotas, DAILY_QUOTAS, Object.keys(DAILY_QUOTAS) as QuotaKind[], 'dailyQuotas'),
    quiet: options.quiet ?? false,
    enterpriseProjectRequired: flag(options.enterpriseProjectRequired, 'enterpriseProjectRequired') ?? false,
  });
  const handler = createRequestHandler(state);
  const server = createServer(handler.listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(integer(options.port, 'port', 0, 65535) ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        handler.cancelTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// Applies an integer option's contract: undefined stays undefined, anything else must be in range.
function integer(value: number | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw new TypeError(`createSimulator: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  return value;
}

// Applies a boolean option's contract: true or false when given.
function flag(value: boolean | undefined, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`createSimulator: ${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

// Applies a string option's contract: a non-empty string when given.
function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw new TypeError(`createSimulator: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

// Merges per-key limits over defaults, refusing unknown keys and negative or fractional values.
function limits<K extends string>(given: Partial<Record<K, number>> | undefined, defaults: Readonly<Record<K, number>>, keys: readonly K[], name: string): Record<K, number> {
  const merged = { ...defaults } as Record<K, number>;
  for (const [key, value] of Object.entries(given ?? {}) as Array<[string, number | undefined]>) {
    if (!(keys as readonly string[]).includes(key)) throw new TypeError(`createSimulator: ${name} has an unknown key ${JSON.stringify(key)}; keys are ${keys.join(', ')}`);
    if (value === undefined) continue;
    merged[key as K] = integer(value, `${name}.${key}`, 0, 1_000_000) as number;
  }
  return merged;
}
