/**
 * Why a call was aborted. The deadline stage aborts the transport with one of these reasons,
 * so classification can tell a passed deadline from a caller that went away.
 */

/** Abort reason: the call's deadline passed. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(readonly budgetMs: number) {
    super(`deadline of ${budgetMs} ms passed`);
  }
}

/** Abort reason: the caller's signal aborted (e.g. the GraphQL request ended). */
export class CallerAborted extends Error {
  override readonly name = 'CallerAborted';
  constructor(reason: unknown) {
    super('the caller cancelled the call', { cause: reason });
  }
}

/** Returns the milliseconds left before `deadline`, never negative. */
export function remainingMs(deadline: number, nowMs: number): number {
  return Math.max(0, deadline - nowMs);
}
