/**
 * Query cost, weighted by page sizes: every field costs 1, and a field that returns a page
 * multiplies the cost of what it selects by how many items it may return — `first`/`last`
 * (literal or variable), the default page size when neither is given, or the length of a
 * list argument such as `ids` or `representations`. Pure: schema, document and variables in,
 * a number out. Introspection fields cost nothing, so explorers can always load the schema.
 *
 * The same walk counts upstream detail lookups (the fields src/graph/lookup-limits.ts lists),
 * multiplied the same way, so that aliases of `nodes(ids:)` add up (docs/architecture.md, "Fairness").
 */
import {
  getNamedType,
  getVariableValues,
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
  valueFromASTUntyped,
} from 'graphql';

/** Settings of the estimate. */
export interface CostOptions {
  /** The page size a connection field returns when neither `first` nor `last` is given. */
  readonly defaultPageSize: number;
  /** Which fields make upstream detail lookups (src/graph/lookup-limits.ts). @default none */
  readonly lookups?: LookupModel;
}

/** What a field costs in lookups, given what the request already holds where it is resolved. */
export interface LookupStep {
  /** Whether the field makes a lookup (per item of `listArgument` when given, else one per resolution). */
  readonly lookup: boolean;
  /** The list argument each of whose items makes one lookup. */
  readonly listArgument?: string;
  /**
   * Weighs the field's lookups from its arguments' values (literal or variable, by name) instead
   * of one per item or resolution; `undefined` keeps that count. The list cap still reads `listArgument`.
   */
  readonly weigh?: (args: Readonly<Record<string, unknown>>) => number | undefined;
  /** The state its selection is resolved in. */
  readonly childState: string;
}

/**
 * Which fields make lookups: a small state machine walked with the document, so that a field
 * whose data an enclosing lookup already loaded counts nothing.
 */
export interface LookupModel {
  readonly initialState: string;
  /** Steps into the field `coordinate` ("Type.field") in `state`. */
  step(coordinate: string, node: FieldNode, state: string): LookupStep;
}

/** The longest list argument of a lookup field in the operation. */
export interface LookupList {
  /** The field's name as the schema spells it (`nodes`, `_entities`). */
  readonly field: string;
  readonly argument: string;
  readonly length: number;
}

/** What one operation may cost. */
export interface CostEstimate {
  /** Fields weighted by the pages they are nested in. */
  readonly cost: number;
  /** Most upstream detail lookups the operation may make: each lookup field times the pages it is nested in. */
  readonly lookups: number;
  /** The longest lookup list argument, when there is one. */
  readonly longestList: LookupList | null;
}

const NOTHING: CostEstimate = { cost: 0, lookups: 0, longestList: null };

/** Estimates the cost of the operation `operationName` (or the only one) of a document; 0 when there is none. */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  options: CostOptions,
): number {
  return analyseOperation(schema, document, operationName, variables, options).cost;
}

/**
 * Estimates cost, detail lookups and the longest lookup list of the operation `operationName`
 * (or the only one). `variables` are the request's as sent: they are coerced here as execution
 * will coerce them, so a variable left out counts at its default (`$n: Int = 100`).
 */
export function analyseOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  options: CostOptions,
): CostEstimate {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return NOTHING;
  const values = coerceVariables(schema, operation, variables);
  const model = options.lookups;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  // Fragment estimates depend only on the lookup state where they are spread, so each is computed once per state (no blow-up on repeated spreads).
  const fragmentEstimates = new Map<string, CostEstimate>();
  const inProgress = new Set<string>();

  const selectionEstimate = (set: SelectionSetNode, parent: GraphQLNamedType | null | undefined, state: string): CostEstimate => {
    let total = NOTHING;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total = add(total, fieldEstimate(selection, parent, state));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total = add(total, selectionEstimate(selection.selectionSet, type, state));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const key = `${name}\n${state}`;
        if (!fragment || inProgress.has(name)) continue;
        if (!fragmentEstimates.has(key)) {
          inProgress.add(name);
          fragmentEstimates.set(key, selectionEstimate(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), state));
          inProgress.delete(name);
        }
        total = add(total, fragmentEstimates.get(key) ?? NOTHING);
      }
    }
    return total;
  };

  const fieldEstimate = (node: FieldNode, parent: GraphQLNamedType | null | undefined, state: string): CostEstimate => {
    if (node.name.value.startsWith('__')) return NOTHING;
    const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
    const step = model && parent ? model.step(`${parent.name}.${node.name.value}`, node, state) : { lookup: false, childState: state };
    const list = step.listArgument !== undefined ? lookupList(node, step.listArgument, values) : null;
    const weighed = step.lookup && step.weigh ? step.weigh(argumentValues(node, values)) : undefined;
    const own: CostEstimate = { cost: 1, lookups: !step.lookup ? 0 : (weighed ?? (list ? list.length : 1)), longestList: list };
    if (!node.selectionSet) return own;
    const children = selectionEstimate(node.selectionSet, definition ? getNamedType(definition.type) : undefined, step.childState);
    const multiplier = listMultiplier(node, definition, values, options.defaultPageSize);
    return {
      cost: own.cost + multiplier * children.cost,
      lookups: own.lookups + multiplier * children.lookups,
      longestList: longer(own.longestList, children.longestList),
    };
  };

  return selectionEstimate(operation.selectionSet, root, model?.initialState ?? '');
}

// The operation's variables as execution will see them (defaults applied); as sent when they do
// not coerce, since execution then refuses the request before any resolver runs.
function coerceVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  return result.coerced ?? variables;
}

// A lookup field's list argument, literal or variable; null when absent.
function lookupList(node: FieldNode, argument: string, variables: Readonly<Record<string, unknown>>): LookupList | null {
  const value = node.arguments?.find((a) => a.name.value === argument)?.value;
  const length = value ? listLength(value, variables) : undefined;
  return length === undefined ? null : { field: node.name.value, argument, length };
}

// A field's arguments as values, literal or variable (a variable left out is undefined).
function argumentValues(node: FieldNode, variables: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries((node.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
}

function add(a: CostEstimate, b: CostEstimate): CostEstimate {
  return { cost: a.cost + b.cost, lookups: a.lookups + b.lookups, longestList: longer(a.longestList, b.longestList) };
}

function longer(a: LookupList | null, b: LookupList | null): LookupList | null {
  if (!a) return b;
  if (!b) return a;
  return b.length > a.length ? b : a;
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
