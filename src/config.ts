/**
 * Configuration: the environment, validated once at start-up into a typed, frozen `Config`.
 * Every invalid or contradictory setting is reported together in one `ConfigError`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Default AK of the embedded simulator (not a secret: the simulator is local and fake). */
export const DEFAULT_SIMULATOR_AK = 'HPUASIMULATORAK00001';
/** Default SK of the embedded simulator (not a secret: the simulator is local and fake). */
export const DEFAULT_SIMULATOR_SK = 'SimulatorSecretKey0123456789abcdefghijkl';

/** How the gateway authenticates to the CDN API. */
export type UpstreamAuth =
  | { readonly kind: 'aksk'; readonly ak: string; readonly sk: string; readonly securityToken?: string; readonly domainId?: string }
  | { readonly kind: 'token'; readonly token: string };

/** Where the gateway's upstream is: the embedded simulator, or a real (or external) CDN endpoint. */
export type UpstreamTarget =
  | { readonly mode: 'embedded'; readonly simulatorPort: number; readonly simulatorSeed: number; readonly auth: UpstreamAuth & { kind: 'aksk' } }
  | { readonly mode: 'remote'; readonly endpoint: string; readonly auth: UpstreamAuth };

/** The validated configuration. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly upstream: UpstreamTarget;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly maxRangeDays: number;
  readonly upstreamTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly upstreamConnections: number;
  readonly upstreamMaxAttempts: number;
  readonly cacheTtlMs: number;
  readonly redisUrl?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly explorer: 'graphiql' | 'sandbox' | 'off';
  /** Secret that makes cursors tamper-evident; random per process when unset. */
  readonly cursorSecret: string;
  readonly cursorSecretGenerated: boolean;
}

/** Raised when the environment does not make a valid configuration; lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback);

// Settings whose values are never echoed in messages.
const SECRET_NAMES = new Set(['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_IAM_TOKEN', 'SIMULATOR_SK', 'CURSOR_SECRET', 'REDIS_URL']);

const text = z.string().trim().min(1, 'must not be empty').optional();

const EnvSchema = z.object({
  PORT: int(0, 65535, 4000),
  HOST: z.string().trim().min(1).optional().default('127.0.0.1'),
  HUAWEICLOUD_SDK_AK: text,
  HUAWEICLOUD_SDK_SK: text,
  HUAWEICLOUD_SDK_SECURITY_TOKEN: text,
  HUAWEICLOUD_SDK_DOMAIN_ID: text,
  HUAWEICLOUD_IAM_TOKEN: text,
  CDN_ENDPOINT: z.string().trim().url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  SIMULATOR_PORT: int(0, 65535, 9100),
  SIMULATOR_SEED: int(0, 2 ** 31, 1),
  SIMULATOR_AK: text,
  SIMULATOR_SK: text,
  DEFAULT_PAGE_SIZE: int(1, 10000, 20),
  MAX_PAGE_SIZE: int(1, 10000, 100),
  MAX_RANGE_DAYS: int(1, 366, 31),
  UPSTREAM_TIMEOUT_MS: int(100, 600000, 10000),
  REQUEST_TIMEOUT_MS: int(100, 600000, 15000),
  UPSTREAM_CONNECTIONS: int(1, 1024, 16),
  UPSTREAM_MAX_ATTEMPTS: int(1, 10, 3),
  CACHE_TTL_MS: int(0, 3600000, 2000),
  REDIS_URL: z.string().trim().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  EXPLORER: z.enum(['graphiql', 'sandbox', 'off']).optional().default('graphiql'),
  CURSOR_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});

/** Reads and validates the configuration from an environment; throws `ConfigError` listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, randomSecret: () => string = defaultSecret): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  // Each setting is parsed on its own so that one bad value does not hide the others' problems.
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(EnvSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(given[name]);
    if (result.success) values[name] = result.data;
    else {
      const shown = SECRET_NAMES.has(name) ? 'a value, not shown' : describe(given[name]);
      problems.push(...result.error.issues.map((i) => `${name}: ${i.message} (got ${shown})`));
    }
  }
  problems.push(...findContradictions({ ...defaults(), ...values } as z.infer<typeof EnvSchema>));
  if (problems.length > 0) throw new ConfigError(problems);
  const e = values as z.infer<typeof EnvSchema>;
  const upstream: UpstreamTarget =
    e.HUAWEICLOUD_SDK_AK && e.HUAWEICLOUD_SDK_SK
      ? {
          mode: 'remote',
          endpoint: e.CDN_ENDPOINT ?? 'https://cdn.myhuaweicloud.com',
          auth: { kind: 'aksk', ak: e.HUAWEICLOUD_SDK_AK, sk: e.HUAWEICLOUD_SDK_SK, securityToken: e.HUAWEICLOUD_SDK_SECURITY_TOKEN, domainId: e.HUAWEICLOUD_SDK_DOMAIN_ID },
        }
      : e.HUAWEICLOUD_IAM_TOKEN
        ? { mode: 'remote', endpoint: e.CDN_ENDPOINT ?? 'https://cdn.myhuaweicloud.com', auth: { kind: 'token', token: e.HUAWEICLOUD_IAM_TOKEN } }
        : e.CDN_ENDPOINT
          ? {
              mode: 'remote',
              endpoint: e.CDN_ENDPOINT,
              auth: { kind: 'aksk', ak: e.SIMULATOR_AK ?? DEFAULT_SIMULATOR_AK, sk: e.SIMULATOR_SK ?? DEFAULT_SIMULATOR_SK },
            }
          : {
              mode: 'embedded',
              simulatorPort: e.SIMULATOR_PORT,
              simulatorSeed: e.SIMULATOR_SEED,
              auth: { kind: 'aksk', ak: e.SIMULATOR_AK ?? DEFAULT_SIMULATOR_AK, sk: e.SIMULATOR_SK ?? DEFAULT_SIMULATOR_SK },
            };
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    upstream,
    defaultPageSize: e.DEFAULT_PAGE_SIZE,
    maxPageSize: e.MAX_PAGE_SIZE,
    maxRangeDays: e.MAX_RANGE_DAYS,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    upstreamConnections: e.UPSTREAM_CONNECTIONS,
    upstreamMaxAttempts: e.UPSTREAM_MAX_ATTEMPTS,
    cacheTtlMs: e.CACHE_TTL_MS,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    explorer: e.EXPLORER,
    cursorSecret: e.CURSOR_SECRET ?? randomSecret(),
    cursorSecretGenerated: e.CURSOR_SECRET === undefined,
  });
}

// The defaults of every setting, to check contradictions among the settings that did parse.
function defaults(): Record<string, unknown> {
  return EnvSchema.parse({});
}

// Lists settings that are valid alone but contradict each other.
function findContradictions(e: z.infer<typeof EnvSchema>): string[] {
  const problems: string[] = [];
  if (Boolean(e.HUAWEICLOUD_SDK_AK) !== Boolean(e.HUAWEICLOUD_SDK_SK)) {
    problems.push('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must be set together (only one is set)');
  }
  if (e.HUAWEICLOUD_SDK_AK && e.HUAWEICLOUD_IAM_TOKEN) {
    problems.push('HUAWEICLOUD_IAM_TOKEN and HUAWEICLOUD_SDK_AK/SK are alternatives: set one of them');
  }
  if ((e.HUAWEICLOUD_SDK_SECURITY_TOKEN || e.HUAWEICLOUD_SDK_DOMAIN_ID) && !e.HUAWEICLOUD_SDK_AK) {
    problems.push('HUAWEICLOUD_SDK_SECURITY_TOKEN and HUAWEICLOUD_SDK_DOMAIN_ID need HUAWEICLOUD_SDK_AK/SK');
  }
  if ((e.HUAWEICLOUD_SDK_AK || e.HUAWEICLOUD_IAM_TOKEN) && (e.SIMULATOR_AK || e.SIMULATOR_SK)) {
    problems.push('SIMULATOR_AK/SK apply to the simulator only; unset them when HUAWEICLOUD credentials are set');
  }
  if (e.DEFAULT_PAGE_SIZE > e.MAX_PAGE_SIZE) {
    problems.push(`DEFAULT_PAGE_SIZE (${e.DEFAULT_PAGE_SIZE}) must not exceed MAX_PAGE_SIZE (${e.MAX_PAGE_SIZE})`);
  }
  if (e.UPSTREAM_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    problems.push(`UPSTREAM_TIMEOUT_MS (${e.UPSTREAM_TIMEOUT_MS}) must not exceed REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS})`);
  }
  const embedded = !e.HUAWEICLOUD_SDK_AK && !e.HUAWEICLOUD_IAM_TOKEN && !e.CDN_ENDPOINT;
  if (embedded && e.PORT !== 0 && e.PORT === e.SIMULATOR_PORT) {
    problems.push(`PORT and SIMULATOR_PORT are both ${e.PORT}: the embedded simulator needs its own port`);
  }
  return problems;
}

// Describes a rejected value without echoing anything that might be a credential.
function describe(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
}

// A fresh random secret for this process.
function defaultSecret(): string {
  return randomBytes(32).toString('hex');
}
