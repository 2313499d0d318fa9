/**
 * The one table of upstream operations: method, path, message label and rate limit of each
 * (docs/upstream.md, the endpoint sections and Rate limits). Pure data with no imports, so the client,
 * the configuration and the simulator all read it without depending on one another.
 * The operation name is also the metrics label and the cache-key prefix.
 */

/** Operation names, used for rate limits, fault injection, metrics and cache keys. */
export type OperationName = 'url-tasks' | 'historytasks' | 'detail' | 'refresh' | 'preheat';

/** What the project knows about one operation. */
export interface OperationSpec {
  readonly name: OperationName;
  readonly method: 'GET' | 'POST';
  /** Path template; `{id}` stands for the task id. */
  readonly pathTemplate: string;
  /** What a person would call the call, at the start of every error message. */
  readonly label: string;
  /** Calls per second per tenant that the upstream allows (or that we assume it allows). */
  readonly rateLimit: number;
  /** `documented` when Huawei states the limit; `assumed` when the project picked a cautious figure. */
  readonly rateLimitSource: 'documented' | 'assumed';
  /** Environment variable that overrides the gateway's own limit. */
  readonly rateLimitEnv: string;
}

// Huawei documents url-tasks (5/s) and task detail (30/s) only; the other figures are our assumptions.
const SPECS: readonly OperationSpec[] = [
  {
    name: 'url-tasks',
    method: 'GET',
    pathTemplate: '/v1.0/cdn/contentgateway/url-tasks',
    label: 'Listing URL tasks',
    rateLimit: 5,
    rateLimitSource: 'documented',
    rateLimitEnv: 'RATE_LIMIT_URL_TASKS',
  },
  {
    name: 'historytasks',
    method: 'GET',
    pathTemplate: '/v1.0/cdn/historytasks',
    label: 'Listing history tasks',
    rateLimit: 10,
    rateLimitSource: 'assumed',
    rateLimitEnv: 'RATE_LIMIT_HISTORYTASKS',
  },
  {
    name: 'detail',
    method: 'GET',
    pathTemplate: '/v1.0/cdn/historytasks/{id}/detail',
    label: 'Reading a task detail',
    rateLimit: 30,
    rateLimitSource: 'documented',
    rateLimitEnv: 'RATE_LIMIT_DETAIL',
  },
  {
    name: 'refresh',
    method: 'POST',
    pathTemplate: '/v1.0/cdn/content/refresh-tasks',
    label: 'Creating a refresh task',
    rateLimit: 5,
    rateLimitSource: 'assumed',
    rateLimitEnv: 'RATE_LIMIT_REFRESH',
  },
  {
    name: 'preheat',
    method: 'POST',
    pathTemplate: '/v1.0/cdn/content/preheating-tasks',
    label: 'Creating a preheat task',
    rateLimit: 5,
    rateLimitSource: 'assumed',
    rateLimitEnv: 'RATE_LIMIT_PREHEAT',
  },
];

/**
 * Days back the task-detail API finds a task when its `create_time` is sent, and without it
 * (docs/upstream.md#task-detail, "Retention"). Older tasks and their URLs are reached through
 * url-tasks and historytasks instead (docs/architecture.md, "Lookups past the detail retention").
 */
export const DETAIL_RETENTION_DAYS = 15;
/** Days back the task-detail API searches when no `create_time` is sent. */
export const DETAIL_SEARCH_DAYS_WITHOUT_CREATE_TIME = 7;
/** DETAIL_RETENTION_DAYS in milliseconds. */
export const DETAIL_RETENTION_MS = DETAIL_RETENTION_DAYS * 24 * 3600 * 1000;

/** Every operation, in the order messages and metrics list them. */
export const OPERATION_NAMES: readonly OperationName[] = Object.freeze(SPECS.map((s) => s.name));

/** The facts of each operation, by name. */
export const OPERATIONS: Readonly<Record<OperationName, OperationSpec>> = Object.freeze(
  Object.fromEntries(SPECS.map((s) => [s.name, Object.freeze(s)])) as Record<OperationName, OperationSpec>,
);

/** Returns the upstream's per-tenant rate limits by operation, calls per second. */
export function defaultRateLimits(): Record<OperationName, number> {
  return Object.fromEntries(SPECS.map((s) => [s.name, s.rateLimit])) as Record<OperationName, number>;
}

/** Returns the message label of an operation, e.g. `Listing URL tasks (GET /v1.0/cdn/contentgateway/url-tasks)`. */
export function operationLabel(name: OperationName): string {
  const spec = OPERATIONS[name];
  return `${spec.label} (${spec.method} ${spec.pathTemplate})`;
}

/** Returns the `METHOD path-template` key of an operation, as the simulator's stats name it. */
export function routeKey(name: OperationName): string {
  return `${OPERATIONS[name].method} ${OPERATIONS[name].pathTemplate}`;
}

/** Fills a path template's `{id}` with an already-checked task id. */
export function fillPath(name: OperationName, id?: string): string {
  return id === undefined ? OPERATIONS[name].pathTemplate : OPERATIONS[name].pathTemplate.replace('{id}', id);
}

/** Tells whether a value names an operation. */
export function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(OPERATIONS, value);
}
