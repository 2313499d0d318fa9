/**
 * The arithmetic behind the retry defaults (docs/architecture.md, Retry): with attempts that
 * fail independently at `faultRate`, how often a call and a request of several calls still
 * fail, how many retries that costs, and how many attempts the retry budget lets through.
 */
import { retryAllowance, type RetryBudgetOptions } from './retry-budget';

/** Returns the share of calls that fail on every one of `maxAttempts` attempts: `faultRate^maxAttempts`. */
export function callFailureOdds(faultRate: number, maxAttempts: number): number {
  return faultRate ** maxAttempts;
}

/** Returns the share of requests of `calls` upstream calls that get every call through: `(1 − faultRate^maxAttempts)^calls`. */
export function requestSuccessOdds(faultRate: number, maxAttempts: number, calls: number): number {
  return (1 - callFailureOdds(faultRate, maxAttempts)) ** calls;
}

/** Returns the fewest attempts per call that let a request of `calls` calls succeed with at least `target` odds. */
export function attemptsNeeded(faultRate: number, calls: number, target: number): number {
  if (faultRate <= 0) return 1;
  if (faultRate >= 1) return Infinity;
  // (1 − p^n)^c ≥ t  ⇔  p^n ≤ 1 − t^(1/c)  ⇔  n ≥ ln(1 − t^(1/c)) / ln p
  return Math.max(1, Math.ceil(Math.log(1 - target ** (1 / calls)) / Math.log(faultRate) - 1e-9));
}

/** Returns the retries one call makes on average: `p + p² + … + p^(maxAttempts−1)`. */
export function expectedRetriesPerCall(faultRate: number, maxAttempts: number): number {
  let sum = 0;
  for (let k = 1; k < maxAttempts; k++) sum += faultRate ** k;
  return sum;
}

/** Returns the most upstream attempts `calls` calls over `seconds` can make: each call's attempt limit, or the calls plus the budget's retries, whichever is less. */
export function attemptBound(calls: number, seconds: number, maxAttempts: number, budget: RetryBudgetOptions): number {
  return Math.min(maxAttempts * calls, calls + Math.floor(retryAllowance(budget, calls, seconds)));
}
