/**
 * The terminal handler: one keep-alive undici `Pool` per client. Sends what the stages built
 * and always reads the body to the end (or destroys it), so no socket is left half-read.
 * Failures and error responses come back raw; the classify stage turns them into catalogue errors.
 */
import { Pool, type Dispatcher } from 'undici';
import { remainingMs } from './deadline';
import type { RawHandler, RawResponse } from './pipeline';
import { canonicalQuery, encodePath } from './signer';


// How far past the deadline undici's header and body timeouts fire, when the abort signal has not.
const TIMEOUT_BACKSTOP_MS = 1000;

/** Transport settings. */
export interface TransportOptions {
  readonly origin: string;
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly now: () => number;
}

/** A handler bound to a connection pool, and the way to close the pool. */
export interface Transport {
  readonly handler: RawHandler;
  close(): Promise<void>;
}

// A request id is only forwarded when it is a plain visible-ASCII token (no header injection).
const SAFE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Creates the pool-backed terminal handler. */
export function createPoolTransport(opts: TransportOptions): Transport {
  const pool = new Pool(opts.origin, {
    connections: opts.connections,
    pipelining: 1,
    connect: { timeout: opts.connectTimeoutMs },
    maxResponseSize: opts.maxResponseBytes,
  });

  const handler: RawHandler = async (req) => {
    const query = canonicalQuery(req.query);
    const headers: Record<string, string> = { ...req.headers };
    if (req.requestId !== undefined && SAFE_REQUEST_ID.test(req.requestId)) headers['x-request-id'] = req.requestId;
    // The deadline and attempt-timeout stages' signal cuts the call; undici's own timeouts are a backstop
    // a little past the deadline, so that the cause a caller sees does not depend on which timer fired first.
    const timeout = Math.max(1, remainingMs(req.deadline, opts.now())) + TIMEOUT_BACKSTOP_MS;
    // Told before the request is queued on the pool: a call cut off from here on may have reached the CDN.
    req.onSend?.();
    const { statusCode, headers: rawHeaders, body } = await pool.request({
      method: req.method,
      path: encodePath(req.path) + (query ? `?${query}` : ''),
      headers,
      body: req.body,
      signal: req.signal,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    let text: string;
    try {
      text = await body.text();
    } catch (e) {
      body.destroy();
      throw e;
    }
    const flat = flattenHeaders(rawHeaders);
    return { status: statusCode, headers: flat, body: text, requestId: flat['x-request-id'] } satisfies RawResponse;
  };

  return {
    handler,
    async close() {
      if (!pool.closed && !pool.destroyed) await pool.close();
    },
  };
}

/** Flattens undici's response headers to lower-case single strings (repeated values joined by `, `). */
export function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
