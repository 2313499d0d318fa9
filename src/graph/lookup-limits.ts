/**
 * Which fields cost upstream task detail calls, and the cap on the id lists that ask for
 * them. Every task lookup goes through the per-request loaders (docs/architecture.md,
 * "DataLoader by task id"), one detail call per distinct task. The cost rule (src/graph/cost.ts) multiplies
 * these by the pages they are nested in, so that one request cannot reserve more of the
 * shared detail quota than `MAX_DETAIL_LOOKUPS` (src/graph/limits.ts).
 */
import { badUserInput, type GatewayError } from '../errors';
import type { LookupModel, LookupStep } from './cost';

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
 */
export const DETAIL_LOOKUPS: LookupModel = {
  initialState: 'none',
  step(coordinate, node, current): LookupStep {
    const state = resolveState(coordinate, current as TaskState);
    switch (coordinate) {
      case 'Query.nodes':
        return { lookup: true, listArgument: 'ids', childState: 'lookup' };
      case 'Query._entities':
        return { lookup: true, listArgument: 'representations', childState: 'lookup' };
      case 'Query.node':
        return { lookup: true, childState: 'lookup' };
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
