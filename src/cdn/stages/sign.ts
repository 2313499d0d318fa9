/** Stage: authenticates each attempt, by AK/SK signature or IAM token. */
import type { CdnAuth } from '../options';
import type { Stage } from '../pipeline';
import { signRequest } from '../signer';

/** Creates the sign stage; it runs inside retry so every attempt gets a fresh `X-Sdk-Date`. */
export function signStage(auth: CdnAuth, host: string, now: () => number): Stage {
  return (next) => (req) => {
    const base: Record<string, string> = { ...req.headers, 'content-type': 'application/json' };
    if (auth.kind === 'token') return next({ ...req, headers: { ...base, 'x-auth-token': auth.token } });
    const signed = signRequest(
      { method: req.method, host, path: req.path, query: req.query, headers: base, body: req.body },
      auth,
      new Date(now()),
    );
    return next({ ...req, headers: signed.headers });
  };
}
