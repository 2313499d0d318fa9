/**
 * The one place the upstream client is assembled (docs/architecture.md, Upstream pipeline).
 * main, the tests, the soak and the bench all call `createUpstream`. Its stage list,
 * outermost first:
 *
 *   generation → coalesce → cache → deadline → retry → rate limit → throttle feedback → attempt clock → credentials → attempt timeout → observe → sign → classify → undici transport
 *   └───────── once per call ────────┘             └──────────────────────────────────────────── once per attempt ──────────────────────────────────────────────┘
 *
 * With a tracer (tracing on, docs/tracing.md), three tracing stages join it: the call's span
 * outermost, an attempt's span right inside retry, and the rate-limit wait right after the
 * limiter (src/cdn/stages/trace.ts). Without one they are left out and cost nothing.
 *
 * The generation stage stamps list calls with the tenant's list generation, which creates bump,
 * so that nothing coalesced or cached before a create answers a call made after it.
 * Coalescing and the cache sit outside retry, so a call costs one lookup however many
 * attempts it takes; the rate limiter sits inside, so retries spend quota too, and right inside
 * it the throttle feedback reports upstream 429s, which lower the operation's adapted rate. The attempt
 * clock stamps when an attempt leaves (after any queueing) for the cache's staleness bound;
 * the attempt timeout then bounds that attempt by UPSTREAM_TIMEOUT_MS, leaving the rest of
 * the deadline for a retry. The credentials stage records whether the upstream accepted this
 * gateway's credentials, and the cache serves stored entries only while it did (docs/architecture.md,
 * Shared state). Signing sits inside retry so each attempt carries a fresh
 * signature; classification sits right above the transport, so retry decides on catalogue
 * errors and every stage above sees only parsed successes.
 */
import { createHmac } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import type { Config } from '../config';
import { bindClient, type CdnClient } from './client';
import type { SharedState } from '../state/index';
import { createEconomy, economyOptionsFromConfig, type Economy, type EconomyMetrics, type EconomyOptions } from './economy';
import { normalizeOptions, type CdnAuth, type CdnClientOptions, type NormalizedOptions } from './options';
import { composeStages, type Handler, type RawHandler, type Stage } from './pipeline';
import { createRedactor, type Redactor } from './redact';
import { createRetryBudget } from './retry-budget';
import { attemptTimeoutStage } from './stages/attempt-timeout';
import { classifyStage } from './stages/classify';
import { deadlineStage } from './stages/deadline';
import { observeStage } from './stages/observe';
import { retryStage } from './stages/retry';
import { signStage } from './stages/sign';
import { traceStages } from './stages/trace';
import { createPoolTransport } from './transport';
import type { PollerCoordination } from '../state/types';

/** Options of `createUpstream`: the client's options and the economy's. */
export interface UpstreamOptions extends CdnClientOptions {
  /** Coalescing, cache and rate limits; `false` leaves all three out (the bare client). @default {} (Huawei's limits, a 2 s cache) */
  readonly economy?: EconomyOptions | false;
  /** Wraps the transport, below signing and classification: what it sees is what goes on the wire (tests record requests with it). */
  readonly wrapTransport?: (transport: RawHandler) => RawHandler;
  /**
   * Names the upstream account (UPSTREAM_ACCOUNT_ID): gateways with the same endpoint and account share one
   * quota whatever their credentials; without it the quota follows the credentials (see `quotaScope`).
   */
  readonly accountId?: string;
  /** Records a span per call and per attempt (tracing on, src/telemetry/start.ts); absent, no tracing stage is placed. */
  readonly tracer?: Tracer;
}

/** What the process needs of the economy: metrics, the shared state's kind, status and idempotency records, and its lifecycle. */
export interface EconomyHandles {
  /** Where cache and quota live. */
  readonly stateKind: 'memory' | 'redis';
  /** Coordinates task pollers across replicas for these credentials and `partition` (the enterprise project). */
  pollers(partition: string): PollerCoordination;
  /** What the gateway uses of the shared state: the idempotency records of create mutations, and which parts fall back (/readyz, /metrics). */
  readonly state: Pick<SharedState, 'kind' | 'status' | 'idempotency'>;
  /** Returns the counters since start. */
  metrics(): EconomyMetrics;
  /** Resolves once the shared state is reachable (at once in memory); rejects with a message naming Redis otherwise. */
  connect(): Promise<void>;
  /** Releases the shared state's connections. */
  close(): Promise<void>;
}

/** An assembled upstream: the client, and the economy's handles unless built with `economy: false`. */
export interface Upstream {
  readonly client: CdnClient;
  readonly economy?: EconomyHandles;
  /** Closes the client's pool after in-flight calls, then the economy's shared state. */
  close(): Promise<void>;
}

/** What the stage list is built from. */
export interface StageParts {
  readonly options: NormalizedOptions;
  readonly redact: Redactor;
  readonly economy?: Economy;
  readonly tracer?: Tracer;
}

/** Lists the pipeline's stages above classification, outermost first: the one place their order is written. */
export function upstreamStages({ options: o, economy, tracer }: StageParts): Stage[] {
  // One retry budget per pipeline: it is shared by every call of the client.
  const budget = createRetryBudget(
    { ratio: o.retry.budgetRatio, minPerSecond: o.retry.budgetMinPerSecond, capacity: o.retry.budgetCapacity },
    o.now,
  );
  const traced = tracer ? traceStages(tracer) : undefined;
  const stages: Array<Stage | undefined> = [
    traced?.call,
    economy?.generation,
    economy?.coalesce,
    economy?.cache,
    deadlineStage(o.now),
    retryStage({ policy: o.retry, budget, now: o.now, random: o.random }),
    traced?.attempt,
    economy?.rateLimit,
    traced?.admitted,
    economy?.throttleFeedback,
    economy?.attemptClock,
    economy?.credentials,
    attemptTimeoutStage(o.timeoutMs, o.now),
    o.onEvent ? observeStage(o.onEvent, o.now) : undefined,
    signStage(o.auth, o.host, o.now),
  ];
  return stages.filter((s): s is Stage => s !== undefined);
}

/** Composes the stage list, classification and a transport into the handler the endpoints call. */
export function composeUpstream(parts: StageParts, transport: RawHandler): Handler {
  return composeStages(upstreamStages(parts), classifyStage(parts.options.now, parts.redact)(transport));
}

/** Creates the upstream client with its connection pool and economy; options are checked at once (`TypeError`). */
export function createUpstream(options: UpstreamOptions): Upstream {
  const o = normalizeOptions(options);
  // The scopes follow the credentials this client signs with, unless the economy options name one.
  const e = options.economy;
  const economy =
    e === false
      ? undefined
      : createEconomy({
          now: o.now,
          ...e,
          scope: e?.scope ?? quotaScope(o.origin, o.auth, options.accountId),
          credentialScope: e?.credentialScope ?? credentialScope(o.auth),
        });
  const redact = createRedactor(o.auth.kind === 'aksk' ? [o.auth.ak, o.auth.sk, o.auth.securityToken] : [o.auth.token]);
  const transport = createPoolTransport({
    origin: o.origin,
    connections: o.connections,
    connectTimeoutMs: o.connectTimeoutMs,
    maxResponseBytes: o.maxResponseBytes,
    now: o.now,
  });
  const wire = options.wrapTransport ? options.wrapTransport(transport.handler) : transport.handler;
  const handler = composeUpstream({ options: o, redact, economy, ...(options.tracer ? { tracer: options.tracer } : {}) }, wire);
  const client = bindClient({ handler, now: o.now, timeoutMs: o.timeoutMs }, o.origin, () => transport.close());
  return {
    client,
    economy: economy && {
      stateKind: economy.state.kind,
      pollers: (partition) => economy.pollers(partition),
      state: economy.state,
      metrics: () => economy.metrics(),
      connect: () => economy.connect(),
      close: () => economy.close(),
    },
    async close() {
      await client.close();
      await economy?.close();
    },
  };
}

/** Creates a bare CDN client (no coalescing, cache or rate limits) with its own connection pool. */
export function createCdnClient(options: CdnClientOptions & Pick<UpstreamOptions, 'wrapTransport'>): CdnClient {
  return createUpstream({ ...options, economy: false }).client;
}

/** Maps the validated configuration to `createUpstream` options for the upstream at `endpoint` (the scopes follow `auth`). */
export function upstreamOptionsFromConfig(config: Config, endpoint: string): UpstreamOptions & { readonly economy: EconomyOptions } {
  return {
    endpoint,
    auth: config.upstream.auth,
    connections: config.upstreamConnections,
    timeoutMs: config.upstreamTimeoutMs,
    // A 429 without Retry-After waits for the upstream's next window, with the limiter's margin for jitter.
    retry: { maxAttempts: config.upstreamMaxAttempts, ...config.upstreamRetry, throttleWaitMs: 1000 + config.rateLimitMarginMs },
    ...(config.upstreamAccountId === undefined ? {} : { accountId: config.upstreamAccountId }),
    economy: economyOptionsFromConfig(config),
  };
}

/**
 * Names the account whose quota replicas share (docs/architecture.md, Shared state): the endpoint
 * and UPSTREAM_ACCOUNT_ID when the operator names the account; otherwise the endpoint and the AK;
 * for an IAM token, a keyed hash of the token, so two tokens share a quota only when the
 * operator says they belong to one account. The result is hashed again into Redis keys and is
 * never logged; it holds no secret (never a token or SK).
 */
export function quotaScope(endpoint: string, auth: CdnAuth, accountId?: string): string {
  if (accountId !== undefined) return `${endpoint} account:${accountId}`;
  // The AK form is unchanged from earlier releases, so replicas keep their Redis keys across an upgrade.
  if (auth.kind === 'aksk') return `${endpoint} ${auth.ak}`;
  return `${endpoint} token:${createHmac('sha256', 'cdngw quota scope').update(auth.token).digest('hex')}`;
}

/**
 * Names the credentials whose cached answers replicas share: a hash keyed by the secret (SK or
 * token), so only gateways holding the same credentials share cache entries, even when they share
 * a quota; one that knows an AK but not its SK cannot name the entries of the gateway that does.
 */
export function credentialScope(auth: CdnAuth): string {
  const [secret, label] = auth.kind === 'aksk' ? [auth.sk, `aksk ${auth.ak} ${auth.securityToken ?? ''}`] : [auth.token, 'token'];
  return createHmac('sha256', secret).update(label).digest('hex');
}
