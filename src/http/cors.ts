/**
 * CORS for browser callers on other origins. With no origins configured the gateway sends no
 * CORS headers at all, so browsers keep it same-origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a browser caller may send (auth, request id, Apollo's CSRF-safe markers). */
const ALLOWED_HEADERS = 'content-type, authorization, x-api-key, x-request-id, apollo-require-preflight, x-apollo-operation-name';

/** Applies CORS to a request: returns `true` when it was a preflight, already answered. */
export type Cors = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Creates the CORS handler for allowed origins (`['*']` = any origin, `[]` = CORS off). */
export function createCors(origins: readonly string[]): Cors {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    const allow = origins.length > 0 && origin !== undefined && (any || allowed.has(origin));
    // The answer depends on the Origin header, so caches must keep one copy per origin.
    if (origins.length > 0 && !any) res.appendHeader('vary', 'Origin');
    if (allow) {
      res.setHeader('access-control-allow-origin', any ? '*' : (origin as string));
      res.setHeader('access-control-expose-headers', 'x-request-id');
    }
    if (!preflight) return false;
    // A refused preflight still gets an answer, just without the allow headers: the browser then blocks the call.
    if (allow) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
    res.statusCode = 204;
    res.end();
    return true;
  };
}
