/**
 * Bounds on slow or numerous clients for the gateway's node:http server: how long a request may
 * take to arrive (headers, then the whole body), how long an idle keep-alive connection stays,
 * and how many connections may be open at once (HTTP_* settings; docs/architecture.md, HTTP server).
 */
import type { Server, ServerOptions } from 'node:http';
import type { HttpServerLimits } from '../config';
import type { Logger } from '../logger';

// Node sweeps connections for expired header and request timeouts every 30 s by default, which
// would let a slow client hold on up to 30 s past its timeout.
const MAX_CHECKING_INTERVAL_MS = 1000;
const MIN_CHECKING_INTERVAL_MS = 10;

/** Once per this period at most, a warning says how many connections the cap refused. */
const DROP_WARNING_PERIOD_MS = 30_000;

/** Returns how often Node should sweep connections for expired timeouts: a tenth of the shorter timeout, from 10 ms to 1 s. */
export function connectionsCheckingIntervalMs(limits: Pick<HttpServerLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  const shorter = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return Math.min(MAX_CHECKING_INTERVAL_MS, Math.max(MIN_CHECKING_INTERVAL_MS, Math.floor(shorter / 10)));
}

/** Returns the `createServer` options that apply the header, request and keep-alive timeouts. */
export function httpServerOptions(limits: HttpServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs(limits),
  };
}

/** Caps the server's open connections (Node closes further ones as soon as it accepts them) and warns, at most every 30 s, about the ones it refused. */
export function capConnections(server: Server, maxConnections: number, logger: Logger, now: () => number = Date.now): void {
  server.maxConnections = maxConnections;
  let refused = 0;
  let lastWarning = -Infinity;
  server.on('drop', () => {
    refused += 1;
    if (now() - lastWarning < DROP_WARNING_PERIOD_MS) return;
    lastWarning = now();
    logger.warn(
      { refused, maxConnections },
      `HTTP_MAX_CONNECTIONS (${maxConnections}) reached: ${refused} connection${refused === 1 ? '' : 's'} refused since the last warning`,
    );
    refused = 0;
  });
}
