/**
 * Federation `_entities` representations, checked before anything runs. A router only sends
 * back what this subgraph gave it, `{ __typename: "Task" | "UrlTask", id: <that object's
 * global id> }`; anything else (another subgraph's type, no `id`, a number, a malformed id)
 * is the caller's mistake. One such representation refuses the whole request with one
 * `BAD_USER_INPUT` (HTTP 400) naming the first few offending indexes, before any resolver or
 * upstream call, like the lookup-list cap (src/graph/lookup-limits.ts). Without this check,
 * Apollo's `_entities` resolver raised one internal error (with a stack in the logs) per
 * representation. A well-formed id of an object that does not exist still resolves to null.
 */
import {
  getArgumentValues,
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { badUserInput, CODES, type GatewayError } from '../errors';
import { truncateClientText } from './client-text';
import type { GraphContext } from './context';
import { fromGlobalId } from './ids';
import { MAX_NODE_IDS } from './lookup-limits';

/** The entity types of this subgraph (`@key(fields: "id")`). */
export const ENTITY_TYPES: ReadonlySet<string> = new Set(['Task', 'UrlTask']);

/** Offending representations named in the refusal; the rest are counted. */
export const SHOWN_PROBLEMS = 5;

// Characters of a client's __typename quoted in a refusal.
const SHOWN_TYPENAME = 40;

/** Returns what is wrong with one representation, or null when the gateway can resolve it. */
export function representationProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `is ${describe(value)}, not an object`;
  const { __typename: typename, id } = value as Record<string, unknown>;
  if (typeof typename !== 'string') return typename === undefined ? 'has no __typename' : `has a __typename that is ${describe(typename)}, not a string`;
  if (!ENTITY_TYPES.has(typename)) return `__typename ${JSON.stringify(truncateClientText(typename, SHOWN_TYPENAME))} is not an entity of this subgraph (Task or UrlTask)`;
  if (id === undefined || id === null) return 'has no id';
  if (typeof id !== 'string') return `id is ${describe(id)}, not a string`;
  if (fromGlobalId(id)?.type !== typename) return `id is not the global id of a ${typename}`;
  return null;
}

/** Returns the error refusing one `_entities` field's representations, or null when every one can be resolved. */
export function checkRepresentations(representations: readonly unknown[]): GatewayError | null {
  const problems: string[] = [];
  representations.forEach((value, index) => {
    const problem = representationProblem(value);
    if (problem !== null) problems.push(`[${index}] ${problem}`);
  });
  if (problems.length === 0) return null;
  const more = problems.length - SHOWN_PROBLEMS;
  return badUserInput(
    `_entities: ${problems.length} of ${representations.length} representations cannot be resolved, so none was: ` +
      `${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more > 0 ? `; and ${more} more` : ''}. ` +
      'Each must be {__typename: "Task" or "UrlTask", id: that object\'s global id, as this subgraph returned it}.',
  );
}

/**
 * Returns the representations of each `_entities` field the operation `operationName` (or the
 * only one) selects, through fragments too, with `variables` coerced as execution will coerce
 * them. A field whose arguments do not coerce is left out: execution refuses it anyway.
 */
export function entityRepresentations(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
): unknown[][] {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  const field = schema.getQueryType()?.getFields()._entities;
  if (!operation || operation.operation !== 'query' || !field) return [];
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const nodes: FieldNode[] = [];
  const visited = new Set<string>();
  // `_entities` is a field of Query only, so only the root selection (and the fragments spread there) can hold it.
  const walk = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '_entities') nodes.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  // Most requests hold no `_entities`: their variables are not coerced here.
  if (nodes.length === 0) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  if (!coerced.coerced) return [];
  const values = coerced.coerced;
  return nodes.map((node) => argumentList(field, node, values)).filter((list): list is unknown[] => list !== undefined);
}

/** Refuses a request, once its operation is known and before any resolver runs, when an `_entities` representation cannot be resolved. */
export function representationsPlugin(): ApolloServerPlugin<GraphContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          for (const list of entityRepresentations(schema, document, operationName, request.variables ?? {})) {
            // A list over the cap is refused by the lookup limits (src/graph/limits.ts) without reading it.
            if (list.length > MAX_NODE_IDS) continue;
            const refused = checkRepresentations(list);
            if (refused) throw new GraphQLError(refused.message, { extensions: { code: CODES.BAD_USER_INPUT, http: { status: 400 } } });
          }
        },
      };
    },
  };
}

// The `representations` argument of one `_entities` field; undefined when it does not coerce.
function argumentList(field: Parameters<typeof getArgumentValues>[0], node: FieldNode, variables: Readonly<Record<string, unknown>>): unknown[] | undefined {
  try {
    const value = getArgumentValues(field, node, variables).representations;
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// Names a value's kind for a refusal, without quoting it.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
