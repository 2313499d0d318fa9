/**
 * A token-bucket retry budget shared by all calls of one client, so a failing upstream is
 * not hammered: every call deposits `ratio` tokens, a trickle of `minPerSecond` tokens is
 * added over time (the floor that lets a quiet client still retry), and a retry spends one.
 * Retries therefore stay below `ratio` of recent calls plus the floor.
 */

/** Budget settings. */
export interface RetryBudgetOptions {
  /** Tokens deposited per call (0.5 = retries may add 50 % to the call volume). */
  readonly ratio: number;
  /** Tokens added per second regardless of traffic. */
  readonly minPerSecond: number;
  /** Most tokens the bucket holds (and holds at the start). */
  readonly capacity: number;
}

/** The bucket's state: tokens held at `atMs`. */
export interface RetryBudgetState {
  readonly tokens: number;
  readonly atMs: number;
}

/** Returns a full bucket at `nowMs`. */
export function initialBudget(opts: RetryBudgetOptions, nowMs: number): RetryBudgetState {
  return { tokens: opts.capacity, atMs: nowMs };
}

/** Returns the state advanced to `nowMs` with the time-based trickle added. */
export function refill(state: RetryBudgetState, opts: RetryBudgetOptions, nowMs: number): RetryBudgetState {
  const elapsedMs = Math.max(0, nowMs - state.atMs);
  return { tokens: Math.min(opts.capacity, state.tokens + (elapsedMs / 1000) * opts.minPerSecond), atMs: Math.max(nowMs, state.atMs) };
}

/** Returns the state after one call was made. */
export function depositCall(state: RetryBudgetState, opts: RetryBudgetOptions, nowMs: number): RetryBudgetState {
  const current = refill(state, opts, nowMs);
  return { ...current, tokens: Math.min(opts.capacity, current.tokens + opts.ratio) };
}

/** Returns whether a retry is allowed now and the state after spending its token (unchanged when refused). */
export function spendRetry(state: RetryBudgetState, opts: RetryBudgetOptions, nowMs: number): { allowed: boolean; state: RetryBudgetState } {
  const current = refill(state, opts, nowMs);
  if (current.tokens < 1) return { allowed: false, state: current };
  return { allowed: true, state: { ...current, tokens: current.tokens - 1 } };
}

/** A mutable budget around the pure functions, for the retry stage. */
export interface RetryBudget {
  /** Records one call (a first attempt). */
  recordCall(): void;
  /** Spends a token for a retry; `false` when the budget is exhausted. */
  tryRetry(): boolean;
  /** Returns the tokens currently available (for tests and metrics). */
  available(): number;
}

/** Creates a retry budget reading the time from `now`. */
export function createRetryBudget(opts: RetryBudgetOptions, now: () => number): RetryBudget {
  let state = initialBudget(opts, now());
  return {
    recordCall() {
      state = depositCall(state, opts, now());
    },
    tryRetry() {
      const result = spendRetry(state, opts, now());
      state = result.state;
      return result.allowed;
    },
    available() {
      state = refill(state, opts, now());
      return state.tokens;
    },
  };
}

/**
 * Returns the most retries a budget allows over `calls` calls and `seconds`: the full bucket it
 * starts with, `ratio` per call and `minPerSecond` per second (deposits beyond the capacity are
 * lost, so the real figure can only be lower).
 */
export function retryAllowance(opts: RetryBudgetOptions, calls: number, seconds: number): number {
  return opts.capacity + opts.ratio * calls + opts.minPerSecond * Math.max(0, seconds);
}
