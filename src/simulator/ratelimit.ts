/**
 * Per-operation, per-tenant rate limits over a sliding one-second window of accepted calls,
 * and the peak number of calls accepted in any one-second window (what tests check the
 * gateway against).
 */
import { defaultRateLimits, OPERATION_NAMES, type OperationName } from '../cdn/operations';

/** Every operation the simulator serves. */
export const OPERATIONS: readonly OperationName[] = OPERATION_NAMES;

/** Huawei's limits, calls per second per tenant (0 = unlimited), from the operations table. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<OperationName, number>> = Object.freeze(defaultRateLimits());

const WINDOW_MS = 1000;

/** Sliding-window limiter; times are monotonic milliseconds supplied by the caller. */
export class RateLimiter {
  private readonly windows = new Map<string, TimeWindow>();
  private readonly all = new Map<OperationName, TimeWindow>();
  private readonly peak = new Map<OperationName, number>();

  /** Accepts the call when fewer than `limit` calls of the tenant were accepted in the last second. */
  tryAcquire(tenant: string, operation: OperationName, limit: number, at: number): boolean {
    if (limit > 0) {
      const key = `${operation} ${tenant}`;
      let window = this.windows.get(key);
      if (!window) this.windows.set(key, (window = new TimeWindow()));
      if (window.countSince(at - WINDOW_MS) >= limit) return false;
      window.push(at);
    }
    let all = this.all.get(operation);
    if (!all) this.all.set(operation, (all = new TimeWindow()));
    all.push(at);
    this.peak.set(operation, Math.max(this.peak.get(operation) ?? 0, all.countSince(at - WINDOW_MS)));
    return true;
  }

  /** Returns the most calls accepted in any one-second window, per operation (all tenants together). */
  peaks(): Record<OperationName, number> {
    return Object.fromEntries(OPERATIONS.map((op) => [op, this.peak.get(op) ?? 0])) as Record<OperationName, number>;
  }
}

// Accepted call times in arrival order; old ones are dropped from the front.
class TimeWindow {
  private times: number[] = [];
  private head = 0;

  // Records a call time.
  push(at: number): void {
    this.times.push(at);
  }

  // Drops times at or before `after` and returns how many remain.
  countSince(after: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= after) this.head++;
    // Compact now and then so the array does not grow without bound under sustained load.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}
