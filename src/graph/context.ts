/**
 * The per-request context: the deadline and cancellation of this GraphQL request, the
 * upstream API, and this request's DataLoaders (never shared between requests).
 */
import { setMaxListeners } from 'node:events';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { CdnClient } from '../cdn/client';
import type { CallOptions } from '../cdn/options';
import type { HistoryTasksParams, TaskDetailParams, UrlTasksParams } from '../cdn/params';
import { scopeToEnterpriseProject } from '../cdn/enterprise-project';
import { createLoaders, DEFAULT_MAX_DETAIL_LOOKUPS, type Loaders } from './loaders';
import { createIdempotentRunner, type IdempotentRunner } from './idempotency';
import { createCreateQuota, type CreateQuota } from './create-quota';
import type { ProgressHub } from './progress/hub';

/** What the graph needs of the upstream client: the reads and the two creates, typed by src/cdn. */
export type CdnApi = Pick<CdnClient, 'urlTasks' | 'historyTasks' | 'taskDetail' | 'createRefreshTask' | 'createPreheatTask'>;

export type { CallOptions, HistoryTasksParams, TaskDetailParams, UrlTasksParams };

/** Paging settings resolvers need. */
export interface PagingSettings {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly maxRangeDays: number;
  readonly cursorSecret: string;
}

/** Per-request context handed to every resolver. */
export interface GraphContext {
  readonly requestId: string;
  /** Absolute deadline (epoch ms) of this GraphQL request. */
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly cdn: CdnApi;
  /** Call options for this request (deadline, cancellation, request id, caller and request tag). */
  readonly call: CallOptions;
  readonly loaders: Loaders;
  readonly paging: PagingSettings;
  readonly now: () => number;
  readonly logger: Logger;
  /** The gateway's idempotent runs of create mutations (shared by requests, unlike the loaders; by replicas too with Redis). */
  readonly idempotency: IdempotentRunner;
  /** Who called (src/http/caller-id.ts): idempotency keys and daily create caps are kept per caller. */
  readonly callerId: string;
  /** The gateway's per-caller daily create caps (shared by requests). */
  readonly createQuota: CreateQuota;
  /** The gateway's shared task pollers (subscriptions); absent where subscriptions are not served. */
  readonly progress?: ProgressHub;
}

/** Inputs of `createContext`. */
export interface ContextInputs {
  readonly requestId: string;
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly cdn: CdnApi;
  readonly config: Pick<Config, 'defaultPageSize' | 'maxPageSize' | 'maxRangeDays' | 'cursorSecret' | 'enterpriseProjectId'> & { readonly queryLimits?: Pick<Config['queryLimits'], 'maxDetailLookups'> };
  readonly now: () => number;
  readonly logger: Logger;
  /** The gateway's idempotent runs; without them, keys only repeat results within this request. */
  readonly idempotency?: IdempotentRunner;
  /** Who called. @default 'anonymous' */
  readonly callerId?: string;
  /** The gateway's per-caller daily create caps; without them, no per-caller cap applies. */
  readonly createQuota?: CreateQuota;
  /** The gateway's shared task pollers, for subscriptions. */
  readonly progress?: ProgressHub;
}

// Numbers requests so that each one's upstream calls carry a tag no client can choose (request ids can be).
let requestCount = 0;

// Window of the per-request fallback store (a request never outlives it).
const REQUEST_IDEMPOTENCY_TTL_MS = 600_000;
// Caps of a context built without the gateway's (0 = none).
const NO_CAPS = { files: 0, directories: 0, preheats: 0 };

/** Creates the context of one GraphQL request, with fresh loaders. */
export function createContext(inputs: ContextInputs): GraphContext {
  // Every upstream call of this request listens on its signal; a page fans out into many calls.
  setMaxListeners(0, inputs.signal);
  const call: CallOptions = {
    deadline: inputs.deadline,
    signal: inputs.signal,
    requestId: inputs.requestId,
    ...(inputs.callerId === undefined ? {} : { caller: inputs.callerId }),
    requestTag: `r${++requestCount}`,
  };
  const { defaultPageSize, maxPageSize, maxRangeDays, cursorSecret } = inputs.config;
  // Here, so that every call a resolver or loader makes carries HUAWEICLOUD_ENTERPRISE_PROJECT_ID.
  const cdn = scopeToEnterpriseProject(inputs.cdn, inputs.config.enterpriseProjectId);
  return {
    requestId: inputs.requestId,
    deadline: inputs.deadline,
    signal: inputs.signal,
    cdn,
    call,
    loaders: createLoaders(cdn, call, { maxDetailLookups: inputs.config.queryLimits?.maxDetailLookups ?? DEFAULT_MAX_DETAIL_LOOKUPS }),
    paging: { defaultPageSize, maxPageSize, maxRangeDays, cursorSecret },
    now: inputs.now,
    logger: inputs.logger,
    idempotency: inputs.idempotency ?? createIdempotentRunner({ ttlMs: REQUEST_IDEMPOTENCY_TTL_MS, maxKeys: 100, now: inputs.now }),
    callerId: inputs.callerId ?? 'anonymous',
    createQuota: inputs.createQuota ?? createCreateQuota({ caps: NO_CAPS, now: inputs.now }),
    ...(inputs.progress ? { progress: inputs.progress } : {}),
  };
}
