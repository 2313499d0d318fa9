/**
 * The client's public option and call types, and the normalizers that apply defaults or
 * throw a `TypeError` stating the contract and the value received (never a secret's value).
 */
import type { ErrorCode } from '../errors';
import type { OperationName } from './models';

/** How the client authenticates: AK/SK signing (optionally temporary or domain-scoped) or an IAM token. */
export type CdnAuth =
  | {
      readonly kind: 'aksk';
      readonly ak: string;
      readonly sk: string;
      /** Temporary credentials' token, sent (and signed) as `X-Security-Token`. */
      readonly securityToken?: string;
      /** Sent (and signed) as `X-Domain-Id`. */
      readonly domainId?: string;
    }
  | { readonly kind: 'token'; readonly token: string };

/** Retry settings; every field optional. */
export interface RetryOptions {
  /** Attempts per call, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Ceiling of the first retry's jittered wait. @default 100 */
  readonly baseDelayMs?: number;
  /** Ceiling of any jittered wait (a `Retry-After` may be longer). @default 2000 */
  readonly maxDelayMs?: number;
  /** Retries allowed per call made, across the client. @default 0.5 */
  readonly budgetRatio?: number;
  /** Retries allowed per second regardless of traffic (the budget's floor). @default 1 */
  readonly budgetMinPerSecond?: number;
  /** Most retries the budget can save up. @default 20 */
  readonly budgetCapacity?: number;
  /**
   * Least wait before repeating an attempt the upstream throttled without `Retry-After` (HTTP 429):
   * the upstream's one-second window (createUpstream from the configuration adds RATE_LIMIT_MARGIN_MS). @default 1000
   */
  readonly throttleWaitMs?: number;
}

/**
 * Returns the retry defaults. Five attempts leave a call failing under 30 % independent
 * transient faults with 0.3⁵ = 0.24 % (three left 2.7 %); such a call needs 0.43 retries on
 * average, so the budget deposits 0.5 per call (docs/architecture.md, Retry).
 */
export const RETRY_DEFAULTS: Readonly<Required<RetryOptions>> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  budgetRatio: 0.5,
  budgetMinPerSecond: 1,
  budgetCapacity: 20,
  throttleWaitMs: 1_000,
});

/** One upstream attempt, reported to `onEvent` for logs and metrics (never credentials). */
export interface UpstreamEvent {
  readonly operation: OperationName;
  readonly method: 'GET' | 'POST';
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** `ok`, or the catalogue code the attempt failed with. */
  readonly outcome: 'ok' | ErrorCode;
  readonly durationMs: number;
  /** 1-based attempt number within the call. */
  readonly attempt: number;
  readonly upstreamRequestId?: string;
  /** The gateway request id the call was made for. */
  readonly requestId?: string;
  /** The upstream's own error code of a failed attempt (screened), if it sent one. */
  readonly upstreamCode?: string;
  /** The attempt ended because its caller went away (client gone, request abandoned), not because of the upstream. */
  readonly cancelled?: boolean;
}

/** Options of `createCdnClient`. */
export interface CdnClientOptions {
  /** Origin of the CDN API, e.g. `https://cdn.myhuaweicloud.com` or `http://127.0.0.1:9100`. */
  readonly endpoint: string;
  readonly auth: CdnAuth;
  /** Most concurrent connections to the upstream. @default 16 */
  readonly connections?: number;
  /** Most time one attempt may take, and the deadline of a call whose caller gives none, in ms (UPSTREAM_TIMEOUT_MS). @default 10000 */
  readonly timeoutMs?: number;
  /** Most time to establish a connection, in ms (the call's deadline still applies). @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Largest response body accepted, in bytes. @default 33554432 (32 MiB) */
  readonly maxResponseBytes?: number;
  readonly retry?: RetryOptions;
  /** Clock in epoch ms (deadlines, signing dates, budgets). @default Date.now */
  readonly now?: () => number;
  /** Random source in [0, 1) for jitter. @default Math.random */
  readonly random?: () => number;
  /** Called once per upstream attempt; exceptions it throws are ignored. */
  readonly onEvent?: (event: UpstreamEvent) => void;
}

/** Per-call options of every client method. */
export interface CallOptions {
  /** Absolute deadline in epoch ms (the client's clock); default: now + `timeoutMs`. */
  readonly deadline?: number;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
  /** The gateway request id, sent upstream as `X-Request-Id`. */
  readonly requestId?: string;
  /**
   * Called each time an attempt is handed to the transport: from then on the request may reach
   * the CDN. A create that never called it was never sent (refused by the limiter, cancelled
   * while queued), so its idempotency key and quota can be released at once.
   */
  readonly onSend?: () => void;
  /** Who the call is made for; callers share the quota in turn (docs/architecture.md, Fairness). */
  readonly caller?: string;
  /** Names the gateway request the call belongs to (unique per request); the limiter bounds each request's queued attempts. */
  readonly requestTag?: string;
}

/** Options with every default applied. */
export interface NormalizedOptions {
  readonly origin: string;
  readonly host: string;
  readonly auth: CdnAuth;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly retry: Required<RetryOptions>;
  readonly now: () => number;
  readonly random: () => number;
  readonly onEvent?: (event: UpstreamEvent) => void;
}

/** Applies defaults and checks every option, throwing a `TypeError` that names the option, the rule and the value. */
export function normalizeOptions(options: CdnClientOptions): NormalizedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createCdnClient options must be an object; received ${describe(options)}`);
  }
  const { origin, host } = getValidEndpoint(options.endpoint);
  const retry = options.retry ?? {};
  return {
    origin,
    host,
    auth: getValidAuth(options.auth),
    connections: positiveInteger('connections', options.connections, 16),
    timeoutMs: positiveInteger('timeoutMs', options.timeoutMs, 10_000),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 5_000),
    maxResponseBytes: positiveInteger('maxResponseBytes', options.maxResponseBytes, 32 * 1024 * 1024),
    retry: {
      maxAttempts: positiveInteger('retry.maxAttempts', retry.maxAttempts, RETRY_DEFAULTS.maxAttempts),
      baseDelayMs: nonNegativeNumber('retry.baseDelayMs', retry.baseDelayMs, RETRY_DEFAULTS.baseDelayMs),
      maxDelayMs: nonNegativeNumber('retry.maxDelayMs', retry.maxDelayMs, RETRY_DEFAULTS.maxDelayMs),
      budgetRatio: nonNegativeNumber('retry.budgetRatio', retry.budgetRatio, RETRY_DEFAULTS.budgetRatio),
      budgetMinPerSecond: nonNegativeNumber('retry.budgetMinPerSecond', retry.budgetMinPerSecond, RETRY_DEFAULTS.budgetMinPerSecond),
      budgetCapacity: nonNegativeNumber('retry.budgetCapacity', retry.budgetCapacity, RETRY_DEFAULTS.budgetCapacity),
      throttleWaitMs: nonNegativeNumber('retry.throttleWaitMs', retry.throttleWaitMs, RETRY_DEFAULTS.throttleWaitMs),
    },
    now: optionalFunction('now', options.now) ?? Date.now,
    random: optionalFunction('random', options.random) ?? Math.random,
    onEvent: optionalFunction('onEvent', options.onEvent),
  };
}

/** Checks the endpoint: an http(s) origin without path, query or user info. */
export function getValidEndpoint(endpoint: unknown): { origin: string; host: string } {
  const rule = 'CDN client option `endpoint` must be an http(s) origin such as https://cdn.myhuaweicloud.com (no path, query or user info)';
  if (typeof endpoint !== 'string') throw new TypeError(`${rule}; received ${describe(endpoint)}`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`${rule}; received ${JSON.stringify(endpoint)}`);
  }
  if (url.username || url.password) throw new TypeError(`${rule}; received an endpoint with user info`);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
    throw new TypeError(`${rule}; received ${JSON.stringify(endpoint)}`);
  }
  return { origin: url.origin, host: url.host };
}

/** Checks the auth option without ever echoing a secret. */
export function getValidAuth(auth: unknown): CdnAuth {
  if (typeof auth !== 'object' || auth === null) {
    throw new TypeError(`CDN client option \`auth\` must be {kind: 'aksk', ak, sk} or {kind: 'token', token}; received ${describe(auth)}`);
  }
  const a = auth as Record<string, unknown>;
  if (a.kind === 'aksk') {
    requireSecret('auth.ak', a.ak);
    requireSecret('auth.sk', a.sk);
    // Absent and empty mean the same here: an unset environment variable often arrives as ''.
    if (a.securityToken !== undefined && a.securityToken !== '') requireSecret('auth.securityToken', a.securityToken);
    if (a.domainId !== undefined && a.domainId !== '') requireSecret('auth.domainId', a.domainId);
    return auth as CdnAuth;
  }
  if (a.kind === 'token') {
    requireSecret('auth.token', a.token);
    return auth as CdnAuth;
  }
  throw new TypeError(`CDN client option \`auth.kind\` must be 'aksk' or 'token'; received ${describe(a.kind)}`);
}

// Applies a default or checks a positive integer.
function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`CDN client option \`${name}\` must be a positive integer; received ${describe(value)}`);
  }
  return value;
}

// Applies a default or checks a finite number >= 0.
function nonNegativeNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`CDN client option \`${name}\` must be a finite number >= 0; received ${describe(value)}`);
  }
  return value;
}

// Checks an optional function option.
function optionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`CDN client option \`${name}\` must be a function; received ${describe(value)}`);
  }
  return value;
}

// Checks a credential field; the message describes the value's type only, never the value.
function requireSecret(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(
      `CDN client option \`${name}\` must be a non-empty string; received ${typeof value === 'string' ? 'an empty string' : describe(value)}`,
    );
  }
  if (/[\r\n]/.test(value)) throw new TypeError(`CDN client option \`${name}\` must not contain line breaks; received a value that does`);
}

// Describes a non-secret value for a message.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
