/**
 * The loop around `stepConnection`: ask the planner, run its fetches in parallel, hand the
 * answers back, until the page is settled. The resolver supplies `fetch` (one url-tasks call
 * with the plan's filters added) and gets the page; the loop itself lives here, not there.
 */
import type { FetchResult, Fetched, PageRecord } from './knowledge';
import type { ConnectionPlan } from './plan';
import { stepConnection, tooManyRounds, type ConnectionPage } from './step';
import type { FetchRequest } from './wants';

/** One upstream url-tasks call for a request of the plan (filters added by the caller). */
export type FetchWindow<R> = (request: FetchRequest) => Promise<FetchResult<R>>;

/** Options of `runConnectionPlan`. */
export interface RunOptions {
  /** Rounds of fetches after which the records are deemed to change too fast. @default 40 */
  readonly maxRounds?: number;
}

/** Default round limit: far above what a settled upstream needs (about a dozen at worst). */
export const DEFAULT_MAX_ROUNDS = 40;

/**
 * Executes a plan: each round's requests run in parallel through `fetch`, until the page is
 * built. Throws the error of a failed fetch as is, and an UPSTREAM_ERROR (retryable) when the
 * records keep changing for `maxRounds` rounds.
 */
export async function runConnectionPlan<R extends PageRecord>(
  plan: ConnectionPlan,
  fetch: FetchWindow<R>,
  options: RunOptions = {},
): Promise<ConnectionPage<R>> {
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const fetched: Array<Fetched<R>> = [];
  for (let round = 0; ; round++) {
    const step = stepConnection(plan, fetched);
    if (step.kind === 'page') return step.page;
    if (round >= maxRounds) throw tooManyRounds(round);
    const results = await Promise.all(step.requests.map((request) => fetch(request)));
    step.requests.forEach((request, i) => fetched.push({ request, result: results[i] as FetchResult<R> }));
  }
}
