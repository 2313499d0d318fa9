/**
 * Idempotent calls of the create mutations: within a window, a repeat of a call with the same key
 * and the same input gets the first call's outcome instead of running again, and concurrent
 * repeats share the one call in flight. Keys are the caller's own: an entry is identified by the
 * upstream account, the caller and the key, so one caller's key never answers another's call
 * (issue 13).
 *
 * One path whatever the store (src/state IdempotencyStore: this replica's memory, or Redis shared
 * by replicas, issue 19): repeats reaching this replica while the call runs join it here; any
 * other repeat claims the key in the store, atomically. The winner runs the call and stores its
 * outcome; a repeat that finds the key claimed by another replica polls the record until the
 * outcome is there, and when the claim disappears (its call created nothing, or its replica died
 * and the claim expired) claims the key itself. A wait outlasting the request's deadline fails
 * with IDEMPOTENCY_KEY_IN_USE, and nothing is sent.
 */
import { badUserInput, GatewayError } from '../errors';
import { sleep } from '../cdn/sleep';
import { createMemoryIdempotency } from '../state/memory-idempotency';
import type { IdempotencyRecord, IdempotencyStore } from '../state/types';
import { decodeOutcome, encodeOutcome } from './idempotency-outcome';
import { show } from './url-validation';

/** Options of `createIdempotentRunner`. */
export interface IdempotentRunnerOptions {
  /** How long a finished outcome is returned to repeats, from when it finished. */
  readonly ttlMs: number;
  /** Where records live. @default this process's memory, keeping `maxKeys` outcomes */
  readonly store?: IdempotencyStore;
  /** Most finished outcomes the default memory store keeps; the least recently used go first. @default 10000 */
  readonly maxKeys?: number;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** The upstream account whose creates the store remembers, so that a store shared by gateways of several accounts keeps them apart. @default '' */
  readonly account?: string;
}

/** What identifies an idempotent call, and how its failures are kept. */
export interface IdempotentCall {
  /** Whose keys these are (a caller identity), so that callers cannot see each other's results. */
  readonly scope: string;
  readonly key: string;
  /** Identifies the input: the same key with another fingerprint is refused. */
  readonly fingerprint: string;
  /**
   * Tells whether a failure must be remembered like a success: when the call may have had its
   * effect anyway (no answer came back), running it again could do it twice. Other failures are
   * forgotten, so a repeat runs again. @default never
   */
  readonly rememberFailure?: (error: unknown) => boolean;
  /** When the caller stops waiting (epoch ms): bounds the claim of the call it runs, and its wait for another's. @default `ttlMs` from now */
  readonly deadline?: number;
  /** Stops a wait for another replica's call early (the client left). */
  readonly signal?: AbortSignal;
}

/** The outcome of an idempotent call: its value or its error, and whether this caller only received an earlier call's outcome. */
export type IdempotentOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly replayed: boolean }
  | { readonly ok: false; readonly error: unknown; readonly replayed: boolean; readonly rememberedUntil?: number };

/** Runs calls at most once per scope and key within a window. */
export interface IdempotentRunner {
  /** How long outcomes are kept, in ms. */
  readonly ttlMs: number;
  /**
   * Runs `call` unless a call with the same scope and key is in flight or finished within the
   * window, in which case its outcome is shared. The same key with another fingerprint is a
   * BAD_USER_INPUT error (thrown); a call still running elsewhere at the deadline, IDEMPOTENCY_KEY_IN_USE.
   */
  run<T>(identity: IdempotentCall, call: () => Promise<T>): Promise<IdempotentOutcome<T>>;
  /** Returns how many calls are in flight in this process (for tests). */
  size(): { readonly inFlight: number };
}

/** How long a claim outlives its call's deadline: time to store the outcome after the last upstream answer. */
export const CLAIM_MARGIN_MS = 5000;

// First and longest pause between reads of a record another replica is still running.
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 250;

// A call in flight in this process: later repeats wait for it.
interface InFlight {
  readonly fingerprint: string;
  readonly settled: Promise<IdempotentOutcome<unknown>>;
}

/** Creates the runner over a store (this process's memory by default); options are checked at once (`TypeError` on misuse). */
export function createIdempotentRunner(options: IdempotentRunnerOptions): IdempotentRunner {
  const ttlMs = positiveInteger(options.ttlMs, 'ttlMs');
  const now = options.now ?? Date.now;
  const store = options.store ?? createMemoryIdempotency({ maxKeys: positiveInteger(options.maxKeys ?? 10_000, 'maxKeys'), now });
  const account = options.account ?? '';
  // In flight calls are never evicted: forgetting one would let a concurrent repeat run a second call.
  const inFlight = new Map<string, InFlight>();

  // Runs the call under a claim it won, and stores its outcome (or releases the claim of a forgotten failure).
  const execute = async (id: string, token: string, identity: IdempotentCall, call: () => Promise<unknown>): Promise<IdempotentOutcome<unknown>> => {
    const outcome = await settle(call);
    if (outcome.ok) {
      await store.finish(id, token, identity.fingerprint, encodeOutcome(outcome), ttlMs);
      return outcome;
    }
    if (!(identity.rememberFailure ?? never)(outcome.error)) {
      await store.release(id, token);
      return outcome;
    }
    const rememberedUntil = await store.finish(id, token, identity.fingerprint, encodeOutcome(outcome), ttlMs);
    return { ...outcome, rememberedUntil };
  };

  // Claims the key and runs the call, or replays the record found, waiting while another replica's call runs.
  const resolve = async (id: string, identity: IdempotentCall, call: () => Promise<unknown>): Promise<IdempotentOutcome<unknown>> => {
    const deadline = identity.deadline ?? now() + ttlMs;
    for (;;) {
      const claimMs = Math.max(deadline - now(), 0) + CLAIM_MARGIN_MS;
      const claim = await store.claim(id, identity.fingerprint, claimMs);
      if (claim.claimed) return execute(id, claim.token, identity, call);
      checkSameInput(identity.key, claim.record.fingerprint, identity.fingerprint, ttlMs);
      const record = claim.record.state === 'done' ? claim.record : await waitForOutcome(id, identity, deadline, claim.record.expiresAt);
      if (record === undefined) continue;
      checkSameInput(identity.key, record.fingerprint, identity.fingerprint, ttlMs);
      return replay(record);
    }
  };

  // Polls a record another replica's call holds until its outcome is stored; `undefined` when the claim went away.
  const waitForOutcome = async (id: string, identity: IdempotentCall, deadline: number, claimExpiresAt: number): Promise<IdempotencyRecord | undefined> => {
    let pauseMs = FIRST_POLL_MS;
    let expiresAt = claimExpiresAt;
    for (;;) {
      const left = deadline - now();
      if (left <= 0 || identity.signal?.aborted) throw stillRunning(identity.key, expiresAt, now());
      try {
        await sleep(Math.min(pauseMs, left), identity.signal);
      } catch {
        throw stillRunning(identity.key, expiresAt, now());
      }
      pauseMs = Math.min(pauseMs * 2, MAX_POLL_MS);
      let record: IdempotencyRecord | undefined;
      try {
        record = await store.read(id);
      } catch {
        // The store cannot tell now (Redis unreachable): the claim may still stand, so keep waiting rather than run twice.
        continue;
      }
      if (record === undefined || record.state === 'done') return record;
      expiresAt = record.expiresAt;
    }
  };

  return {
    ttlMs,
    async run<T>(identity: IdempotentCall, call: () => Promise<T>): Promise<IdempotentOutcome<T>> {
      // JSON keeps the parts apart whatever characters a caller id holds.
      const id = JSON.stringify([account, identity.scope, identity.key]);
      const pending = inFlight.get(id);
      if (pending) {
        checkSameInput(identity.key, pending.fingerprint, identity.fingerprint, ttlMs);
        return { ...(await pending.settled), replayed: true } as IdempotentOutcome<T>;
      }
      const settled = resolve(id, identity, call).finally(() => inFlight.delete(id));
      inFlight.set(id, { fingerprint: identity.fingerprint, settled });
      return (await settled) as IdempotentOutcome<T>;
    },
    size: () => ({ inFlight: inFlight.size }),
  };
}

// An outcome stored by an earlier call, as a replay.
function replay(record: IdempotencyRecord): IdempotentOutcome<unknown> {
  const outcome = decodeOutcome(record.outcome);
  return outcome.ok ? { ok: true, value: outcome.value, replayed: true } : { ok: false, error: outcome.error, replayed: true, rememberedUntil: record.expiresAt };
}

// Runs a call and captures its outcome as a value (a call that throws synchronously included).
async function settle<T>(call: () => Promise<T>): Promise<IdempotentOutcome<T>> {
  try {
    return { ok: true, value: await call(), replayed: false };
  } catch (error) {
    return { ok: false, error, replayed: false };
  }
}

// The default of `rememberFailure`.
function never(): boolean {
  return false;
}

// The error of a repeat that stopped waiting for an earlier call still running (on another replica, or whose replica stopped).
function stillRunning(key: string, claimExpiresAt: number, nowMs: number): GatewayError {
  const retryAfterMs = Math.max(1000, claimExpiresAt - nowMs);
  return new GatewayError(
    'IDEMPOTENCY_KEY_IN_USE',
    `An earlier call with idempotencyKey ${show(key)} is still running (possibly on another gateway replica) and did not finish before this request's deadline; ` +
      'the task may or may not have been created yet. Repeat this call with the same key later: you get the earlier call\'s result once it finishes, ' +
      `or, if it never does, this call runs once its claim expires (by ${new Date(claimExpiresAt).toISOString()}).`,
    { retryAfterMs },
  );
}

// Refuses a key reused for another input: returning the first result would answer a question that was not asked.
function checkSameInput(key: string, first: string, given: string, ttlMs: number): void {
  if (first === given) return;
  throw badUserInput(
    `idempotencyKey ${show(key)} was already used with a different input within the last ${describeMs(ttlMs)}; ` +
      'repeat the first input to get its result, or use a new key for a new task',
  );
}

// Formats a duration for a message.
function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  if (ms % 1000 === 0) return `${ms / 1000} seconds`;
  return `${ms} ms`;
}

// Applies a positive integer option's contract.
function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`idempotency store option \`${name}\` must be a positive integer; received ${String(value)}`);
  return value;
}
