/**
 * The idempotency store of the create mutations: within a window, a repeat of a call with the
 * same key and the same input gets the first call's outcome instead of running again, and
 * concurrent repeats share the one call in flight. Keys are the caller's own: an entry is
 * identified by the upstream account, the caller and the key, so one caller's key never answers
 * another's call (issue 13). Memory of one gateway process: an LRU of finished outcomes bounded
 * by key count, each kept for a TTL, plus a map of calls in flight. A store shared between
 * gateways (Redis, issue 19) implements the same interface and must key by `account` too.
 */
import { LRUCache } from 'lru-cache';
import { badUserInput } from '../errors';
import { show } from './url-validation';

/** Options of `createIdempotencyStore`. */
export interface IdempotencyStoreOptions {
  /** How long a finished outcome is returned to repeats, from when it finished. */
  readonly ttlMs: number;
  /** Most finished outcomes kept; the least recently used go first. */
  readonly maxKeys: number;
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
}

/** The outcome of an idempotent call: its value or its error, and whether this caller only received an earlier call's outcome. */
export type IdempotentOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly replayed: boolean }
  | { readonly ok: false; readonly error: unknown; readonly replayed: boolean; readonly rememberedUntil?: number };

/** Runs calls at most once per scope and key within a window. */
export interface IdempotencyStore {
  /** How long outcomes are kept, in ms. */
  readonly ttlMs: number;
  /**
   * Runs `call` unless a call with the same scope and key is in flight or finished within the
   * window, in which case its outcome is shared. The same key with another fingerprint is a
   * BAD_USER_INPUT error (thrown).
   */
  run<T>(identity: IdempotentCall, call: () => Promise<T>): Promise<IdempotentOutcome<T>>;
  /** Returns how many outcomes are kept and how many calls are in flight (for tests and metrics). */
  size(): { readonly finished: number; readonly inFlight: number };
}

// A finished outcome and the instant it stops being returned.
type Finished = { readonly fingerprint: string; readonly expiresAt: number } & (
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown }
);

// A call in flight: later repeats wait for it.
interface InFlight {
  readonly fingerprint: string;
  readonly settled: Promise<IdempotentOutcome<unknown>>;
}

/** Creates an in-memory idempotency store; options are checked at once (`TypeError` on misuse). */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const ttlMs = positiveInteger(options.ttlMs, 'ttlMs');
  const maxKeys = positiveInteger(options.maxKeys, 'maxKeys');
  const now = options.now ?? Date.now;
  const account = options.account ?? '';
  const finished = new LRUCache<string, Finished>({ max: maxKeys });
  // In flight calls are never evicted: forgetting one would let a concurrent repeat run a second call.
  const inFlight = new Map<string, InFlight>();

  return {
    ttlMs,
    async run<T>(identity: IdempotentCall, call: () => Promise<T>): Promise<IdempotentOutcome<T>> {
      const { scope, key, fingerprint, rememberFailure = () => false } = identity;
      // JSON keeps the parts apart whatever characters a caller id holds.
      const id = JSON.stringify([account, scope, key]);
      const pending = inFlight.get(id);
      if (pending) {
        checkSameInput(key, pending.fingerprint, fingerprint, ttlMs);
        return { ...(await pending.settled), replayed: true } as IdempotentOutcome<T>;
      }
      const done = finished.get(id);
      if (done && now() < done.expiresAt) {
        checkSameInput(key, done.fingerprint, fingerprint, ttlMs);
        return (done.ok ? { ok: true, value: done.value, replayed: true } : { ok: false, error: done.error, replayed: true, rememberedUntil: done.expiresAt }) as IdempotentOutcome<T>;
      }
      if (done) finished.delete(id);
      const settled = settle(call).then((outcome): IdempotentOutcome<unknown> => {
        inFlight.delete(id);
        const expiresAt = now() + ttlMs;
        if (outcome.ok) {
          finished.set(id, { fingerprint, expiresAt, ok: true, value: outcome.value });
          return outcome;
        }
        if (!rememberFailure(outcome.error)) return outcome;
        finished.set(id, { fingerprint, expiresAt, ok: false, error: outcome.error });
        return { ...outcome, rememberedUntil: expiresAt };
      });
      inFlight.set(id, { fingerprint, settled });
      return (await settled) as IdempotentOutcome<T>;
    },
    size: () => ({ finished: finished.size, inFlight: inFlight.size }),
  };
}

// Runs a call and captures its outcome as a value (a call that throws synchronously included).
async function settle<T>(call: () => Promise<T>): Promise<IdempotentOutcome<T>> {
  try {
    return { ok: true, value: await call(), replayed: false };
  } catch (error) {
    return { ok: false, error, replayed: false };
  }
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
