/**
 * What a task lookup must load, read from the query: a field that resolves to a Task (`task`,
 * `UrlTask.task`, `node`, `nodes`, `_entities`, a create payload's `task`) whose selection
 * reads the task's unfiltered `urls` loads the whole detail at once, which answers the
 * counts too; otherwise a one-record summary is enough. One detail call per task either way,
 * instead of a summary and then the full list (docs/architecture.md, Loaders).
 */
import { isObjectType, type FieldNode, type GraphQLField, type GraphQLResolveInfo } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';
import { getArgumentValues } from 'graphql/execution/values';

// Per field-node list (a compiled query reuses it across requests) and per request's variables: the answer.
const memo = new WeakMap<readonly FieldNode[], WeakMap<object, boolean>>();
// Stands for "no variables" as a WeakMap key.
const NO_VARIABLES = {};

/**
 * Tells whether the Task(s) the field being resolved returns will read their unfiltered
 * `Task.urls` (fragments, inline fragments on Task or Node, aliases and @skip/@include
 * followed); false without resolve info.
 */
export function selectsTaskUrls(info: GraphQLResolveInfo | undefined): boolean {
  if (!info) return false;
  const variables: object = info.variableValues ?? NO_VARIABLES;
  let byVariables = memo.get(info.fieldNodes);
  const known = byVariables?.get(variables);
  if (known !== undefined) return known;
  const answer = readsUnfilteredUrls(info);
  if (!byVariables) memo.set(info.fieldNodes, (byVariables = new WeakMap()));
  byVariables.set(variables, answer);
  return answer;
}

// Walks the selection under the field as if it resolved to a Task.
function readsUnfilteredUrls(info: GraphQLResolveInfo): boolean {
  const taskType = info.schema.getType('Task');
  if (!isObjectType(taskType)) return false;
  const urls = taskType.getFields().urls;
  if (!urls) return false;
  try {
    const fields = collectSubfields(info.schema, info.fragments, info.variableValues, taskType, info.fieldNodes);
    for (const nodes of fields.values()) {
      for (const node of nodes) if (node.name.value === 'urls' && isUnfiltered(urls, node, info.variableValues)) return true;
    }
  } catch {
    // A selection the walk cannot read (not expected after validation): the summary, as before.
  }
  return false;
}

// Whether a `urls` field asks for every URL of the task (no status or url filter): what the full load answers.
function isUnfiltered(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: GraphQLResolveInfo['variableValues']): boolean {
  const filter = getArgumentValues(field, node, variables).filter as { status?: unknown; url?: unknown } | null | undefined;
  return filter == null || (filter.status == null && filter.url == null);
}
