/**
 * Query cost, weighted by page sizes: every field costs 1, and a field that returns a page
 * multiplies the cost of what it selects by how many items it may return — `first`/`last`
 * (literal or variable), the default page size when neither is given, or the length of a
 * list argument such as `ids` or `representations`. Pure: schema, document and variables in,
 * a number out. Introspection fields cost nothing, so explorers can always load the schema.
 */
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** Settings of the estimate. */
export interface CostOptions {
  /** The page size a connection field returns when neither `first` nor `last` is given. */
  readonly defaultPageSize: number;
}

/** Estimates the cost of the operation `operationName` (or the only one) of a document; 0 when there is none. */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  options: CostOptions,
): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return 0;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  // Fragment costs do not depend on where they are spread, so each is computed once (no blow-up on repeated spreads).
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  const selectionCost = (set: SelectionSetNode, parent: GraphQLNamedType | null | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += fieldCost(selection, parent);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += selectionCost(selection.selectionSet, type);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || inProgress.has(name)) continue;
        if (!fragmentCosts.has(name)) {
          inProgress.add(name);
          fragmentCosts.set(name, selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)));
          inProgress.delete(name);
        }
        total += fragmentCosts.get(name) ?? 0;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType | null | undefined): number => {
    if (node.name.value.startsWith('__')) return 0;
    const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
    if (!node.selectionSet) return 1;
    const children = selectionCost(node.selectionSet, definition ? getNamedType(definition.type) : undefined);
    return 1 + listMultiplier(node, definition, variables, options.defaultPageSize) * children;
  };

  return selectionCost(operation.selectionSet, root);
}

/** How many items a field may return: `first`/`last`, the default page size for connections, or a list argument's length. */
export function listMultiplier(
  node: FieldNode,
  definition: GraphQLField<unknown, unknown> | undefined,
  variables: Readonly<Record<string, unknown>>,
  defaultPageSize: number,
): number {
  const given = new Map((node.arguments ?? []).map((a) => [a.name.value, a.value]));
  const accepts = new Set(definition?.args.map((a) => a.name) ?? []);
  if (accepts.has('first') || accepts.has('last') || given.has('first') || given.has('last')) {
    const sizes = ['first', 'last'].map((name) => intValue(given.get(name), variables)).filter((n): n is number => n !== undefined);
    return Math.max(1, sizes.length > 0 ? Math.max(...sizes) : defaultPageSize);
  }
  let longest = 1;
  for (const value of given.values()) longest = Math.max(longest, listLength(value, variables) ?? 1);
  return longest;
}

// An Int argument's value, from a literal or a variable.
function intValue(value: ValueNode | undefined, variables: Readonly<Record<string, unknown>>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number.parseInt(value.value, 10);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

// A list argument's length, from a literal or a variable.
function listLength(value: ValueNode, variables: Readonly<Record<string, unknown>>): number | undefined {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return Array.isArray(v) ? v.length : undefined;
  }
  return undefined;
}
