/**
 * Relay connections of the gateway, as pure functions plus one async loop. What resolvers use:
 * - urlTasks, over the upstream's offset/limit in ≤ 24 h windows: `planConnection` checks the
 *   arguments (args.ts) and plans the page (plan.ts), `runConnectionPlan` drives the steps
 *   (run.ts, step.ts) with the fetch function the resolver supplies, `resolveTotalCount` counts.
 * - tasks and Task.urls, over plain offsets: `toOffsetRequest` checks the same arguments and
 *   decodes the cursor, `toOffsetRange`, `pagesCovering` and `sliceFromPages` place the page,
 *   `connectionFromOffsetSlice` builds it, `encodeOffsetCursor` signs its cursors.
 * Every cursor goes through the one codec (cursor.ts) and carries one kind of filter binding
 * (binding.ts); see docs/architecture.md. Tests import the module files directly.
 *
 * ```ts
 * const plan = planConnection({ ...args }, { cursorSecret, now: Date.now(), ...sizes });
 * const fetch = (req) => cdn.urlTasks({ ...plan.filter, startTime: req.window.start,
 *   endTime: req.window.end, offset: req.offset, limit: req.limit });
 * const page = await runConnectionPlan(plan, fetch);
 * const totalCount = () => resolveTotalCount(page, fetch); // only when selected
 * ```
 */
export { connectionFromOffsetSlice, pagesCovering, sliceFromPages, toOffsetRange, toOffsetRequest } from './offset';
export { encodeOffsetCursor, type OffsetScope } from './offset-cursor';
export type { Edge, PageInfo } from './page-info';
export { planConnection } from './plan';
export { runConnectionPlan, type FetchWindow } from './run';
export { resolveTotalCount } from './totals';
