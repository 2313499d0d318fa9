/**
 * Stage: keeps whether this gateway's own credentials are proven, i.e. the upstream gave them a
 * 2xx answer within `ttlMs` and no 401/403 since (docs/architecture.md, Shared state). The cache
 * stage serves stored entries only while they are, so a gateway whose credentials the upstream
 * refuses (or has not yet accepted) never answers from entries another gateway stored in a
 * shared Redis. It runs per attempt, inside retry, so it sees every classified outcome.
 */
import { isGatewayError } from '../../errors';
import type { Stage } from '../pipeline';

/** Whether the credentials are proven, and the stage that feeds it. */
export interface CredentialsProof {
  /** The per-attempt stage; src/cdn/upstream.ts places it after the attempt clock. */
  readonly stage: Stage;
  /** Tells whether the credentials had a 2xx answer within the bound and no refusal since. */
  proven(): boolean;
}

/** Options of `createCredentialsProof`. */
export interface CredentialsProofOptions {
  /** How long one 2xx answer proves the credentials, in ms. */
  readonly ttlMs: number;
  readonly now: () => number;
}

/** Creates the credentials proof: unproven at start, proven by a 2xx answer, unproven again by a 401/403 or after `ttlMs`. */
export function createCredentialsProof({ ttlMs, now }: CredentialsProofOptions): CredentialsProof {
  let provenAt: number | undefined;
  return {
    stage: (next) => async (req) => {
      try {
        const res = await next(req);
        // Only classified successes (2xx) come back from below.
        provenAt = now();
        return res;
      } catch (e) {
        if (isGatewayError(e)) {
          const status = e.upstream?.status ?? 0;
          if (e.code === 'UPSTREAM_UNAUTHORIZED' || e.code === 'UPSTREAM_FORBIDDEN') provenAt = undefined;
          // A business error inside a 2xx (docs/upstream.md, Error shapes) is still an answer to accepted credentials.
          else if (status >= 200 && status < 300) provenAt = now();
        }
        throw e;
      }
    },
    proven: () => provenAt !== undefined && now() - provenAt <= ttlMs,
  };
}
