/**
 * CORS for browser callers on other origins. With no origins configured the gateway sends no
 * CORS headers at all, so browsers keep it same-origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Request headers every preflight allows: what GraphQL clients and tracing libraries send by
 * default, so that they work cross-origin unmodified. A browser refuses the whole call when a
 * preflight leaves out one header it is about to send (Chromium: `TypeError: Failed to fetch`).
 */
export const DEFAULT_CORS_ALLOW_HEADERS: readonly string[] = Object.freeze([
  // The body's type, and caller authentication (API key or JWT).
  'content-type',
  'authorization',
  'x-api-key',
  // The caller's request id, echoed back and logged.
  'x-request-id',
  // Apollo Server's CSRF-prevention markers (a GET carrying one proves the browser preflighted it).
  'apollo-require-preflight',
  'x-apollo-operation-name',
  // Apollo Client's clientAwareness, and its library identification when sent as headers.
  'apollographql-client-name',
  'apollographql-client-version',
  'apollographql-library-name',
  'apollographql-library-version',
  // W3C Trace Context and Baggage (OpenTelemetry's browser instrumentation), and Sentry's tracing.
  'traceparent',
  'tracestate',
  'baggage',
  'sentry-trace',
]);

/** Applies CORS to a request: returns `true` when it was a preflight, already answered. */
export type Cors = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Options of `createCors`. */
export interface CorsOptions {
  /** Allowed origins: `['*']` = any origin, `[]` = CORS off. */
  readonly origins: readonly string[];
  /** Request headers allowed on top of `DEFAULT_CORS_ALLOW_HEADERS` (CORS_ALLOW_HEADERS). */
  readonly extraAllowHeaders?: readonly string[];
}

/** Creates the CORS handler for the allowed origins and request headers. */
export function createCors(options: CorsOptions): Cors {
  const { origins } = options;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allowHeaders = [...new Set([...DEFAULT_CORS_ALLOW_HEADERS, ...(options.extraAllowHeaders ?? []).map((h) => h.toLowerCase())])].join(', ');
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
      res.setHeader('access-control-allow-headers', allowHeaders);
      res.setHeader('access-control-max-age', '600');
    }
    res.statusCode = 204;
    res.end();
    return true;
  };
}

/**
 * Tells whether a subscription connection's Origin (a WebSocket upgrade, an event stream) may
 * connect: no Origin (not a browser), the gateway's own origin (same host), or an origin
 * CORS_ORIGINS allows. Browsers do not apply CORS to WebSockets, and an event stream's polling
 * starts before CORS could hide its answer, so this check is what keeps other sites' pages out.
 */
export function streamOriginAllowed(origin: string | undefined, host: string | undefined, origins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (origins.includes('*') || origins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
