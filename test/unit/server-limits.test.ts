/** The HTTP server's slow-client bounds: Node's sweep for expired timeouts runs often enough to enforce them. */
import { connectionsCheckingIntervalMs, httpServerOptions } from '../../src/http/server-limits';

describe('HTTP server limits', () => {
  it('sweeps for expired timeouts at a tenth of the shorter one, from 10 ms to 1 s (Node sweeps every 30 s by default)', () => {
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 })).toBe(1000);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 500, requestTimeoutMs: 1000 })).toBe(50);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 100, requestTimeoutMs: 100 })).toBe(10);
  });

  it('maps the settings onto createServer options', () => {
    expect(httpServerOptions({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000, maxConnections: 512 })).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: 1000,
    });
  });
});
