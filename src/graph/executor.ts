/**
 * A graphql-jit executor for Apollo Server. Apollo Server has no executor option, but its
 * gateway interface (`new ApolloServer({ gateway })`) hands every validated operation to the
 * `executor` that the gateway's `load` returns; Apollo still parses, validates, runs the
 * plugins' request hooks, formats errors and serializes. This gateway serves one fixed schema
 * and executes with graphql-jit: each operation is compiled once into a JavaScript function
 * (kept in an LRU by query hash and operation name), which skips graphql-js's per-field
 * argument coercion, resolve-info building and result completion. Compiling costs about as
 * much as parsing and validating (1 ms for a page query), which Apollo does once per new
 * document anyway; the query limits (tokens, depth, aliases) bound both.
 *
 * Resolvers, DataLoaders, scalars and errors are the schema's own, so results are the same as
 * graphql-js's: test/integration/executor-parity.test.ts runs the query corpus through both.
 *
 * A request that gets a federated trace (`apollo-federation-include-trace: ftv1` from a router
 * holding FEDERATION_TRACE_SECRET, see federation-trace.ts) runs on graphql-js instead: the inline-trace plugin times each field through hooks that Apollo wraps
 * around the schema's resolvers for graphql-js, and compiled queries would miss them.
 */
import { execute, GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';

/** Apollo Server's gateway interface (the `gateway` constructor option). */
export type GatewayInterface = ApolloServerOptionsWithGateway<object>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type SchemaListener = Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0];

/** Options of `createJitGateway`. */
export interface JitGatewayOptions {
  /** Compiled operations kept (least recently used ones are dropped). @default 1000 */
  readonly maxCompiledQueries?: number;
}

/** How operations execute: compiled by graphql-jit, or interpreted by graphql-js (Apollo's default). */
export type ExecutorKind = 'jit' | 'graphql-js';

/** The Apollo Server options that select the executor for `schema`: `{ gateway }` for jit, `{ schema }` for graphql-js. */
export function executionOptions(schema: GraphQLSchema, kind: ExecutorKind = 'jit'): { schema: GraphQLSchema } | { gateway: GatewayInterface } {
  return kind === 'jit' ? { gateway: createJitGateway(schema) } : { schema };
}

/** What `compileQuery` gives back: the compiled operation, or the errors that prevented compiling it. */
type Compiled = CompiledQuery | ExecutionResult;

/** Creates an Apollo Server `gateway` that serves `schema` and executes operations with graphql-jit. */
export function createJitGateway(schema: GraphQLSchema, options: JitGatewayOptions = {}): GatewayInterface {
  const max = options.maxCompiledQueries ?? 1000;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`createJitGateway: maxCompiledQueries must be a positive integer; got ${String(max)}`);
  const compiled = new LRUCache<string, Compiled>({ max });
  const listeners = new Set<SchemaListener>();

  const executor: GatewayExecutor = async (request) => {
    // No operation to run (an operationName the document lacks): graphql-js, given the name asked for, reports it the way Apollo answers 400 OPERATION_RESOLUTION_FAILURE.
    if (request.metrics.captureTraces || !request.operation) {
      return execute({ schema, document: request.document, contextValue: request.context, variableValues: request.request.variables, operationName: request.request.operationName });
    }
    // The hash covers the whole document; one document may hold several operations.
    const key = `${request.queryHash}:${request.operationName ?? ''}`;
    let entry = compiled.get(key);
    if (entry === undefined) {
      entry = compileQuery(schema, request.document, request.operationName ?? undefined);
      compiled.set(key, entry);
    }
    if (!isCompiledQuery(entry)) return entry;
    // Variables are coerced by graphql-js, whose errors carry the variable's node (by which Apollo
    // answers 400 BAD_USER_INPUT) and which fills in input-field defaults (graphql-jit 0.8 refuses
    // an input object that leaves out a field with a default). graphql-jit then coerces the
    // coerced values again, which changes nothing in this schema: its enums' values are their
    // names and its scalars accept their own parsed values (the parity test covers each).
    const coerced = getVariableValues(schema, request.operation.variableDefinitions ?? [], request.request.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    const result = await entry.query(undefined, request.context, coerced.coerced);
    return result.errors ? { ...result, errors: result.errors.map(toGraphQLError) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    async load() {
      // Apollo subscribes before loading and derives its schema data from this one call.
      for (const listener of listeners) listener({ apiSchema: schema, coreSupergraphSdl: '' });
      return { executor };
    },
    async stop() {
      listeners.clear();
      compiled.clear();
    },
  };
}

/**
 * Turns a graphql-jit error into graphql-js's own class, as graphql-js's `locatedError` would
 * have built it: graphql-jit's look alike but leave `extensions` undefined when the thrown
 * error has none, where Apollo's error formatting expects an object.
 */
export function toGraphQLError(error: GraphQLError): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const original = error.originalError ?? undefined;
  const converted = new GraphQLError(error.message, {
    path: error.path,
    originalError: original,
    ...(error.extensions === undefined ? {} : { extensions: error.extensions }),
  });
  // graphql-jit reports locations directly (graphql-js derives them from AST nodes it does not have here).
  if (error.locations !== undefined) (converted as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return converted;
}
