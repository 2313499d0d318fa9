/** The identity of an upstream call for coalescing and caching: method, path, canonical query and, for lists, the generation. */
import type { UpstreamRequest } from '../pipeline';
import { canonicalQuery } from '../signer';

/**
 * Returns the key of a request: same key, same upstream answer (`GET /path?a=1&b=2`, query sorted
 * as signed; ` #g3` appended for a call stamped with generation 3, see ./generation.ts).
 */
export function requestKey(req: Pick<UpstreamRequest, 'method' | 'path' | 'query' | 'generation'>): string {
  const key = `${req.method} ${req.path}?${canonicalQuery(req.query)}`;
  return req.generation === undefined ? key : `${key} #g${req.generation.value}`;
}
