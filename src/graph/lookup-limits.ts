/**
 * Which fields cost upstream task detail calls, and the cap on the id lists that ask for
 * them. Every task lookup goes through the loaders (docs/architecture.md, "The request
 * path"), one detail call per distinct task: `nodes(ids:)` and Federation
 * `_entities(representations:)` take one per item, `task`, `node`, `UrlTask.task` and
 * `Task.urls` one per object they resolve on. The cost rule (src/graph/cost.ts) multiplies
 * these by the pages they are nested in, so that one request cannot reserve more of the
 * shared detail quota than `MAX_DETAIL_LOOKUPS` (src/graph/limits.ts).
 */
import { badUserInput, type GatewayError } from '../errors';

/** Most items one `nodes(ids:)` or `_entities(representations:)` call may ask for. */
export const MAX_NODE_IDS = 100;

/**
 * Fields ("Type.field") that make task detail lookups: to the name of the list argument each
 * of whose items costs one (and which `MAX_NODE_IDS` caps), or null for one lookup per resolution.
 */
export const DETAIL_LOOKUP_FIELDS: Readonly<Record<string, string | null>> = Object.freeze({
  'Query.nodes': 'ids',
  'Query._entities': 'representations',
  'Query.node': null,
  'Query.task': null,
  'UrlTask.task': null,
  'Task.urls': null,
});

/** Returns the error refusing a lookup list of `length` items, or null when the length is within `MAX_NODE_IDS`. */
export function checkLookupList(field: string, argument: string, length: number): GatewayError | null {
  if (length <= MAX_NODE_IDS) return null;
  return badUserInput(`${field} takes at most ${MAX_NODE_IDS} ${argument}; got ${length}`);
}
