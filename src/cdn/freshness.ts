/**
 * The cache's tiered freshness policy (docs/architecture.md, Cache): how long a successful
 * upstream answer may be served again, decided from the call and the answer alone. Pure.
 *
 * The upstream creates records at its "now" and never in the past, so a url-tasks or
 * historytasks range whose end lies in the past (beyond a margin for clock skew and upstream
 * lag) gains nothing; what can still change in it are the statuses of records that have not
 * finished. Three tiers:
 *
 * - **live**: a range that reaches into the last `liveMarginMs` (or names no end: the
 *   upstream's default is the current day), a task still in progress, anything else:
 *   `liveTtlMs` (CACHE_TTL_MS, 2 s).
 * - **settled**: the answer cannot change any more. A past url-tasks range without a status
 *   filter whose listed records are all terminal (SUCCEED/FAILED): its total cannot change
 *   (no record joins or leaves it) and neither can its records. A past historytasks range
 *   without a status filter, ordered by something fixed, whose tasks are all done. A task
 *   detail whose task is done. `settledTtlMs` (CACHE_SETTLED_TTL_MS, 10 min).
 * - **past**: a past range the answer cannot prove settled (a status filter: records may
 *   still move into or out of it; or an unfinished record in view). A tenth of the range's
 *   age, between `liveTtlMs` and `settledTtlMs` (the heuristic of RFC 9111 §4.2.2): a range
 *   that ended 20 minutes ago may be 2 minutes stale, one that ended yesterday 10 minutes.
 *
 * What a settled entry can still miss: records or details leaving the upstream's retention
 * (task details are kept 15 days) are served up to `settledTtlMs` after they are gone.
 */
import type { OperationName } from './operations';
import type { QueryParams } from './signer';

/** How long answers of each tier stay fresh. */
export interface FreshnessPolicy {
  /** Answers that may change at any moment (CACHE_TTL_MS). */
  readonly liveTtlMs: number;
  /** Answers that can no longer change, and the bound of the past tier (CACHE_SETTLED_TTL_MS); at most `liveTtlMs` turns the tiers off. */
  readonly settledTtlMs: number;
  /** How far behind the answer's time a range's end must lie to count as past (clock skew and upstream lag). @default LIVE_MARGIN_MS */
  readonly liveMarginMs?: number;
}

/** The freshness tier of an answer. */
export type FreshnessTier = 'live' | 'past' | 'settled';

/** What the policy reads of a call: its operation and query. */
export type FreshnessRequest = { readonly operation: OperationName; readonly query?: QueryParams };

/** Default margin behind "now" within which a range still counts as live: 5 minutes. */
export const LIVE_MARGIN_MS = 5 * 60_000;

/** Share of a past range's age its answers stay fresh (RFC 9111 §4.2.2 suggests a tenth). */
export const PAST_TTL_FRACTION = 0.1;

// URL record statuses after which a record never changes (url-tasks sends them upper case, details lower case).
const TERMINAL_URL_STATUSES = new Set(['succeed', 'failed']);
// historytasks orders whose keys never change once a task exists (processing/succeed/failed counts do).
const FIXED_TASK_ORDERS = new Set([undefined, 'create_time', 'task_type', 'total']);

/** Returns how many ms after `producedAt` (when its attempt was sent) an answer stays fresh. */
export function freshnessTtl(policy: FreshnessPolicy, req: FreshnessRequest, json: unknown, producedAt: number): number {
  const { liveTtlMs, settledTtlMs } = policy;
  if (!(settledTtlMs > liveTtlMs)) return liveTtlMs;
  const tier = freshnessTier(req, json, producedAt, policy.liveMarginMs);
  if (tier === 'settled') return settledTtlMs;
  if (tier === 'live') return liveTtlMs;
  const age = producedAt - (rangeEnd(req) ?? producedAt);
  return Math.round(Math.min(settledTtlMs, Math.max(liveTtlMs, age * PAST_TTL_FRACTION)));
}

/** Decides the tier of a successful answer to `req`, produced at `producedAt` (epoch ms). */
export function freshnessTier(req: FreshnessRequest, json: unknown, producedAt: number, liveMarginMs: number = LIVE_MARGIN_MS): FreshnessTier {
  if (req.operation === 'detail') return taskDone(json) && allTerminal(field(json, 'urls') ?? []) ? 'settled' : 'live';
  if (req.operation !== 'url-tasks' && req.operation !== 'historytasks') return 'live';
  const end = rangeEnd(req);
  if (end === undefined || end > producedAt - liveMarginMs) return 'live';
  if (req.query?.status !== undefined) return 'past';
  if (req.operation === 'url-tasks') return allTerminal(field(json, 'result')) ? 'settled' : 'past';
  const order = req.query?.order_field;
  const tasks = field(json, 'tasks');
  return FIXED_TASK_ORDERS.has(order === undefined ? undefined : String(order)) && Array.isArray(tasks) && tasks.every(taskDone) ? 'settled' : 'past';
}

/** Returns the end of the range a url-tasks or historytasks call asks about (epoch ms), or `undefined` when it names none. */
export function rangeEnd(req: FreshnessRequest): number | undefined {
  const value = req.operation === 'url-tasks' ? req.query?.end_time : req.operation === 'historytasks' ? req.query?.end_date : undefined;
  if (value === undefined || value === '') return undefined;
  const end = Number(value);
  return Number.isFinite(end) ? end : undefined;
}

// Tells whether every record of a list is in a terminal status (false for anything but a list of records).
function allTerminal(records: unknown): boolean {
  return Array.isArray(records) && records.every((r) => TERMINAL_URL_STATUSES.has(String(field(r, 'status') ?? '').toLowerCase()));
}

// Tells whether a task (a historytasks entry or a detail) is done.
function taskDone(task: unknown): boolean {
  return field(task, 'status') === 'task_done';
}

// A property of a JSON object, or undefined for anything else.
function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}
