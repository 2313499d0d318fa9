/**
 * The adapted rate of one operation, as pure arithmetic shared by the memory limiter and (as
 * Lua) the Redis one: how far below its configured limit the limiter holds an operation after
 * the upstream answered 429s the limiter did not predict (another client of the account, a
 * replica that lost Redis), and how the rate climbs back (docs/architecture.md, Adaptive rate).
 *
 * Multiplicative decrease, additive increase, over time rather than per success:
 * - a throttle multiplies the rate in force by `decrease`, once per window: a throttle of an
 *   attempt sent less than `holdMs` after the last decrease is old news (that attempt was booked,
 *   or the upstream's window still held calls, from before the decrease) and changes nothing;
 * - from a decrease on, the rate climbs by one call per second every `recoveryMs`, up to the
 *   configured limit, where the state is forgotten.
 * Rates are in the configured limit's unit (calls per rate-limit window); the limiter books
 * `effectiveLimit(rate)` whole calls, at least one.
 */

/** How the rate adapts; the same for every operation of a gateway. */
export interface RateAdaptation {
  /** Factor applied to the rate in force at a throttle (0 < decrease < 1). */
  readonly decrease: number;
  /** Time for the rate to climb back by one call per second. */
  readonly recoveryMs: number;
  /** After a decrease, throttles of attempts sent within this long change nothing (the rate-limit window). */
  readonly holdMs: number;
}

/** The lowered rate of one operation: `rate` calls per window at `at` (epoch ms), climbing from then on. */
export interface AdaptedRate {
  readonly rate: number;
  readonly at: number;
}

/** An upstream throttle (a 429) of an attempt sent at `sentAt` and answered at `at` (epoch ms). */
export interface ThrottleEvent {
  readonly sentAt: number;
  readonly at: number;
}

/** The lowest rate: the limiter cannot hold an operation to less than one call per window. */
export const MIN_RATE = 1;

/** Halving, as TCP does: a few windows take any excess over the real rate away. */
export const DEFAULT_DECREASE = 0.5;

/** Returns the rate in force at `nowMs`: the configured `ceiling` when never lowered or recovered. */
export function currentRate(state: AdaptedRate | undefined, ceiling: number, opts: RateAdaptation, nowMs: number): number {
  if (state === undefined) return ceiling;
  const climbed = state.rate + Math.max(0, nowMs - state.at) / opts.recoveryMs;
  return Math.min(ceiling, climbed);
}

/** Returns the state after a throttle: lowered once per window, unchanged for old news. */
export function adaptRate(state: AdaptedRate | undefined, ceiling: number, opts: RateAdaptation, event: ThrottleEvent): AdaptedRate {
  if (state !== undefined && event.sentAt < state.at + opts.holdMs) return state;
  const rate = currentRate(state, ceiling, opts, event.at);
  return { rate: Math.max(MIN_RATE, rate * opts.decrease), at: event.at };
}

/** Returns the whole calls per window the limiter allows at `rate` (at least one). */
export function effectiveLimit(rate: number): number {
  // The epsilon keeps 2.9999999 (a float sum of recovery steps) from booking one call fewer.
  return Math.max(MIN_RATE, Math.floor(rate + 1e-9));
}

/** Tells whether a state still matters at `nowMs` (false once the rate has climbed back to `ceiling`). */
export function isLowered(state: AdaptedRate | undefined, ceiling: number, opts: RateAdaptation, nowMs: number): boolean {
  return state !== undefined && currentRate(state, ceiling, opts, nowMs) < ceiling;
}

/** Returns how long a state lowered to `rate` takes to climb back to `ceiling`, in ms (how long a store keeps it). */
export function recoveryTimeMs(rate: number, ceiling: number, opts: RateAdaptation): number {
  return Math.max(0, Math.ceil((ceiling - rate) * opts.recoveryMs));
}
