/** The create mutations' pure parts: input conversion, which failures may have created a task, and CDN.0108 as a user error. */
import { GatewayError } from '../../src/errors';
import { fingerprintOf, mayHaveCreated, toCreateError, toPreheatRequest, toRefreshRequest } from '../../src/graph/resolvers/mutation';

const url = 'https://cdn.example.com/a.js';

describe('toRefreshRequest', () => {
  it('converts enums to the upstream spelling and defaults to files', () => {
    expect(toRefreshRequest({ urls: [url] })).toEqual({ type: 'file', urls: [url] });
    expect(toRefreshRequest({ urls: [url], type: 'DIRECTORY', mode: 'DETECT_MODIFY_REFRESH' })).toEqual({ type: 'directory', mode: 'detect_modify_refresh', urls: [url] });
    expect(toRefreshRequest({ urls: [url], type: 'FILE', mode: 'ALL', idempotencyKey: 'k' })).toEqual({ type: 'file', mode: 'all', urls: [url] });
  });

  it.each([
    [{ urls: [url], type: 'UNKNOWN' as const }, 'input.type: UNKNOWN only describes values the gateway does not know and cannot be sent to the CDN.'],
    [{ urls: [url], mode: 'UNKNOWN' as const }, 'input.mode: UNKNOWN only describes values the gateway does not know and cannot be sent to the CDN.'],
  ])('refuses UNKNOWN enums: %j', (input, message) => {
    expect(() => toRefreshRequest(input)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', message }));
  });

  it('reports URL and key problems together', () => {
    expect(() => toRefreshRequest({ urls: ['ftp://x.example/a'], idempotencyKey: '' })).toThrow(
      expect.objectContaining({
        code: 'BAD_USER_INPUT',
        message:
          '2 problems in the input: input.urls[0] "ftp://x.example/a" must start with http:// or https://; ' +
          'input.idempotencyKey must be 1 to 255 printable ASCII characters without spaces (a UUID is a good key); got "".',
      }),
    );
  });
});

describe('toPreheatRequest', () => {
  it('passes the URLs through and applies the 1000-URL rule, not the directory one', () => {
    const urls = Array.from({ length: 101 }, (_, i) => `https://cdn.example.com/${i}`);
    expect(toPreheatRequest({ urls })).toEqual({ urls });
    expect(() => toPreheatRequest({ urls: [] })).toThrow(expect.objectContaining({ message: 'input.urls must hold at least one URL; got an empty list.' }));
  });
});

describe('fingerprintOf', () => {
  it('depends on the operation and every field of the request', () => {
    const base = fingerprintOf('refresh', { type: 'file', urls: [url] });
    expect(fingerprintOf('refresh', { type: 'file', urls: [url] })).toBe(base);
    expect(fingerprintOf('preheat', { urls: [url] })).not.toBe(fingerprintOf('refresh', { urls: [url] } as never));
    expect(fingerprintOf('refresh', { type: 'directory', urls: [url] })).not.toBe(base);
    expect(fingerprintOf('refresh', { type: 'file', mode: 'all', urls: [url] })).not.toBe(base);
    expect(fingerprintOf('refresh', { type: 'file', urls: [url, `${url}?v=2`] })).not.toBe(base);
  });
});

describe('mayHaveCreated', () => {
  const sent = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const refusedConnection = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  it.each<[string, unknown, boolean]>([
    ['a reset after sending', new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { upstream: { status: 0 }, cause: sent }), true],
    ['a timeout without an answer', new GatewayError('UPSTREAM_TIMEOUT', 'x', { upstream: { status: 0 } }), true],
    ['a 500', new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { upstream: { status: 500 } }), true],
    ['an unreadable 200', new GatewayError('UPSTREAM_BAD_RESPONSE', 'x', { upstream: { status: 200 } }), true],
    ['something unexpected', new TypeError('bug'), true],
    ['a refused connection', new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { upstream: { status: 0 }, cause: refusedConnection }), false],
    ['a quota refusal in a 200', new GatewayError('QUOTA_EXCEEDED', 'x', { upstream: { status: 200, code: 'CDN.0110' } }), false],
    ['a 400', new GatewayError('UPSTREAM_ERROR', 'x', { upstream: { status: 400, code: 'CDN.0001' } }), false],
    ['a 429', new GatewayError('UPSTREAM_RATE_LIMITED', 'x', { upstream: { status: 429 } }), false],
    ["the gateway's own rate limiter", new GatewayError('UPSTREAM_RATE_LIMITED', 'x'), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(mayHaveCreated(error)).toBe(expected);
  });
});

describe('toCreateError', () => {
  it('turns CDN.0108 into BAD_USER_INPUT, keeping the upstream code and request id', () => {
    const upstream = { status: 200, code: 'CDN.0108', message: 'The domain a.not-accelerated.example is not accelerated by this account.', requestId: 'req-1' };
    const converted = toCreateError('refresh', new GatewayError('UPSTREAM_ERROR', 'x', { upstream }));
    expect(converted).toBeInstanceOf(GatewayError);
    expect(converted).toMatchObject({
      code: 'BAD_USER_INPUT',
      upstream,
      message:
        'Creating a refresh task (POST /v1.0/cdn/content/refresh-tasks) was refused: the URLs name a domain this CDN account does not accelerate ' +
        '(CDN.0108 "The domain a.not-accelerated.example is not accelerated by this account.", upstream request id req-1). Add the domain to the CDN first, or remove its URLs.',
    });
  });

  it('leaves other errors alone', () => {
    const quota = new GatewayError('QUOTA_EXCEEDED', 'x', { upstream: { status: 200, code: 'CDN.0110' } });
    expect(toCreateError('preheat', quota)).toBe(quota);
    const other = new GatewayError('UPSTREAM_ERROR', 'x', { upstream: { status: 200, code: 'CDN.0005' } });
    expect(toCreateError('preheat', other)).toBe(other);
  });
});
