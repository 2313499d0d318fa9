/**
 * What lookups of old records may spend of the url-tasks and historytasks quotas. Such a lookup
 * costs no task detail call but one or more calls of those operations (src/graph/archive.ts),
 * whose quotas are smaller than the detail's 30/s: one url-tasks call takes as large a share of
 * its quota (5/s) as 6 detail calls of theirs. MAX_DETAIL_LOOKUPS bounds a request's share of
 * the detail quota; the same share bounds its url-tasks and historytasks calls, counted in
 * detail calls by these weights: statically in the lookup estimate (src/graph/lookup-limits.ts,
 * one call per window of ids) and at run time here (every call, searches included).
 */
import { badUserInput } from '../errors';
import { DETAIL_RETENTION_DAYS, OPERATIONS } from '../cdn/operations';

/** The operations lookups of old records call. */
export type ArchiveOperation = 'url-tasks' | 'historytasks';

/** Returns how many detail calls one call of `operation` weighs: the ratio of their documented (or assumed) quotas, rounded up (url-tasks 6, historytasks 3). */
export function archiveCallWeight(operation: ArchiveOperation): number {
  return Math.ceil(OPERATIONS.detail.rateLimit / OPERATIONS[operation].rateLimit);
}

/** Returns how many calls of `operation` one request's lookups may make: MAX_DETAIL_LOOKUPS divided by the call's weight (33 url-tasks, 66 historytasks by default). */
export function archiveCallLimit(operation: ArchiveOperation, maxDetailLookups: number): number {
  return Math.floor(maxDetailLookups / archiveCallWeight(operation));
}

/** A request's allowance of calls for lookups of old records. */
export interface LookupAllowance {
  /** Takes one call of `operation`; throws BAD_USER_INPUT, before the call, when the request has used all it may. */
  spend(operation: ArchiveOperation): void;
}

/** Creates the allowance of one request. */
export function createLookupAllowance(maxDetailLookups: number): LookupAllowance {
  const spent: Record<ArchiveOperation, number> = { 'url-tasks': 0, historytasks: 0 };
  return {
    spend(operation) {
      const limit = archiveCallLimit(operation, maxDetailLookups);
      if (spent[operation] >= limit) {
        throw badUserInput(
          `Lookups by id of objects older than ${DETAIL_RETENTION_DAYS} days (or that the task detail did not show) may make at most ${limit} ${operation} calls per request ` +
            `(MAX_DETAIL_LOOKUPS ${maxDetailLookups}, one ${operation} call weighing ${archiveCallWeight(operation)} detail calls), and this request needs more. ` +
            'Ask for fewer such ids per request, or for ids created closer together (records within 15 minutes, tasks within 24 hours of each other share calls).',
        );
      }
      spent[operation]++;
    },
  };
}
