/**
 * Security over real HTTP: CSRF prevention, document limits (depth, aliases, tokens, cost
 * weighted by first/last), introspection switch, body limit, CORS, and caller authentication
 * with API keys, a shared JWT secret (time claims included: `exp` required, bounded lifetime, no
 * `iat` in the future), and a JWKS served over loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { startOpsStack, type OpsStack } from './ops-support';

describe('document limits, CSRF, body limit and CORS', () => {
  let stack: OpsStack;
  beforeAll(async () => {
    stack = await startOpsStack({
      env: { MAX_DEPTH: '5', MAX_ALIASES: '3', MAX_TOKENS: '300', MAX_COST: '500', BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://app.example.com', CORS_ALLOW_HEADERS: 'X-Tenant-Id' },
    });
  });
  afterAll(() => stack.close());

  it('blocks GraphQL GETs that a browser form could forge (Apollo CSRF prevention)', async () => {
    const res = await fetch(`${stack.origin}/graphql?query=%7B__typename%7D`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0]?.message).toMatch(/Cross-Site Request Forgery/);
    // The message says what to add, not only what went wrong.
    expect(body.errors[0]?.message).toMatch(/add the header apollo-require-preflight: true/);
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', requestId: res.headers.get('x-request-id') });
  });

  it('refuses documents deeper than MAX_DEPTH', async () => {
    const res = await stack.gql('{ urlTasks(first: 1) { edges { node { task { urls(first: 1) { nodes { url } } } } } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'Query depth limit of 5 exceeded, found 7. (MAX_DEPTH)', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('refuses more aliases than MAX_ALIASES', async () => {
    const res = await stack.gql('{ a: __typename b: tasks(first: 1) { totalCount } c: tasks(first: 1) { totalCount } d: tasks(first: 1) { totalCount } e: tasks(first: 1) { totalCount } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toBe('Aliases limit of 3 exceeded, found 4. (MAX_ALIASES)');
  });

  it('stops parsing documents longer than MAX_TOKENS', async () => {
    const res = await stack.gql(`{ ${'a '.repeat(400)}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(res.body.errors?.[0]?.message).toMatch(/more that 300 tokens/);
  });

  it('weights cost by first/last, literal or variable, and by the default page size when neither is given', async () => {
    const nested = 'query Nested($n: Int) { tasks(first: $n) { nodes { taskId urls(first: 10) { nodes { url status } } } } }';
    const small = await stack.gql(nested, { n: 2 });
    expect(small.body.errors).toBeUndefined();
    const big = await stack.gql(nested, { n: 50 });
    expect(big.status).toBe(400);
    expect(big.body.errors?.[0]?.message).toMatch(/^Query cost \d+ exceeds the limit of 500 \(MAX_COST\)/);
    expect(big.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // No first: each task's urls default to DEFAULT_PAGE_SIZE (20), so 20 × 20 records are possible.
    const implicit = await stack.gql('{ tasks { nodes { urls { nodes { url status } } } } }');
    expect(implicit.body.errors?.[0]?.message).toMatch(/MAX_COST/);
  });

  it('refuses bodies over BODY_LIMIT_BYTES with 413 and a GraphQL error body', async () => {
    const res = await stack.gql(`{ __typename } # ${'x'.repeat(4000)}`);
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'The request body exceeds 2048 bytes (BODY_LIMIT_BYTES)', extensions: { code: 'BAD_REQUEST' } });
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.origin}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' } });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-api-key');
    const refused = await preflight('https://evil.example.net');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-headers')).toBeNull();
    const post = await stack.gql('{ __typename }', undefined, { origin: 'https://app.example.com' });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(post.headers.get('vary')).toMatch(/Origin/);
  });

  it('allows in preflights the headers GraphQL clients and tracers send, and those CORS_ALLOW_HEADERS adds', async () => {
    // What Apollo Client (clientAwareness), urql (apollo-require-preflight), OpenTelemetry and Sentry send, as Chromium lists them.
    const requested = [
      'apollo-require-preflight',
      'apollographql-client-name',
      'apollographql-client-version',
      'authorization',
      'baggage',
      'content-type',
      'sentry-trace',
      'traceparent',
      'tracestate',
      'x-apollo-operation-name',
      'x-request-id',
      'x-tenant-id',
    ];
    const res = await fetch(`${stack.origin}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': requested.join(',') },
    });
    expect(res.status).toBe(204);
    const allowed = new Set((res.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim()));
    expect(requested.filter((h) => !allowed.has(h))).toEqual([]);
    // Only what is listed: a header nobody configured is not allowed, so the browser would block that call.
    expect(allowed.has('x-something-else')).toBe(false);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
  });
});

describe('introspection switch', () => {
  it('allows introspection by default and refuses it, without field suggestions, when INTROSPECTION=false', async () => {
    const open = await startOpsStack();
    try {
      const res = await open.gql('{ __schema { queryType { name } } }');
      expect(res.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      const typo = await open.gql('{ urlTask { totalCount } }');
      expect(typo.body.errors?.[0]?.message).toMatch(/Did you mean/);
    } finally {
      await open.close();
    }
    const closed = await startOpsStack({ env: { INTROSPECTION: 'false' } });
    try {
      const res = await closed.gql('{ __schema { queryType { name } } }');
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const typo = await closed.gql('{ urlTask { totalCount } }');
      expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "urlTask" on type "Query".');
    } finally {
      await closed.close();
    }
  });
});

describe('caller authentication', () => {
  const KEY = 'caller-key-0123456789abcdef';

  it('with API keys: refuses missing and unknown keys with 401 UNAUTHENTICATED, accepts x-api-key and Bearer', async () => {
    const stack = await startOpsStack({ env: { AUTH_MODE: 'api-key', API_KEYS: `other-key-000000000000,${KEY}` } });
    try {
      const missing = await stack.gql('{ __typename }');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(missing.body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', requestId: missing.headers.get('x-request-id') } });
      const wrong = await stack.gql('{ __typename }', undefined, { 'x-api-key': 'caller-key-0123456789abcdeX' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.errors?.[0]?.message).toBe('The API key is not valid');
      expect((await stack.gql('{ __typename }', undefined, { 'x-api-key': KEY })).body.data).toEqual({ __typename: 'Query' });
      expect((await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${KEY}` })).body.data).toEqual({ __typename: 'Query' });
      const access = (await stack.waitForLogs((l) => l.msg === 'graphql request', 4)).map((l) => [l.status, l.caller]);
      expect(access).toEqual([[401, undefined], [401, undefined], [200, 'api-key:key-2'], [200, 'api-key:key-2']]);
      const metrics = await (await fetch(`${stack.origin}/metrics`)).text();
      expect(metrics).toMatch(/^gateway_graphql_errors_total\{operation="anonymous",code="UNAUTHENTICATED"\} 2$/m);
      // Health and readiness stay open for probes.
      expect((await fetch(`${stack.origin}/healthz`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('with a shared JWT secret: accepts valid tokens, refuses expired ones and foreign audiences', async () => {
    const secret = 'jwt-shared-secret-0123456789abcdef-xyz';
    const stack = await startOpsStack({ env: { AUTH_MODE: 'jwt', JWT_SECRET: secret, JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'cdn-gateway' } });
    const key = new TextEncoder().encode(secret);
    const token = (claims: { aud?: string; exp?: number | string }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-42')
        .setIssuer('https://issuer.test')
        .setAudience(claims.aud ?? 'cdn-gateway')
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? '5m')
        .sign(key);
    try {
      const ok = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await token({})}` });
      expect(ok.body.data).toEqual({ __typename: 'Query' });
      const expired = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 60 })}` });
      expect([expired.status, expired.body.errors?.[0]?.message]).toEqual([401, 'The token has expired']);
      const foreign = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await token({ aud: 'someone-else' })}` });
      expect([foreign.status, foreign.body.errors?.[0]?.message]).toEqual([401, 'The token\'s "aud" claim is not accepted (check_failed)']);
      const [accepted] = await stack.waitForLogs((l) => l.msg === 'graphql request' && l.status === 200);
      expect(accepted?.caller).toBe('jwt:user-42');
    } finally {
      await stack.close();
    }
  });

  it('with a shared JWT secret: refuses tokens without exp, issued in the future, or living longer than JWT_MAX_LIFETIME_S', async () => {
    const secret = 'jwt-shared-secret-0123456789abcdef-xyz';
    const stack = await startOpsStack({ env: { AUTH_MODE: 'jwt', JWT_SECRET: secret, JWT_MAX_LIFETIME_S: '3600' } });
    const key = new TextEncoder().encode(secret);
    const now = () => Math.floor(Date.now() / 1000);
    const YEAR = 365 * 86400;
    const sign = (claims: { iat?: number; exp?: number }) => new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-7').sign(key);
    const ask = async (claims: { iat?: number; exp?: number }) => {
      const res = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await sign(claims)}` });
      return res.status === 200 ? res.body.data : [res.status, res.body.errors?.[0]?.extensions?.code, res.body.errors?.[0]?.message];
    };
    try {
      expect(await ask({})).toEqual([401, 'UNAUTHENTICATED', 'The token has no "exp" claim: this gateway accepts only tokens that expire']);
      expect(await ask({ iat: now() })).toEqual([401, 'UNAUTHENTICATED', 'The token has no "exp" claim: this gateway accepts only tokens that expire']);
      // Issued ten years ago, still "valid" for five minutes: a lifetime of ten years.
      expect(await ask({ iat: now() - 10 * YEAR, exp: now() + 300 })).toEqual([401, 'UNAUTHENTICATED', expect.stringMatching(/^The token is valid for \d+ s \(from its "iat" to its "exp"\), longer than this gateway accepts \(3600 s\)$/)]);
      expect(await ask({ iat: now() + 10 * YEAR, exp: now() + 10 * YEAR + 300 })).toEqual([401, 'UNAUTHENTICATED', 'The token\'s "iat" claim is in the future (more than 5 s ahead of this gateway\'s clock)']);
      // Without iat, the lifetime left counts: two hours is over the hour allowed.
      expect(await ask({ exp: now() + 7200 })).toEqual([401, 'UNAUTHENTICATED', expect.stringMatching(/^The token is valid for \d+ s \(from now until its "exp"\), longer than this gateway accepts \(3600 s\)$/)]);
      // Within the limits: an hour-long token, one without iat expiring within the hour, and an iat within the clock tolerance.
      expect(await ask({ iat: now(), exp: now() + 3600 })).toEqual({ __typename: 'Query' });
      expect(await ask({ exp: now() + 1800 })).toEqual({ __typename: 'Query' });
      expect(await ask({ iat: now() + 3, exp: now() + 600 })).toEqual({ __typename: 'Query' });
      const refusals = (await stack.waitForLogs((l) => l.msg?.toString().startsWith('caller refused') === true, 5)).map((l) => l.reason);
      expect(refusals).toEqual(['exp-missing', 'exp-missing', 'lifetime-too-long', 'iat-in-future', 'lifetime-too-long']);
    } finally {
      await stack.close();
    }
  });

  it('with a JWKS URL: accepts tokens signed by a published key, refuses others', async () => {
    const issuer = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(issuer.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    // A loopback JWKS may be plain http (a remote one must be https); JWKS mode needs JWT_AUDIENCE.
    const stack = await startOpsStack({ env: { AUTH_MODE: 'jwt', JWKS_URL: jwksUrl, JWT_AUDIENCE: 'cdn-gateway', JWT_ISSUER: 'https://issuer.test' } });
    const sign = (key: CryptoKey | Uint8Array | object, audience = 'cdn-gateway') =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('svc')
        .setIssuer('https://issuer.test')
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key as Parameters<SignJWT['sign']>[0]);
    try {
      const ok = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await sign(issuer.privateKey)}` });
      expect(ok.body.data).toEqual({ __typename: 'Query' });
      // The issuer's own key, but a token meant for another application.
      const elsewhere = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await sign(issuer.privateKey, 'another-app')}` });
      expect([elsewhere.status, elsewhere.body.errors?.[0]?.message]).toEqual([401, 'The token\'s "aud" claim is not accepted (check_failed)']);
      const forged = await stack.gql('{ __typename }', undefined, { authorization: `Bearer ${await sign(stranger.privateKey)}` });
      expect([forged.status, forged.body.errors?.[0]?.message]).toEqual([401, 'The token signature is not valid']);
      const garbage = await stack.gql('{ __typename }', undefined, { authorization: 'Bearer not.a.jwt' });
      expect([garbage.status, garbage.body.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    } finally {
      await stack.close();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
    }
  });
});
