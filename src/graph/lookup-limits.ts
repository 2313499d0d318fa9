/**
 * Which fields cost upstream task detail calls, and the cap on the id lists that ask for
 * them. Every task lookup goes through the per-request loaders (docs/architecture.md,
 * "DataLoader by task id"), one detail call per distinct task. The cost rule (src/graph/cost.ts) multiplies
 * these by the pages they are nested in, so that one request cannot reserve more of the
 * shared detail quota than `MAX_DETAIL_LOOKUPS` (src/graph/limits.ts). Ids older than the
 * detail retention weigh the url-tasks or historytasks calls that find them, in detail calls
 * (docs/architecture.md, "Lookups past the detail retention").
 */
import { badUserInput, type GatewayError } from '../errors';
import { countLookupWindows, TASK_LOOKUP_GAP_MS } from '../pagination/lookup-windows';
import type { LookupModel, LookupStep } from './cost';
import { isPastDetailRetention } from './archive';
import { fromGlobalId } from './ids';
import { archiveCallWeight } from './lookup-allowance';

/** Most items one `nodes(ids:)` or `_entities(representations:)` call may ask for. */
export const MAX_NODE_IDS = 100;

// What the request's loaders already hold for the task of the object being resolved
// (src/graph/loaders.ts): nothing, the task as its lookup loaded it (`loaded`: the whole detail
// when its unfiltered URLs are selected, else the summary; src/graph/task-selection.ts), or its
// whole detail (`taskWithUrls`, which primes the summary too); `lookup` is the result of a lookup
// by id, which is either, depending on the type it turns out to be.
type TaskState = 'none' | 'lookup' | 'loaded' | 'full';

/**
 * The task detail calls a field makes, following the loaders: `nodes(ids:)` and
 * `_entities(representations:)` one per item, `node` and `task` one; `UrlTask.task` one unless
 * the record's task is already held; unfiltered `Task.urls` one unless its task was looked up
 * (the lookup then loaded the URLs with the counts) or is held whole; filtered `Task.urls`
 * always one (its own call). A UrlTask looked up by id holds its whole task. An upper bound:
 * loaders also share calls across items.
 *
 * Ids of objects older than the detail retention cost no detail call but url-tasks (UrlTask) or
 * historytasks (Task) calls, one per window of ids created close together, each weighing its
 * quota's share in detail calls (`weighLookupIds`; url-tasks 6, historytasks 3). Further calls
 * of such lookups (a search in a crowded window, directories after files, a record the detail did
 * not show) are bounded at run time by the same allowance (src/graph/lookup-allowance.ts).
 * `now` decides which ids are old: the request's clock.
 */
export function detailLookups(now: number): LookupModel {
  const weigh = (ids: unknown) => (Array.isArray(ids) ? weighLookupIds(ids, now) : undefined);
  return {
    initialState: 'none',
    step(coordinate, node, current): LookupStep {
      const state = resolveState(coordinate, current as TaskState);
      switch (coordinate) {
        case 'Query.nodes':
          return { lookup: true, listArgument: 'ids', weigh: (args) => weigh(args.ids), childState: 'lookup' };
        case 'Query._entities':
          return { lookup: true, listArgument: 'representations', weigh: (args) => weigh(representationIds(args.representations)), childState: 'lookup' };
        case 'Query.node':
          return { lookup: true, weigh: (args) => weigh([args.id]), childState: 'lookup' };
        case 'Query.task':
          return { lookup: true, childState: 'loaded' };
        case 'UrlTask.task':
          return state === 'none' ? { lookup: true, childState: 'loaded' } : { lookup: false, childState: state };
        case 'Task.urls':
          // A filter (even a variable that turns out null) is counted as its own call: the upper bound.
          if (node.arguments?.some((a) => a.name.value === 'filter')) return { lookup: true, childState: state };
          // Only a task no lookup loaded costs a call for its URLs: one of `tasks`, or a create payload's (whose load counts here).
          return { lookup: state === 'none', childState: 'full' };
        default:
          return { lookup: false, childState: state };
      }
    },
  };
}
/**
 * Weighs lookups by global id in detail calls: 1 per id the detail API may hold (or that is not
 * ours), and for ids past its retention, per window of creation times, the weight of the first
 * url-tasks (UrlTask) or historytasks (Task) call that window costs.
 */
export function weighLookupIds(ids: readonly unknown[], now: number): number {
  let detail = 0;
  const old = { UrlTask: [] as number[], Task: [] as number[] };
  for (const id of ids) {
    const decoded = typeof id === 'string' ? fromGlobalId(id) : undefined;
    if (decoded?.createTime !== undefined && isPastDetailRetention(decoded.createTime, now)) old[decoded.type].push(decoded.createTime);
    else detail++;
  }
  return detail + countLookupWindows(old.UrlTask) * archiveCallWeight('url-tasks') + countLookupWindows(old.Task, TASK_LOOKUP_GAP_MS) * archiveCallWeight('historytasks');
}

// The ids of `_entities` representations (`{ __typename, id }`); anything else weighs as an id of no object.
function representationIds(representations: unknown): unknown[] | undefined {
  if (!Array.isArray(representations)) return undefined;
  return representations.map((r) => (typeof r === 'object' && r !== null ? (r as { id?: unknown }).id : undefined));
}

// A lookup by id resolves to a UrlTask (whole task loaded) or a Task (loaded as its selection needs).
function resolveState(coordinate: string, state: TaskState): TaskState {
  if (state !== 'lookup') return state;
  if (coordinate.startsWith('UrlTask.')) return 'full';
  if (coordinate.startsWith('Task.')) return 'loaded';
  return 'lookup';
}

/** Returns the error refusing a lookup list of `length` items, or null when the length is within `MAX_NODE_IDS`. */
export function checkLookupList(field: string, argument: string, length: number): GatewayError | null {
  if (length <= MAX_NODE_IDS) return null;
  return badUserInput(`${field} takes at most ${MAX_NODE_IDS} ${argument}; got ${length}`);
}
