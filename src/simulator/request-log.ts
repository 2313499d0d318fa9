/** The last API requests the simulator received, for `GET /__sim/requests` (what a client really sent). */
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
