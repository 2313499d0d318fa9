/**
 * `totalCount` of a url-tasks connection: the sum of its windows' totals. The page's own
 * fetches already returned the totals of the windows they touched; only the others cost a
 * call each (`limit=1`, in parallel), and only when a client asks for the count.
 */
import type { FetchResult } from './knowledge';
import type { FetchWindow } from './run';
import type { ConnectionPage, WindowTotal } from './step';
import type { FetchRequest } from './wants';
import type { TimeWindow } from './windows';

/** Lists the windows whose total the page's fetches did not return. */
export function windowsNeedingTotal(page: Pick<ConnectionPage<unknown>, 'windowTotals'>): TimeWindow[] {
  return page.windowTotals.filter((entry) => entry.total === null).map((entry) => entry.window);
}

/** Returns the cheapest calls that tell the missing totals: one `limit=1` call per window. */
export function totalCountRequests(page: Pick<ConnectionPage<unknown>, 'windowTotals'>): FetchRequest[] {
  return windowsNeedingTotal(page).map((window) => ({ window, offset: 0, limit: 1 }));
}

/** Sums the page's totals with the answers to `totalCountRequests` (aligned with them). */
export function sumTotalCount(page: Pick<ConnectionPage<unknown>, 'windowTotals'>, answers: ReadonlyArray<Pick<FetchResult<unknown>, 'total'>>): number {
  const missing = page.windowTotals.filter((entry) => entry.total === null).length;
  if (answers.length !== missing) throw new RangeError(`sumTotalCount needs one answer per window without a total (${missing}); got ${answers.length}`);
  return sumKnown(page.windowTotals) + answers.reduce((sum, answer) => sum + answer.total, 0);
}

/** Computes `totalCount`, fetching the missing window totals in parallel. */
export async function resolveTotalCount<R>(page: Pick<ConnectionPage<R>, 'windowTotals'>, fetch: FetchWindow<R>): Promise<number> {
  const answers = await Promise.all(totalCountRequests(page).map((request) => fetch(request)));
  return sumTotalCount(page, answers);
}

// The sum of the totals the page saw.
function sumKnown(totals: readonly WindowTotal[]): number {
  return totals.reduce((sum, entry) => sum + (entry.total ?? 0), 0);
}
