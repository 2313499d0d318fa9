/** The identity of an upstream call for coalescing and caching: method, path and canonical query. */
import type { UpstreamRequest } from '../pipeline';
import { canonicalQuery } from '../signer';

/** Returns the key of a request: same key, same upstream answer (`GET /path?a=1&b=2`, query sorted as signed). */
export function requestKey(req: Pick<UpstreamRequest, 'method' | 'path' | 'query'>): string {
  return `${req.method} ${req.path}?${canonicalQuery(req.query)}`;
}
