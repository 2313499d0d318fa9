/** Deadline arithmetic. The abort reasons themselves are catalogued in src/errors.ts. */

/** Returns the milliseconds left before `deadline`, never negative. */
export function remainingMs(deadline: number, nowMs: number): number {
  return Math.max(0, deadline - nowMs);
}
