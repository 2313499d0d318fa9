/**
 * Configuration: the environment, validated once at start-up into a typed, frozen `Config`.
 * Every invalid or contradictory setting is reported together in one `ConfigError`.
 */
import { OPERATION_NAMES, OPERATIONS, type OperationName } from './cdn/operations';
import { RETRY_DEFAULTS } from './cdn/options';
import { isLoopbackHost } from './http/exposure';
import { findOperationNameProblems } from './http/operation-label';
import { findTracingContradictions, OTEL_SETTINGS, SECRET_OTEL_SETTINGS, toTracingSettings, type TracingSettings } from './telemetry/settings';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseUrl } from './parse-url';
import { wholeNumberSetting } from './settings-number';

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
  /** Backoff and retry budget of upstream calls (docs/architecture.md, Retry). */
  readonly upstreamRetry: UpstreamRetrySettings;
  readonly cacheTtlMs: number;
  /** Freshness of cached answers that can no longer change, and the bound of past ranges' (src/cdn/freshness.ts). */
  readonly cacheSettledTtlMs: number;
  /** Byte bound of the in-memory response cache. */
  readonly cacheMaxBytes: number;
  /** Upstream calls per second the gateway allows itself, by operation (0 = unlimited). */
  readonly rateLimits: Readonly<Record<OperationName, number>>;
  /** Added to the one-second rate-limit window to absorb network jitter. */
  readonly rateLimitMarginMs: number;
  /** Lowers a limit while the upstream throttles calls the limiter let through, and lets it climb back (docs/architecture.md, Adaptive rate). */
  readonly rateLimitAdaptive: boolean;
  /** Time for an adapted limit to climb back by one call per second. */
  readonly rateLimitRecoveryMs: number;
  /** Most attempts of one request holding booked quota slots per operation (capped by the operation's limit). */
  readonly maxQueuedPerRequest: number;
  /** Most attempts of one caller, over all its requests, holding booked quota slots per operation (capped by two seconds of the operation's limit). */
  readonly maxQueuedPerCaller: number;
  /** With Redis: most booked quota slots not yet due that one caller holds per operation over every replica (0 = no cap across replicas). */
  readonly maxQueuedPerCallerShared: number;
  readonly redisUrl?: string;
  /** Names the upstream account for shared state: gateways with the same endpoint and account id share one quota whatever their credentials. */
  readonly upstreamAccountId?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly explorer: 'graphiql' | 'sandbox' | 'off';
  /** Secret that makes cursors tamper-evident; random per process when unset. */
  readonly cursorSecret: string;
  readonly cursorSecretGenerated: boolean;
  /** Operation names the GraphQL metrics label by name (`METRICS_OPERATION_NAMES`); any other is `other`. */
  readonly metricsOperationNames: readonly string[];
  /** Browser origins allowed to call the gateway (CORS): empty = none, `['*']` = any. */
  readonly corsOrigins: readonly string[];
  /** Request headers preflights allow on top of the defaults (`DEFAULT_CORS_ALLOW_HEADERS`), lower-case. */
  readonly corsAllowHeaders: readonly string[];
  /** Whether the schema can be introspected. */
  readonly introspection: boolean;
  /** How callers authenticate to the gateway (not to the CDN). */
  readonly callerAuth: CallerAuthConfig;
  /** Limits on one GraphQL document. */
  readonly queryLimits: QueryLimits;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** How long a readiness verdict holds before the upstream is asked again. */
  readonly readinessTtlMs: number;
  /** How long a shutdown waits for in-flight requests. */
  readonly shutdownTimeoutMs: number;
  /** Timeouts and connection cap of the gateway's own HTTP server (slow clients). */
  readonly httpServer: HttpServerLimits;
  /** Shared secret a trusted router sends to receive federated traces (ftv1); unset = never. */
  readonly federationTraceSecret?: string;
  /**
   * Enterprise project sent as `enterprise_project_id` on historytasks, task detail, refresh and
   * preheat calls (url-tasks takes none): `0` the default project, `all` every project, or a project's id.
   */
  readonly enterpriseProjectId?: string;
  /** How long a create mutation's idempotencyKey keeps returning its first result. */
  readonly idempotencyTtlMs: number;
  /** Most idempotency keys remembered at once (least recently used are forgotten first). */
  readonly idempotencyMaxKeys: number;
  /** URLs one caller may create per UTC day, by kind (0 = no per-caller cap). */
  readonly createQuotaPerCaller: { readonly files: number; readonly directories: number; readonly preheats: number };
  /** Task progress subscriptions: polling and limits (docs/architecture.md#subscriptions). */
  readonly subscriptions: SubscriptionSettings;
  /** OpenTelemetry tracing, from the standard `OTEL_*` settings (docs/tracing.md); off without an OTLP endpoint. */
  readonly tracing: TracingSettings;
}

/** How subscriptions poll and how many a client may hold. */
export interface SubscriptionSettings {
  /** Delay between polls of a followed task after a change, ms (PROGRESS_POLL_MS). */
  readonly pollMs: number;
  /** Longest delay, reached by doubling while the task does not change, ms (PROGRESS_POLL_MAX_MS). */
  readonly pollMaxMs: number;
  /** Most subscriptions open at once on one WebSocket connection (SUBSCRIPTIONS_PER_CONNECTION). */
  readonly perConnection: number;
  /** Most subscription connections (WebSockets and event streams together) one caller holds at once (SUBSCRIPTION_CONNECTIONS_PER_CALLER). */
  readonly connectionsPerCaller: number;
}

/** Backoff and retry budget settings, as `createUpstream`'s `retry` option takes them. */
export interface UpstreamRetrySettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Retries the budget allows per call made (UPSTREAM_RETRY_BUDGET_PERCENT / 100). */
  readonly budgetRatio: number;
  readonly budgetMinPerSecond: number;
  readonly budgetCapacity: number;
}

/** How callers authenticate: not at all, with static API keys, or with JWTs (shared secret or JWKS). */
export type CallerAuthConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'api-key'; readonly keys: readonly string[] }
  | {
      readonly mode: 'jwt';
      readonly secret?: string;
      readonly jwksUrl?: string;
      readonly issuer?: string;
      readonly audience?: string;
      /** Longest accepted token lifetime in seconds: `exp − iat`, or `exp − now` without `iat`. */
      readonly maxLifetimeS: number;
    };

/** Timeouts and connection cap of the gateway's HTTP server, against clients that hold connections open. */
export interface HttpServerLimits {
  /** Time from a request's first byte to the end of its headers. */
  readonly headersTimeoutMs: number;
  /** Time from a request's first byte to the end of its body (receipt only: the answer is not bounded by it). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
  /** Most open client connections; further ones are closed as soon as they are accepted. */
  readonly maxConnections: number;
}

/** Limits on one GraphQL document (depth, aliases, tokens, and cost weighted by `first`/`last`). */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxCost: number;
  /** Most task detail lookups one operation may make (node ids, representations, task fields, times their pages). */
  readonly maxDetailLookups: number;
}

/** Raised when the environment does not make a valid configuration; lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const int = wholeNumberSetting;

// Settings whose values are never echoed in messages.
const SECRET_NAMES = new Set([
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'HUAWEICLOUD_IAM_TOKEN',
  'SIMULATOR_SK',
  'CURSOR_SECRET',
  'REDIS_URL',
  'API_KEYS',
  'JWT_SECRET',
  'UPSTREAM_ACCOUNT_ID',
  'FEDERATION_TRACE_SECRET',
  ...SECRET_OTEL_SETTINGS,
]);

const text = z.string().trim().min(1, 'must not be empty').optional();

// Huawei's enterprise project ids: `0` (default project), `all`, or a UUID.
const ENTERPRISE_PROJECT_ID = /^(?:0|all|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

// Splits a comma-separated list, dropping empty entries.
const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

// An origin as browsers send it: scheme://host[:port], nothing more.
const isOrigin = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
};

const corsOrigins = z
  .string()
  .transform(splitList)
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      if (origin !== '*' && !isOrigin(origin)) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(origin.slice(0, 60))} is not an origin such as https://app.example.com (scheme://host[:port], no path or trailing slash), nor *` });
      }
    }
    if (origins.includes('*') && origins.length > 1) ctx.addIssue({ code: 'custom', message: '* allows every origin and must stand alone' });
  })
  .optional()
  .transform((v) => v ?? []);

// A header name as HTTP defines it (RFC 9110 token), e.g. x-tenant-id.
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

const corsAllowHeaders = z
  .string()
  .transform(splitList)
  .superRefine((names, ctx) => {
    for (const name of names) {
      if (name === '*') ctx.addIssue({ code: 'custom', message: '* is not accepted: list the header names (a wildcard never covers Authorization)' });
      else if (!HEADER_TOKEN.test(name)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name.slice(0, 60))} is not a header name (an HTTP token such as x-tenant-id: letters, digits, - and a few symbols, no spaces or colons, at most 128 characters)` });
    }
  })
  .transform((names) => [...new Set(names.map((name) => name.toLowerCase()))])
  .optional()
  .transform((v) => v ?? []);

// API keys are secrets: messages name the rule and the key's position, never the key.
const apiKeys = z
  .string()
  .transform(splitList)
  .superRefine((keys, ctx) => {
    keys.forEach((key, i) => {
      if (key.length < 16) ctx.addIssue({ code: 'custom', message: `each key must be at least 16 characters (key #${i + 1} is ${key.length})` });
      if (/\s/.test(key)) ctx.addIssue({ code: 'custom', message: `keys must not contain whitespace (key #${i + 1} does)` });
    });
  })
  .optional()
  .transform((v) => v ?? []);

// Operation names are client-chosen label values: only those the operator lists get a series of their own.
const operationNames = z
  .string()
  .transform((value) => [...new Set(splitList(value))])
  .superRefine((names, ctx) => {
    for (const problem of findOperationNameProblems(names)) ctx.addIssue({ code: 'custom', message: problem });
  })
  .optional()
  .transform((v) => v ?? []);

const httpUrl = z.string().trim().url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

// Keys fetched over plain HTTP can be swapped by anyone on the path, who could then sign any token.
// (Refinements run even after `url()` failed: a value that is no URL is left to that message.)
const jwksUrl = httpUrl.refine(
  (u) => { const url = parseUrl(u); return u.startsWith('https://') || !url || isLoopbackHost(url.hostname); },
  'must be an https:// URL (http:// only for a loopback host such as 127.0.0.1 or localhost): keys fetched over plain HTTP can be replaced on the way',
);

const EnvSchema = z.object({
  PORT: int(0, 65535, 4000),
  HOST: z.string().trim().min(1).optional().default('127.0.0.1'),
  HUAWEICLOUD_SDK_AK: text,
  HUAWEICLOUD_SDK_SK: text,
  HUAWEICLOUD_SDK_SECURITY_TOKEN: text,
  HUAWEICLOUD_SDK_DOMAIN_ID: text,
  HUAWEICLOUD_IAM_TOKEN: text,
  // Mandatory for IAM users of accounts with enterprise projects (docs/upstream.md, Enterprise projects).
  HUAWEICLOUD_ENTERPRISE_PROJECT_ID: z
    .string()
    .trim()
    .regex(ENTERPRISE_PROJECT_ID, 'must be 0 (the default project), all (every project) or an enterprise project id (a UUID such as 2f1e8a3c-5b7d-4e9f-a1c2-3d4e5f6a7b8c)')
    .optional(),
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
  UPSTREAM_MAX_ATTEMPTS: int(1, 10, RETRY_DEFAULTS.maxAttempts),
  UPSTREAM_RETRY_BASE_DELAY_MS: int(0, 60000, RETRY_DEFAULTS.baseDelayMs),
  UPSTREAM_RETRY_MAX_DELAY_MS: int(0, 600000, RETRY_DEFAULTS.maxDelayMs),
  // A percentage because the environment carries whole numbers; 30 % transient faults need above 43 (docs/architecture.md, Retry).
  UPSTREAM_RETRY_BUDGET_PERCENT: int(0, 1000, Math.round(RETRY_DEFAULTS.budgetRatio * 100)),
  UPSTREAM_RETRY_BUDGET_PER_SECOND: int(0, 100000, RETRY_DEFAULTS.budgetMinPerSecond),
  UPSTREAM_RETRY_BUDGET_CAPACITY: int(0, 100000, RETRY_DEFAULTS.budgetCapacity),
  CACHE_TTL_MS: int(0, 3600000, 2000),
  // Settled history (past ranges, finished records) changes no more; bounded by an hour all the same (docs/architecture.md, Cache).
  CACHE_SETTLED_TTL_MS: int(0, 3600000, 600000),
  CACHE_MAX_BYTES: int(1024, 4294967296, 33554432),
  // Huawei's per-tenant limits (docs/upstream.md, Rate limits); lower them when other clients share the tenant.
  RATE_LIMIT_URL_TASKS: int(0, 100000, OPERATIONS['url-tasks'].rateLimit),
  RATE_LIMIT_DETAIL: int(0, 100000, OPERATIONS.detail.rateLimit),
  RATE_LIMIT_HISTORYTASKS: int(0, 100000, OPERATIONS.historytasks.rateLimit),
  RATE_LIMIT_REFRESH: int(0, 100000, OPERATIONS.refresh.rateLimit),
  RATE_LIMIT_PREHEAT: int(0, 100000, OPERATIONS.preheat.rateLimit),
  RATE_LIMIT_MARGIN_MS: int(0, 1000, 200),
  // 429s the limiter did not predict (other clients of the account, a replica without Redis) lower the limits for a while.
  RATE_LIMIT_ADAPTIVE: z.enum(['true', 'false']).optional().default('true'),
  RATE_LIMIT_RECOVERY_MS: int(100, 600000, 2000),
  MAX_QUEUED_PER_REQUEST: int(1, 1000, 20),
  MAX_QUEUED_PER_CALLER: int(1, 10000, 40),
  // Fair shares across replicas (docs/architecture.md, Fairness): a victim waits behind at most twice this many slots of each other caller.
  MAX_QUEUED_PER_CALLER_SHARED: int(0, 1000, 1),
  REDIS_URL: z.string().trim().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  // Lets several credentials of one account share its quota on purpose (docs/architecture.md, Shared state).
  UPSTREAM_ACCOUNT_ID: z.string().trim().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ : - (e.g. the account\'s domain id)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  EXPLORER: z.enum(['graphiql', 'sandbox', 'off']).optional().default('graphiql'),
  METRICS_OPERATION_NAMES: operationNames,
  CURSOR_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  CORS_ORIGINS: corsOrigins,
  // Added to the headers every preflight allows (src/http/cors.ts), e.g. a tenant or tracing header of your own.
  CORS_ALLOW_HEADERS: corsAllowHeaders,
  INTROSPECTION: z.enum(['true', 'false']).optional().default('true'),
  AUTH_MODE: z.enum(['none', 'api-key', 'jwt']).optional().default('none'),
  API_KEYS: apiKeys,
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (256 bits for HS256)').optional(),
  JWKS_URL: jwksUrl.optional(),
  JWT_ISSUER: text,
  JWT_AUDIENCE: text,
  // A day: a stolen token stays useful at most this long, however far away its issuer set `exp`.
  JWT_MAX_LIFETIME_S: int(60, 31622400, 86400),
  MAX_DEPTH: int(1, 100, 10),
  MAX_ALIASES: int(0, 1000, 15),
  MAX_TOKENS: int(1, 1000000, 1000),
  MAX_COST: int(1, 100000000, 5000),
  MAX_DETAIL_LOOKUPS: int(1, 100000, 200),
  BODY_LIMIT_BYTES: int(1024, 104857600, 1048576),
  READINESS_TTL_MS: int(1000, 3600000, 10000),
  SHUTDOWN_TIMEOUT_MS: int(1000, 600000, 20000),
  // Slow clients (docs/architecture.md, HTTP server): Node's defaults (60 s for headers, 300 s for
  // a request, no connection cap) let a few sockets trickling bytes hold memory for minutes.
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600000, 10000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 3600000, 30000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600000, 5000),
  HTTP_MAX_CONNECTIONS: int(1, 1000000, 512),
  FEDERATION_TRACE_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  IDEMPOTENCY_TTL_MS: int(1000, 86400000, 600000),
  IDEMPOTENCY_MAX_KEYS: int(1, 1000000, 10000),
  // A quarter of the account's assumed daily quota (docs/upstream.md, Daily quotas: 2000 / 100 / 1000),
  // so no single caller can spend it for everyone.
  CREATE_QUOTA_PER_CALLER_FILES: int(0, 10000000, 500),
  CREATE_QUOTA_PER_CALLER_DIRECTORIES: int(0, 10000000, 25),
  CREATE_QUOTA_PER_CALLER_PREHEATS: int(0, 10000000, 250),
  // Subscriptions (docs/architecture.md#subscriptions): one detail call per followed task every
  // 2 s while it changes, backing off to 10 s; a handful of tasks stays far below the detail quota.
  PROGRESS_POLL_MS: int(100, 60000, 2000),
  PROGRESS_POLL_MAX_MS: int(100, 600000, 10000),
  SUBSCRIPTIONS_PER_CONNECTION: int(1, 1000, 10),
  SUBSCRIPTION_CONNECTIONS_PER_CALLER: int(1, 100000, 20),
  // OpenTelemetry's standard variables (docs/tracing.md): tracing is off until an OTLP endpoint is set.
  ...OTEL_SETTINGS,
});

/** Names of every setting read from the environment (docs are checked against this list). */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));

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
    upstreamRetry: Object.freeze({
      baseDelayMs: e.UPSTREAM_RETRY_BASE_DELAY_MS,
      maxDelayMs: e.UPSTREAM_RETRY_MAX_DELAY_MS,
      budgetRatio: e.UPSTREAM_RETRY_BUDGET_PERCENT / 100,
      budgetMinPerSecond: e.UPSTREAM_RETRY_BUDGET_PER_SECOND,
      budgetCapacity: e.UPSTREAM_RETRY_BUDGET_CAPACITY,
    }),
    cacheTtlMs: e.CACHE_TTL_MS,
    cacheSettledTtlMs: e.CACHE_SETTLED_TTL_MS,
    cacheMaxBytes: e.CACHE_MAX_BYTES,
    rateLimits: Object.freeze(
      Object.fromEntries(OPERATION_NAMES.map((op) => [op, e[OPERATIONS[op].rateLimitEnv as keyof typeof e] as number])) as Record<OperationName, number>,
    ),
    rateLimitMarginMs: e.RATE_LIMIT_MARGIN_MS,
    rateLimitAdaptive: e.RATE_LIMIT_ADAPTIVE === 'true',
    rateLimitRecoveryMs: e.RATE_LIMIT_RECOVERY_MS,
    maxQueuedPerRequest: e.MAX_QUEUED_PER_REQUEST,
    maxQueuedPerCaller: e.MAX_QUEUED_PER_CALLER,
    maxQueuedPerCallerShared: e.MAX_QUEUED_PER_CALLER_SHARED,
    redisUrl: e.REDIS_URL,
    ...(e.UPSTREAM_ACCOUNT_ID === undefined ? {} : { upstreamAccountId: e.UPSTREAM_ACCOUNT_ID }),
    logLevel: e.LOG_LEVEL,
    explorer: e.EXPLORER,
    cursorSecret: e.CURSOR_SECRET ?? randomSecret(),
    cursorSecretGenerated: e.CURSOR_SECRET === undefined,
    metricsOperationNames: Object.freeze([...e.METRICS_OPERATION_NAMES]),
    corsOrigins: Object.freeze([...e.CORS_ORIGINS]),
    corsAllowHeaders: Object.freeze([...e.CORS_ALLOW_HEADERS]),
    introspection: e.INTROSPECTION === 'true',
    callerAuth: toCallerAuth(e),
    queryLimits: Object.freeze({ maxDepth: e.MAX_DEPTH, maxAliases: e.MAX_ALIASES, maxTokens: e.MAX_TOKENS, maxCost: e.MAX_COST, maxDetailLookups: e.MAX_DETAIL_LOOKUPS }),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    readinessTtlMs: e.READINESS_TTL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    httpServer: Object.freeze({
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    }),
    ...(e.FEDERATION_TRACE_SECRET === undefined ? {} : { federationTraceSecret: e.FEDERATION_TRACE_SECRET }),
    ...(e.HUAWEICLOUD_ENTERPRISE_PROJECT_ID === undefined ? {} : { enterpriseProjectId: e.HUAWEICLOUD_ENTERPRISE_PROJECT_ID }),
    idempotencyTtlMs: e.IDEMPOTENCY_TTL_MS,
    idempotencyMaxKeys: e.IDEMPOTENCY_MAX_KEYS,
    createQuotaPerCaller: Object.freeze({
      files: e.CREATE_QUOTA_PER_CALLER_FILES,
      directories: e.CREATE_QUOTA_PER_CALLER_DIRECTORIES,
      preheats: e.CREATE_QUOTA_PER_CALLER_PREHEATS,
    }),
    subscriptions: Object.freeze({
      pollMs: e.PROGRESS_POLL_MS,
      pollMaxMs: e.PROGRESS_POLL_MAX_MS,
      perConnection: e.SUBSCRIPTIONS_PER_CONNECTION,
      connectionsPerCaller: e.SUBSCRIPTION_CONNECTIONS_PER_CALLER,
    }),
    tracing: toTracingSettings(e),
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
  if (e.UPSTREAM_RETRY_BASE_DELAY_MS > e.UPSTREAM_RETRY_MAX_DELAY_MS) {
    problems.push(`UPSTREAM_RETRY_BASE_DELAY_MS (${e.UPSTREAM_RETRY_BASE_DELAY_MS}) must not exceed UPSTREAM_RETRY_MAX_DELAY_MS (${e.UPSTREAM_RETRY_MAX_DELAY_MS}): the first wait's ceiling is the smallest`);
  }
  if (e.CACHE_SETTLED_TTL_MS !== 0 && e.CACHE_SETTLED_TTL_MS < e.CACHE_TTL_MS) {
    problems.push(`CACHE_SETTLED_TTL_MS (${e.CACHE_SETTLED_TTL_MS}) must be 0 (no longer freshness for settled history) or at least CACHE_TTL_MS (${e.CACHE_TTL_MS}): settled answers change less than live ones`);
  }
  if (e.UPSTREAM_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    problems.push(`UPSTREAM_TIMEOUT_MS (${e.UPSTREAM_TIMEOUT_MS}) must not exceed REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS})`);
  }
  const embedded = !e.HUAWEICLOUD_SDK_AK && !e.HUAWEICLOUD_IAM_TOKEN && !e.CDN_ENDPOINT;
  if (embedded && e.PORT !== 0 && e.PORT === e.SIMULATOR_PORT) {
    problems.push(`PORT and SIMULATOR_PORT are both ${e.PORT}: the embedded simulator needs its own port`);
  }
  if (e.CORS_ALLOW_HEADERS.length > 0 && e.CORS_ORIGINS.length === 0) {
    problems.push('CORS_ALLOW_HEADERS is set but CORS_ORIGINS is not: no browser origin may call, so the headers would never be allowed; set CORS_ORIGINS, or unset CORS_ALLOW_HEADERS');
  }
  problems.push(...findCallerAuthContradictions(e));
  problems.push(...findTracingContradictions(e));
  if (e.MAX_QUEUED_PER_CALLER < e.MAX_QUEUED_PER_REQUEST) {
    problems.push(`MAX_QUEUED_PER_CALLER (${e.MAX_QUEUED_PER_CALLER}) must be at least MAX_QUEUED_PER_REQUEST (${e.MAX_QUEUED_PER_REQUEST}): one request of a caller may hold that many`);
  }
  if (e.MAX_COST <= e.MAX_PAGE_SIZE) {
    problems.push(`MAX_COST (${e.MAX_COST}) must exceed MAX_PAGE_SIZE (${e.MAX_PAGE_SIZE}): one full page of a single field costs MAX_PAGE_SIZE + 1`);
  }
  if (e.SHUTDOWN_TIMEOUT_MS < e.REQUEST_TIMEOUT_MS) {
    problems.push(`SHUTDOWN_TIMEOUT_MS (${e.SHUTDOWN_TIMEOUT_MS}) must be at least REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS}): a shutdown would cut off requests still within their deadline`);
  }
  if (e.PROGRESS_POLL_MAX_MS < e.PROGRESS_POLL_MS) {
    problems.push(`PROGRESS_POLL_MAX_MS (${e.PROGRESS_POLL_MAX_MS}) must be at least PROGRESS_POLL_MS (${e.PROGRESS_POLL_MS}): the backoff only lengthens the delay`);
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request`);
  }
  return problems;
}

// Lists caller-authentication settings that contradict AUTH_MODE or each other.
function findCallerAuthContradictions(e: z.infer<typeof EnvSchema>): string[] {
  const problems: string[] = [];
  const jwtSettings = (['JWT_SECRET', 'JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE'] as const).filter((name) => e[name] !== undefined);
  if (e.AUTH_MODE === 'api-key' && e.API_KEYS.length === 0) problems.push('AUTH_MODE=api-key needs API_KEYS (a comma-separated list of keys)');
  if (e.AUTH_MODE !== 'api-key' && e.API_KEYS.length > 0) problems.push(`API_KEYS is set but AUTH_MODE is ${e.AUTH_MODE}: set AUTH_MODE=api-key to use the keys, or unset API_KEYS`);
  if (e.AUTH_MODE === 'jwt' && !e.JWT_SECRET && !e.JWKS_URL) problems.push('AUTH_MODE=jwt needs JWT_SECRET (a shared HMAC secret) or JWKS_URL (the issuer\'s public keys)');
  if (e.JWT_SECRET && e.JWKS_URL) problems.push('JWT_SECRET and JWKS_URL are alternatives: set one of them');
  if (e.AUTH_MODE === 'jwt' && e.JWKS_URL && !e.JWT_SECRET && !e.JWT_AUDIENCE) {
    problems.push('JWKS_URL needs JWT_AUDIENCE (the aud claim your tokens carry for this gateway): an issuer\'s keys usually sign tokens for other applications too, and without an audience check this gateway would accept them all');
  }
  if (e.AUTH_MODE !== 'jwt' && jwtSettings.length > 0) {
    problems.push(`${jwtSettings.join(', ')} ${jwtSettings.length === 1 ? 'is' : 'are'} set but AUTH_MODE is ${e.AUTH_MODE}: set AUTH_MODE=jwt, or unset ${jwtSettings.length === 1 ? 'it' : 'them'}`);
  }
  return problems;
}

// The caller-authentication part of the configuration, from settings already checked for contradictions.
function toCallerAuth(e: z.infer<typeof EnvSchema>): CallerAuthConfig {
  switch (e.AUTH_MODE) {
    case 'none':
      return { mode: 'none' };
    case 'api-key':
      return Object.freeze({ mode: 'api-key', keys: Object.freeze([...e.API_KEYS]) });
    case 'jwt':
      return Object.freeze({ mode: 'jwt', secret: e.JWT_SECRET, jwksUrl: e.JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, maxLifetimeS: e.JWT_MAX_LIFETIME_S });
  }
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
