/**
 * Builds a url-tasks page from upstream answers, one round of parallel fetches at a time.
 * `stepConnection(plan, fetched)` is pure: given everything fetched so far, it answers either
 * the finished page or the next round of fetch requests (run.ts drives the loop).
 *
 * A step locates where the page starts or ends (locate.ts), builds the page's places and flags
 * from there (build.ts) and, once every record is known, assembles edges and cursors
 * (assemble.ts). The list model (windows, offsets, cuts) is described in cut.ts.
 *
 * Within one request the rounds are milliseconds apart, but a window can still change
 * between them: an answer with a different total, or records out of order with earlier ones,
 * makes the earlier records of that window count as unseen (knowledge.ts): a page is not
 * stitched from two states of a window that differ in size or order. (A change that keeps
 * both, one record leaving and another joining between two calls, stays invisible.)
 */
import { GatewayError } from '../errors';
import { assemble } from './assemble';
import { buildBackward, buildForward } from './build';
import type { Ctx } from './cut';
import { Knowledge, type Fetched, type PageRecord } from './knowledge';
import { locate } from './locate';
import type { Edge, PageInfo } from './page-info';
import type { ConnectionPlan } from './plan';
import { Wants, type FetchRequest } from './wants';
import type { TimeWindow } from './windows';

/** A window's total as the page's fetches saw it; null when the page did not need it. */
export interface WindowTotal {
  readonly window: TimeWindow;
  readonly total: number | null;
}

/** A finished page. */
export interface ConnectionPage<R> {
  /** The records of the page, in list order. */
  readonly nodes: readonly R[];
  /** The same records with their cursors (built when first read). */
  readonly edges: ReadonlyArray<Edge<R>>;
  readonly pageInfo: PageInfo;
  /** Every window of the range, newest first, with the total seen (for `totalCount`). */
  readonly windowTotals: readonly WindowTotal[];
}

/** The outcome of a step: the page, or the next round of fetches (all may run in parallel). */
export type ConnectionStep<R> =
  | { readonly kind: 'page'; readonly page: ConnectionPage<R> }
  | { readonly kind: 'fetch'; readonly requests: readonly FetchRequest[] };

/** Returns the page when the fetched results settle it, else the next round's fetch requests. */
export function stepConnection<R extends PageRecord>(plan: ConnectionPlan, fetched: ReadonlyArray<Fetched<R>>): ConnectionStep<R> {
  const known = new Knowledge<R>(plan.windows, fetched);
  const wants = new Wants(plan.windows, (w) => known.total(w));
  const ctx: Ctx<R> = { plan, known, wants, lastWindow: plan.windows.length };
  const located = locate(ctx);
  if (located) {
    const built = plan.direction === 'forward' ? buildForward(ctx, located) : buildBackward(ctx, located);
    if (built && located.settled && !wants.pending) return { kind: 'page', page: assemble(ctx, built) };
  }
  const requests = wants.toRequests();
  // Every part asks only for unknown offsets or totals; asking for nothing would loop forever.
  if (requests.length === 0) throw new Error('pagination planner found neither a page nor anything to fetch');
  return { kind: 'fetch', requests };
}

/** Thrown when the records keep changing under the planner for `rounds` rounds of fetches. */
export function tooManyRounds(rounds: number): GatewayError {
  return new GatewayError(
    'UPSTREAM_ERROR',
    `url-task records changed faster than the gateway could page through them (gave up after ${rounds} rounds of upstream calls); retry the request`,
    { retryable: true },
  );
}
