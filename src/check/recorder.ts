/**
 * A transport wrapper (`createCdnClient`'s `wrapTransport`) that keeps what went on the wire
 * and what came back, raw, below signing and classification: the check reads the body as the
 * upstream sent it, not the client's tolerant parse. It also makes the check read-only and
 * bounded by construction: it refuses anything but a GET, and any call beyond the budget.
 */
import type { RawHandler, RawResponse, UpstreamRequest } from '../cdn/pipeline';

/** One request as sent and its raw answer, or what stopped it. */
export interface Exchange {
  readonly request: UpstreamRequest;
  readonly response?: RawResponse;
  readonly error?: unknown;
}

/** Records exchanges; `take` hands over (and forgets) those since the last take. */
export interface Recorder {
  readonly wrap: (transport: RawHandler) => RawHandler;
  /** Returns the exchanges recorded since the last call, oldest first. */
  take(): Exchange[];
  /** Requests sent so far. */
  sent(): number;
}

/** Creates a recorder that lets at most `budget` GET requests through. */
export function createRecorder(budget: number): Recorder {
  let pending: Exchange[] = [];
  let sent = 0;
  return {
    wrap: (transport) => async (request) => {
      if (request.method !== 'GET') throw new Error(`check-upstream only reads: refused to send ${request.method} ${request.path}`);
      if (sent >= budget) throw new Error(`check-upstream makes at most ${budget} calls: refused ${request.path}`);
      sent += 1;
      try {
        const response = await transport(request);
        pending.push({ request, response });
        return response;
      } catch (error) {
        pending.push({ request, error });
        throw error;
      }
    },
    take() {
      const out = pending;
      pending = [];
      return out;
    },
    sent: () => sent,
  };
}
