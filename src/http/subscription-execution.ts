/**
 * Subscription execution shared by both streaming transports, GraphQL over WebSocket
 * (subscriptions.ts) and over Server-Sent Events (event-stream.ts): a subscribe request is
 * parsed and validated with the HTTP path's document limits and must be a subscription; each
 * event executes on graphql-js with a fresh context (own loaders, deadline and request id);
 * errors are formatted as over HTTP (src/graph/errors.ts).
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';
import { CODES, type ClientErrorCode } from '../errors';
import type { GraphContext } from '../graph/context';
import { formatGraphQLError } from '../graph/errors';
import { createQueryLimits } from '../graph/limits';
import type { Logger } from '../logger';
import type { ContextRequest } from './graphql-route';
import { newRequestId } from './request-id';

/** What a client sends to start a subscription (a graphql-ws `subscribe` payload, a graphql-sse request). */
export interface SubscribeRequest {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
}

/** The arguments of one subscription, ready to run: who asked travels in `contextValue`. */
export type PreparedSubscription = ExecutionArgs & { readonly contextValue: { readonly callerId: string } };

/** A subscription's results: one per event, or a single result when it failed before its first event. */
export type SubscriptionResults = AsyncIterableIterator<ExecutionResult> | ExecutionResult;

/** Options of `createSubscriptionExecutor`. */
export interface SubscriptionExecutorOptions {
  readonly schema: GraphQLSchema;
  readonly config: Pick<Config, 'queryLimits' | 'defaultPageSize' | 'requestTimeoutMs'>;
  readonly createContext: (request: ContextRequest) => GraphContext;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Runs subscriptions for a transport. */
export interface SubscriptionExecutor {
  /**
   * Parses and validates a subscribe request for `callerId`: its execution arguments, or the
   * errors refusing it (catalogue codes). `transport` names the transport in the refusal of a
   * query or mutation ("WebSocket", "Server-Sent Events").
   */
  prepare(request: SubscribeRequest, callerId: string, transport: string): PreparedSubscription | GraphQLError[];
  /** Starts a prepared subscription: its results, each event executed with a fresh context. */
  run(args: ExecutionArgs): Promise<SubscriptionResults>;
  /** Formats a result's errors as the HTTP path does (and logs them); returns the result unchanged when it has none. */
  format(result: ExecutionResult): ExecutionResult;
  /** Formats refusal errors as the HTTP path does. */
  formatErrors(errors: readonly GraphQLError[]): GraphQLError[];
}

/** Creates the executor of subscriptions on a schema, with the HTTP path's document limits. */
export function createSubscriptionExecutor(options: SubscriptionExecutorOptions): SubscriptionExecutor {
  const { schema, config, logger, now } = options;
  const limits = createQueryLimits(config.queryLimits, config.defaultPageSize);
  const rules: ValidationRule[] = [...specifiedRules, ...limits.validationRules];
  const contextFor = (signal: AbortSignal, callerId: string): GraphContext =>
    options.createContext({ requestId: newRequestId(), deadline: now() + config.requestTimeoutMs, signal, callerId });
  const formatErrors = (errors: readonly GraphQLError[]): GraphQLError[] => errors.map((e) => formatGraphQLError(e.toJSON(), e) as unknown as GraphQLError);

  return {
    prepare(request, callerId, transport) {
      if (typeof request.query !== 'string') return [refusal(CODES.BAD_REQUEST, 'The request has no query: send { "query": "subscription { … }" }')];
      let document: DocumentNode;
      try {
        document = parse(request.query, limits.parseOptions);
      } catch (err) {
        return [refusal(CODES.GRAPHQL_PARSE_FAILED, err instanceof Error ? err.message : 'The document does not parse')];
      }
      const invalid = validate(schema, document, rules);
      if (invalid.length > 0) return invalid.map((e) => refusal(CODES.GRAPHQL_VALIDATION_FAILED, e.message));
      const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
      const operation = getOperationAST(document, operationName);
      if (!operation) return [refusal(CODES.OPERATION_RESOLUTION_FAILURE, 'The operation to run cannot be chosen: name it with operationName')];
      if (operation.operation !== 'subscription') {
        return [refusal(CODES.BAD_REQUEST, `Only subscriptions are served over ${transport}; send this ${operation.operation} over HTTP to /graphql as application/json`)];
      }
      const variables = request.variables;
      if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
        return [refusal(CODES.BAD_REQUEST, 'variables must be a JSON object')];
      }
      return {
        schema,
        document,
        variableValues: (variables ?? undefined) as Record<string, unknown> | undefined,
        operationName,
        // The caller the polls are made as (fair share); each event gets a context of its own (run).
        contextValue: { callerId },
      };
    },
    run: (args) => runSubscription(args, contextFor),
    format(result) {
      if (!result.errors) return result;
      for (const error of result.errors) logger.info({ code: error.extensions?.code, message: error.message }, 'subscription event error');
      return { ...result, errors: formatErrors(result.errors) };
    },
    formatErrors,
  };
}

/**
 * Runs a subscription like graphql-js's `subscribe`, but each event executes with a fresh
 * context (own loaders, deadline and request id), so nested fields see fresh upstream data.
 */
async function runSubscription(args: ExecutionArgs, contextFor: (signal: AbortSignal, callerId: string) => GraphContext): Promise<SubscriptionResults> {
  const callerId = (args.contextValue as { callerId?: string } | undefined)?.callerId ?? 'anonymous';
  const controller = new AbortController();
  const stream = await createSourceEventStream({ ...args, contextValue: contextFor(controller.signal, callerId) });
  if (!isAsyncIterator(stream)) return stream as ExecutionResult;
  const finish = async (): Promise<IteratorResult<ExecutionResult>> => {
    controller.abort();
    await stream.return?.();
    return { value: undefined, done: true };
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const event = await stream.next();
      if (event.done) {
        controller.abort();
        return { value: undefined, done: true };
      }
      const result = await execute({ ...args, rootValue: event.value, contextValue: contextFor(controller.signal, callerId) });
      return { value: result, done: false };
    },
    return: finish,
    throw: async (err: unknown) => {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

/** Returns a GraphQL error with a catalogue code, for a refused subscribe request. */
export function refusal(code: ClientErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

// Tells whether a value is an async iterator.
function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & { return?: () => Promise<unknown> } {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterator<unknown>).next === 'function';
}
