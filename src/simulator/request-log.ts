/**
 * The last API requests the simulator received, for `GET /__sim/requests` (what a client really
 * sent), and when each arrived and how it was answered, for `GET /__sim/arrivals`.
 */
import type { OperationName } from '../cdn/models';
import { parseRawQuery } from './verify';

/** One received API request: the query decoded, the body as sent (null without one). */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly body: string | null;
}

/** How many requests the log keeps. */
export const REQUEST_LOG_SIZE = 200;

/** Keeps the last REQUEST_LOG_SIZE API requests, oldest first. */
export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  /** Records one request. */
  add(method: string, path: string, rawQuery: string, body: string | undefined): void {
    this.entries.push({ method, path, query: parseRawQuery(rawQuery), body: body ? body : null });
    if (this.entries.length > REQUEST_LOG_SIZE) this.entries.shift();
  }

  /** Returns the kept requests, oldest first. */
  list(): readonly LoggedRequest[] {
    return this.entries.slice();
  }
}

/** One API call: its operation, when it arrived (ms on the rate-limit clock) and the status answered (0: held or reset). */
export interface Arrival {
  readonly operation: OperationName;
  readonly at: number;
  readonly status: number;
}

/** Keeps the last REQUEST_LOG_SIZE API calls' arrivals, oldest first (attempt spacing, e.g. after a 429). */
export class ArrivalLog {
  private readonly entries: Arrival[] = [];

  /** Records one call. */
  add(operation: OperationName, at: number, status: number): void {
    this.entries.push({ operation, at: Math.round(at * 1000) / 1000, status });
    if (this.entries.length > REQUEST_LOG_SIZE) this.entries.shift();
  }

  /** Returns the kept arrivals, oldest first. */
  list(): readonly Arrival[] {
    return this.entries.slice();
  }
}
