/** The gateway's operational and security settings: defaults, every problem at once, secrets never echoed, exposure warning. */
import { loadConfig } from '../../src/config';
import { fixedSecret, problemsOf } from '../support/config-problems';
import { exposureWarning, isLoopbackHost, jwtIssuerWarning } from '../../src/http/exposure';

const secret = fixedSecret;

describe('operational and security settings', () => {
  it('defaults to no CORS, introspection on, no caller auth, and the documented limits', () => {
    expect(loadConfig({}, secret)).toMatchObject({
      corsOrigins: [],
      corsAllowHeaders: [],
      introspection: true,
      callerAuth: { mode: 'none' },
      queryLimits: { maxDepth: 10, maxAliases: 15, maxTokens: 1000, maxCost: 5000 },
      bodyLimitBytes: 1048576,
      readinessTtlMs: 10000,
      shutdownTimeoutMs: 20000,
      httpServer: { headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000, maxConnections: 512 },
    });
    expect(loadConfig({}, secret).federationTraceSecret).toBeUndefined();
  });

  it('reads CORS origins, introspection, API keys and JWT settings', () => {
    const keys = loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:3000', INTROSPECTION: 'false', AUTH_MODE: 'api-key', API_KEYS: 'key-aaaaaaaaaaaaaaaa,key-bbbbbbbbbbbbbbbb' }, secret);
    expect(keys.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:3000']);
    expect(keys.introspection).toBe(false);
    expect(keys.callerAuth).toEqual({ mode: 'api-key', keys: ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb'] });
    const jwt = loadConfig({ AUTH_MODE: 'jwt', JWKS_URL: 'https://id.example.com/jwks.json', JWT_AUDIENCE: 'gw' }, secret);
    expect(jwt.callerAuth).toEqual({ mode: 'jwt', secret: undefined, jwksUrl: 'https://id.example.com/jwks.json', issuer: undefined, audience: 'gw', maxLifetimeS: 86400 });
    expect(loadConfig({ AUTH_MODE: 'jwt', JWT_SECRET: 'a-secret-that-is-long-enough-0123456789', JWT_MAX_LIFETIME_S: '3600' }, secret).callerAuth).toMatchObject({ maxLifetimeS: 3600 });
  });

  it('requires https for a remote JWKS URL, and an audience in JWKS mode', () => {
    const jwks = (url: string) => ({ AUTH_MODE: 'jwt', JWKS_URL: url, JWT_AUDIENCE: 'gw' });
    const https = 'JWKS_URL: must be an https:// URL (http:// only for a loopback host such as 127.0.0.1 or localhost): keys fetched over plain HTTP can be replaced on the way';
    expect(problemsOf(jwks('http://id.example.com/jwks.json'))).toContain(`${https} (got "http://id.example.com/jwks.json")`);
    expect(problemsOf(jwks('http://10.0.0.7:8080/jwks.json'))).toContain(`${https} (got "http://10.0.0.7:8080/jwks.json")`);
    expect(problemsOf(jwks('not a url'))).toContain('JWKS_URL: must be an http(s) URL (got "not a url")');
    for (const loopback of ['http://127.0.0.1:9000/jwks.json', 'http://localhost/jwks.json', 'http://[::1]:9000/jwks.json', 'https://id.example.com/jwks.json']) {
      expect(loadConfig(jwks(loopback), secret).callerAuth).toMatchObject({ jwksUrl: loopback });
    }
    expect(problemsOf({ AUTH_MODE: 'jwt', JWKS_URL: 'https://id.example.com/jwks.json', JWT_ISSUER: 'https://id.example.com' })).toEqual([
      "JWKS_URL needs JWT_AUDIENCE (the aud claim your tokens carry for this gateway): an issuer's keys usually sign tokens for other applications too, and without an audience check this gateway would accept them all",
    ]);
    // A shared secret belongs to this gateway's issuer alone: no audience needed.
    expect(loadConfig({ AUTH_MODE: 'jwt', JWT_SECRET: 'a-secret-that-is-long-enough-0123456789' }, secret).callerAuth).toMatchObject({ mode: 'jwt', audience: undefined });
    expect(problemsOf({ AUTH_MODE: 'jwt', JWT_SECRET: 'a-secret-that-is-long-enough-0123456789', JWT_MAX_LIFETIME_S: '10' })).toEqual(['JWT_MAX_LIFETIME_S: must be at least 60 (got "10")']);
  });

  it('reads the HTTP server limits and refuses a headers timeout longer than the request timeout', () => {
    const config = loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '4000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000', HTTP_MAX_CONNECTIONS: '100' }, secret);
    expect(config.httpServer).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 65000, maxConnections: 100 });
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000', HTTP_MAX_CONNECTIONS: '0', HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' })).toEqual([
      'HTTP_KEEP_ALIVE_TIMEOUT_MS: must be at least 100 (got "0")',
      'HTTP_MAX_CONNECTIONS: must be at least 1 (got "0")',
      'HTTP_HEADERS_TIMEOUT_MS (20000) must not exceed HTTP_REQUEST_TIMEOUT_MS (10000): the headers are part of the request',
    ]);
  });

  it('reads FEDERATION_TRACE_SECRET without ever echoing it', () => {
    expect(loadConfig({ FEDERATION_TRACE_SECRET: 'router-trace-secret-0123' }, secret).federationTraceSecret).toBe('router-trace-secret-0123');
    expect(problemsOf({ FEDERATION_TRACE_SECRET: 'short-trace' })).toEqual(['FEDERATION_TRACE_SECRET: must be at least 16 characters (got a value, not shown)']);
  });

  it('lists every invalid and contradictory setting at once', () => {
    expect(
      problemsOf({
        CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path,*',
        INTROSPECTION: 'yes',
        AUTH_MODE: 'jwt',
        JWT_SECRET: 'a-secret-that-is-long-enough-0123456789',
        JWKS_URL: 'https://id.example.com/jwks.json',
        API_KEYS: 'some-api-key-0123456789',
        MAX_DEPTH: '0',
        MAX_COST: '50',
        MAX_PAGE_SIZE: '100',
        BODY_LIMIT_BYTES: '10',
        SHUTDOWN_TIMEOUT_MS: '5000',
        MAX_QUEUED_PER_REQUEST: '30',
        MAX_QUEUED_PER_CALLER: '10',
      }),
    ).toEqual([
      'CORS_ORIGINS: "https://bad.example.com/path" is not an origin such as https://app.example.com (scheme://host[:port], no path or trailing slash), nor * (got "https://ok.example.com,https://bad.examp"…)',
      'CORS_ORIGINS: * allows every origin and must stand alone (got "https://ok.example.com,https://bad.examp"…)',
      'INTROSPECTION: Invalid option: expected one of "true"|"false" (got "yes")',
      'MAX_DEPTH: must be at least 1 (got "0")',
      'BODY_LIMIT_BYTES: must be at least 1024 (got "10")',
      'API_KEYS is set but AUTH_MODE is jwt: set AUTH_MODE=api-key to use the keys, or unset API_KEYS',
      'JWT_SECRET and JWKS_URL are alternatives: set one of them',
      'MAX_QUEUED_PER_CALLER (10) must be at least MAX_QUEUED_PER_REQUEST (30): one request of a caller may hold that many',
      'MAX_COST (50) must exceed MAX_PAGE_SIZE (100): one full page of a single field costs MAX_PAGE_SIZE + 1',
      'SHUTDOWN_TIMEOUT_MS (5000) must be at least REQUEST_TIMEOUT_MS (15000): a shutdown would cut off requests still within their deadline',
    ]);
  });

  it('reads CORS_ALLOW_HEADERS as lower-case header names added to the defaults, and refuses what is not a header name', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example.com', CORS_ALLOW_HEADERS: 'X-Tenant-Id, x-feature-flags,x-tenant-id,' }, secret);
    expect(config.corsAllowHeaders).toEqual(['x-tenant-id', 'x-feature-flags']);
    expect(problemsOf({ CORS_ORIGINS: 'https://app.example.com', CORS_ALLOW_HEADERS: 'x-ok, x bad, x-tenant:1, *' })).toEqual([
      'CORS_ALLOW_HEADERS: "x bad" is not a header name (an HTTP token such as x-tenant-id: letters, digits, - and a few symbols, no spaces or colons, at most 128 characters) (got "x-ok, x bad, x-tenant:1, *")',
      'CORS_ALLOW_HEADERS: "x-tenant:1" is not a header name (an HTTP token such as x-tenant-id: letters, digits, - and a few symbols, no spaces or colons, at most 128 characters) (got "x-ok, x bad, x-tenant:1, *")',
      'CORS_ALLOW_HEADERS: * is not accepted: list the header names (a wildcard never covers Authorization) (got "x-ok, x bad, x-tenant:1, *")',
    ]);
    expect(problemsOf({ CORS_ALLOW_HEADERS: 'x-tenant-id' })).toEqual([
      'CORS_ALLOW_HEADERS is set but CORS_ORIGINS is not: no browser origin may call, so the headers would never be allowed; set CORS_ORIGINS, or unset CORS_ALLOW_HEADERS',
    ]);
  });

  it('asks for the credentials an AUTH_MODE needs, and for AUTH_MODE when only credentials are set', () => {
    expect(problemsOf({ AUTH_MODE: 'api-key' })).toEqual(['AUTH_MODE=api-key needs API_KEYS (a comma-separated list of keys)']);
    expect(problemsOf({ AUTH_MODE: 'jwt' })).toEqual(["AUTH_MODE=jwt needs JWT_SECRET (a shared HMAC secret) or JWKS_URL (the issuer's public keys)"]);
    expect(problemsOf({ JWT_ISSUER: 'https://id.example.com', JWT_AUDIENCE: 'gw' })).toEqual(['JWT_ISSUER, JWT_AUDIENCE are set but AUTH_MODE is none: set AUTH_MODE=jwt, or unset them']);
  });

  it('never echoes API keys or the JWT secret', () => {
    const problems = problemsOf({ AUTH_MODE: 'api-key', API_KEYS: 'short-key-1,has space in it 0123', JWT_SECRET: 'too-short-jwt-secret' });
    expect(problems).toContain('API_KEYS: each key must be at least 16 characters (key #1 is 11) (got a value, not shown)');
    expect(problems).toContain('API_KEYS: keys must not contain whitespace (key #2 does) (got a value, not shown)');
    expect(problems.join('\n')).not.toMatch(/short-key-1|has space|too-short-jwt-secret/);
  });
});

describe('exposure warning', () => {
  it('tells loopback addresses from the others', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.5', 'gateway.internal', '128.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });

  it('warns only when listening beyond loopback without caller authentication', () => {
    expect(exposureWarning('127.0.0.1', { mode: 'none' })).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { mode: 'api-key', keys: ['k'] })).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { mode: 'none' })).toMatch(/^HOST=0\.0\.0\.0 accepts connections from other machines and AUTH_MODE=none/);
  });

  it('warns when JWKS mode does not check the issuer', () => {
    const jwks = loadConfig({ AUTH_MODE: 'jwt', JWKS_URL: 'https://id.example.com/jwks.json', JWT_AUDIENCE: 'gw' }, secret).callerAuth;
    expect(jwtIssuerWarning(jwks)).toMatch(/^JWKS_URL is set without JWT_ISSUER: tokens are accepted whatever their "iss" claim/);
    expect(jwtIssuerWarning({ ...jwks, issuer: 'https://id.example.com' } as typeof jwks)).toBeUndefined();
    expect(jwtIssuerWarning(loadConfig({ AUTH_MODE: 'jwt', JWT_SECRET: 'a-secret-that-is-long-enough-0123456789' }, secret).callerAuth)).toBeUndefined();
    expect(jwtIssuerWarning({ mode: 'none' })).toBeUndefined();
  });
});
