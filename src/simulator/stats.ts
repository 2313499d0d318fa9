/** Request counters of the control API's `GET /__sim/stats`. */
import type { OperationName } from '../cdn/operations';
import { ROUTES } from './routes';

/** What `GET /__sim/stats` answers. */
export interface SimulatorStats {
  /** Every API request received, accepted or not, by `METHOD path-template` (unknown APIs under `METHOD *`). */
  readonly requests: Record<string, number>;
  /** Requests refused with 429 by the rate limiter. */
  readonly throttled: number;
  /** The most requests accepted in any one-second window, per operation. */
  readonly peakPerSecond: Record<OperationName, number>;
}

/** Counts requests and throttled calls since the last reset. */
export class RequestCounter {
  private readonly requests = new Map<string, number>(ROUTES.map((r) => [r.template, 0]));
  private throttledCount = 0;

  /** Counts one request under its key. */
  count(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** Counts one throttled call. */
  throttled(): void {
    this.throttledCount++;
  }

  /** Returns the counters with the limiter's peaks. */
  snapshot(peakPerSecond: Record<OperationName, number>): SimulatorStats {
    return { requests: Object.fromEntries(this.requests), throttled: this.throttledCount, peakPerSecond };
  }
}
