/**
 * The create mutations: input checked before anything is sent, one POST (the client never
 * repeats one that may have reached the CDN), an optional idempotency key that turns repeats
 * into replays of the first outcome, and the created task resolved through the task loader.
 */
import { createHash } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import type { CreatePreheatTaskInput as CdnPreheatInput, CreateRefreshTaskInput as CdnRefreshInput, CreatedTask } from '../../cdn';
import { failedBeforeSending, OPERATION_LABELS } from '../../cdn';
import { badUserInput, GatewayError } from '../../errors';
import type {
  CreatePreheatTaskInput,
  CreatePreheatTaskPayloadResolvers,
  CreateRefreshTaskInput,
  CreateRefreshTaskPayloadResolvers,
  MutationResolvers,
} from '../generated/resolvers-types';
import type { CallOptions, GraphContext } from '../context';
import type { CreateKind } from '../create-quota';
import type { CreatedTaskPayloadModel } from '../mutation-models';
import { selectsTaskUrls } from '../task-selection';
import { findIdempotencyKeyProblems, findUrlProblems, show, toInputError } from '../url-validation';

/** Huawei's business code, in a 200 body of a create call, for URLs of a domain the account does not accelerate. */
export const DOMAIN_NOT_ACCELERATED_CODE = 'CDN.0108';

type CreateOperation = 'refresh' | 'preheat';

/** Resolvers of the Mutation type. */
export const Mutation: MutationResolvers = {
  createRefreshTask: (_root, { input }, ctx) => {
    const request = toRefreshRequest(input);
    const kind = request.type === 'directory' ? 'directories' : 'files';
    return createTask(ctx, 'refresh', kind, input.idempotencyKey ?? undefined, request, (call) => ctx.cdn.createRefreshTask(request, call));
  },
  createPreheatTask: (_root, { input }, ctx) => {
    const request = toPreheatRequest(input);
    return createTask(ctx, 'preheat', 'preheats', input.idempotencyKey ?? undefined, request, (call) => ctx.cdn.createPreheatTask(request, call));
  },
};

// The payloads' `task`: the task loader, with no creation-time hint. The create answer carries
// none, and the gateway's own clock is not the upstream's; a detail call without `create_time`
// searches the last 7 days, which holds a task created just now. With its URLs when they are selected (one call either way).
const payloadTask = (payload: CreatedTaskPayloadModel, _args: unknown, ctx: GraphContext, info: GraphQLResolveInfo) =>
  ctx.loaders.loadTask(payload.taskId, selectsTaskUrls(info));

/** Resolvers of CreateRefreshTaskPayload (`taskId` and `replayed` resolve by name). */
export const CreateRefreshTaskPayload: CreateRefreshTaskPayloadResolvers = { task: payloadTask };
/** Resolvers of CreatePreheatTaskPayload (`taskId` and `replayed` resolve by name). */
export const CreatePreheatTaskPayload: CreatePreheatTaskPayloadResolvers = { task: payloadTask };

/** Checks a refresh input and converts it to the client's request; throws one BAD_USER_INPUT naming every offending value. */
export function toRefreshRequest(input: CreateRefreshTaskInput): CdnRefreshInput {
  const type = checkInputEnum('input.type', input.type ?? 'FILE');
  const mode = input.mode == null ? undefined : checkInputEnum('input.mode', input.mode);
  const problems = [
    ...findUrlProblems(input.urls, { field: 'input.urls', directories: type === 'DIRECTORY' }),
    ...(input.idempotencyKey == null ? [] : findIdempotencyKeyProblems(input.idempotencyKey, 'input.idempotencyKey')),
  ];
  const error = toInputError(problems);
  if (error) throw error;
  return {
    type: type === 'DIRECTORY' ? 'directory' : 'file',
    ...(mode === undefined ? {} : { mode: mode === 'ALL' ? 'all' : 'detect_modify_refresh' }),
    urls: input.urls,
  };
}

/** Checks a preheat input and converts it to the client's request; throws one BAD_USER_INPUT naming every offending value. */
export function toPreheatRequest(input: CreatePreheatTaskInput): CdnPreheatInput {
  const problems = [
    ...findUrlProblems(input.urls, { field: 'input.urls', directories: false }),
    ...(input.idempotencyKey == null ? [] : findIdempotencyKeyProblems(input.idempotencyKey, 'input.idempotencyKey')),
  ];
  const error = toInputError(problems);
  if (error) throw error;
  return { urls: input.urls };
}

/** Identifies a create call's input: the operation and the request as sent (hashed: a request may hold 4 MB of URLs). */
export function fingerprintOf(operation: CreateOperation, request: CdnRefreshInput | CdnPreheatInput): string {
  return createHash('sha256').update(JSON.stringify([operation, request])).digest('base64url');
}

/**
 * Tells whether a failed create may have created the task anyway: no answer came back after
 * the request may have left, the CDN failed with a 5xx, or it answered 200 with a body the
 * gateway could not read. Refusals (4xx, business errors) and calls never sent created nothing.
 */
export function mayHaveCreated(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return true;
  const upstream = error.upstream;
  if (upstream === undefined) return false;
  if (upstream.status === 0) return !failedBeforeSending(error);
  if (upstream.status >= 200 && upstream.status < 300) return error.code === 'UPSTREAM_BAD_RESPONSE';
  return upstream.status >= 500;
}

/** Turns a create call's upstream error into what the caller should see: CDN.0108 means the caller named a domain the account does not accelerate. */
export function toCreateError(operation: CreateOperation, error: unknown): unknown {
  if (!(error instanceof GatewayError) || error.code !== 'UPSTREAM_ERROR' || error.upstream?.code !== DOMAIN_NOT_ACCELERATED_CODE) return error;
  const { upstream } = error;
  const said = upstream.message === undefined ? '' : ` ${JSON.stringify(upstream.message)}`;
  const id = upstream.requestId ? `, upstream request id ${upstream.requestId}` : '';
  return new GatewayError(
    'BAD_USER_INPUT',
    `${OPERATION_LABELS[operation]} was refused: the URLs name a domain this CDN account does not accelerate ` +
      `(${upstream.code}${said}${id}). Add the domain to the CDN first, or remove its URLs.`,
    { upstream, cause: error },
  );
}

/**
 * Sends one create (through the idempotency store, under the caller's scope, when a key is
 * given) and returns the payload model. The caller's daily cap is taken before sending and given
 * back, like the key, when the create is known to have created nothing: it never reached the
 * transport (refused by the gateway's limiter, cancelled while queued for a slot, over the cap)
 * or the CDN refused it. Only a create that may have reached the CDN is remembered as such.
 */
async function createTask(
  ctx: GraphContext,
  operation: CreateOperation,
  kind: CreateKind,
  key: string | undefined,
  request: CdnRefreshInput | CdnPreheatInput,
  send: (call: CallOptions) => Promise<CreatedTask>,
): Promise<CreatedTaskPayloadModel> {
  // Set when this create failed after the request may have reached the CDN.
  let mayExist = false;
  const create = async () => {
    // Over the cap: QUOTA_EXCEEDED, nothing taken, nothing sent.
    const ticket = ctx.createQuota.take(ctx.callerId, kind, request.urls.length);
    let sent = false;
    try {
      const created = await send({ ...ctx.call, onSend: () => (sent = true) });
      return { taskId: created.taskId };
    } catch (error) {
      const converted = toCreateError(operation, error);
      // A POST is only repeated after a failure before sending (src/cdn/stages/retry.ts), so an
      // earlier attempt's hand-off makes this conservative: remembered, never wrongly forgotten.
      mayExist = sent && mayHaveCreated(converted);
      if (!mayExist) ticket.release();
      throw converted;
    }
  };
  if (key === undefined) {
    try {
      return { ...(await create()), replayed: false };
    } catch (error) {
      throw mayExist ? withUnknownOutcome(error, 'Check the recent tasks before trying again; an idempotencyKey makes retries safe.') : error;
    }
  }
  // Keys are per caller: another caller's same key is another key, whose use this one cannot see.
  const outcome = await ctx.idempotency.run(
    { scope: ctx.callerId, key, fingerprint: fingerprintOf(operation, request), rememberFailure: () => mayExist, deadline: ctx.deadline, signal: ctx.signal },
    create,
  );
  if (outcome.ok) return { ...outcome.value, replayed: outcome.replayed };
  if (outcome.rememberedUntil === undefined) throw outcome.error;
  const until = new Date(outcome.rememberedUntil).toISOString();
  const advice = `Until ${until} this idempotencyKey (${show(key)}) returns this error instead of sending again; check the recent tasks, or use a new key to create the task anyway.`;
  throw withUnknownOutcome(outcome.error, outcome.replayed ? `This repeats the outcome of an earlier call with the same idempotencyKey. ${advice}` : advice);
}

// Adds to an error that the task may exist all the same, and what to do about it.
function withUnknownOutcome(error: unknown, advice: string): GatewayError {
  const original = error instanceof GatewayError ? error : new GatewayError('INTERNAL_SERVER_ERROR', undefined, { cause: error });
  return new GatewayError(original.code, `${original.message} The task may or may not have been created. ${advice}`, {
    upstream: original.upstream,
    retryAfterMs: original.retryAfterMs,
    cause: original,
  });
}

// Refuses UNKNOWN as an input value: it only describes values the gateway does not know.
function checkInputEnum<T extends string>(field: string, value: T): Exclude<T, 'UNKNOWN'> {
  if (value === 'UNKNOWN') throw badUserInput(`${field}: UNKNOWN only describes values the gateway does not know and cannot be sent to the CDN.`);
  return value as Exclude<T, 'UNKNOWN'>;
}
