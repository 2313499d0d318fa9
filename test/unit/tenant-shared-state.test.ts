/**
 * Tenant identity in shared state (docs/architecture.md, Shared state): the quota scope and the
 * credential scope that name Redis keys, and the cache served only while this gateway's own
 * credentials are proven. Two economies over one store stand for two gateways on one Redis
 * (over the wire with a real Redis: test/integration/redis-tenants.test.ts).
 */
import { createEconomy, stateKeyPrefix, type EconomyOptions } from '../../src/cdn/economy';
import { normalizeOptions, type CdnAuth } from '../../src/cdn/options';
import type { RawHandler, RawResponse, UpstreamRequest } from '../../src/cdn/pipeline';
import { createRedactor } from '../../src/cdn/redact';
import { composeUpstream, credentialScope, quotaScope, upstreamOptionsFromConfig } from '../../src/cdn/upstream';
import { ConfigError, loadConfig } from '../../src/config';
import { GatewayError } from '../../src/errors';
import { flattenSnapshot } from '../../src/http/metrics';
import { createMemoryState, type SharedState } from '../../src/state/index';
import { failure } from '../support/failure';

const ENDPOINT = 'https://cdn.myhuaweicloud.com';
const TOKEN_A = 'MIIFtoken-of-tenant-a-0123456789abcdef';
const TOKEN_B = 'MIIFtoken-of-tenant-b-0123456789abcdef';
const AKSK: CdnAuth = { kind: 'aksk', ak: 'AK-TENANT-0001', sk: 'SK-TENANT-SECRET-0001' };

describe('quota scope', () => {
  it('keeps the AK/SK scope of earlier releases: endpoint and AK, whatever the SK or domain id', () => {
    expect(quotaScope(ENDPOINT, AKSK)).toBe(`${ENDPOINT} AK-TENANT-0001`);
    expect(quotaScope(ENDPOINT, { ...AKSK, sk: 'another-sk', domainId: 'd1' })).toBe(quotaScope(ENDPOINT, AKSK));
    expect(quotaScope('https://cdn.myhuaweicloud.eu', AKSK)).not.toBe(quotaScope(ENDPOINT, AKSK));
  });

  it('gives two IAM tokens two scopes, neither holding the token', () => {
    const a = quotaScope(ENDPOINT, { kind: 'token', token: TOKEN_A });
    const b = quotaScope(ENDPOINT, { kind: 'token', token: TOKEN_B });
    expect(a).not.toBe(b);
    expect(a).toBe(quotaScope(ENDPOINT, { kind: 'token', token: TOKEN_A }));
    for (const scope of [a, b]) {
      expect(scope).not.toContain('MIIF');
      expect(scope).not.toContain('iam-token');
    }
  });

  it('lets the operator name one account for several credentials', () => {
    const scopes = [{ kind: 'token', token: TOKEN_A } as const, { kind: 'token', token: TOKEN_B } as const, AKSK].map((auth) => quotaScope(ENDPOINT, auth, 'acct-1'));
    expect(new Set(scopes).size).toBe(1);
    expect(quotaScope(ENDPOINT, AKSK, 'acct-2')).not.toBe(scopes[0]);
  });

  it('hashes the scope into the Redis key prefix', () => {
    const prefix = stateKeyPrefix(quotaScope(ENDPOINT, AKSK));
    expect(prefix).toMatch(/^cdngw:[0-9a-f]{16}:$/);
    expect(prefix).not.toContain('AK-TENANT');
  });

  it('reaches createUpstream from UPSTREAM_ACCOUNT_ID, and is listed as a problem (value not shown) when malformed', () => {
    const config = loadConfig({ HUAWEICLOUD_IAM_TOKEN: TOKEN_A, UPSTREAM_ACCOUNT_ID: 'acct-1' }, () => 'x'.repeat(32));
    expect(upstreamOptionsFromConfig(config, ENDPOINT)).toMatchObject({ accountId: 'acct-1', auth: { kind: 'token' } });
    // The economy options carry no scope: createUpstream derives it from the credentials it signs with.
    expect(upstreamOptionsFromConfig(config, ENDPOINT).economy).not.toHaveProperty('scope');
    expect(upstreamOptionsFromConfig(loadConfig({}, () => 'x'.repeat(32)), ENDPOINT)).not.toHaveProperty('accountId');
    try {
      loadConfig({ UPSTREAM_ACCOUNT_ID: 'my account' }, () => 'x'.repeat(32));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toEqual([
        "UPSTREAM_ACCOUNT_ID: must be 1 to 128 letters, digits or . _ : - (e.g. the account's domain id) (got a value, not shown)",
      ]);
    }
  });
});

describe('credential scope', () => {
  it('is shared by the same credentials only, and holds no secret', () => {
    expect(credentialScope(AKSK)).toBe(credentialScope({ ...AKSK }));
    expect(credentialScope({ ...AKSK, sk: 'a-wrong-sk' })).not.toBe(credentialScope(AKSK));
    expect(credentialScope({ ...AKSK, ak: 'AK-TENANT-0002' })).not.toBe(credentialScope(AKSK));
    expect(credentialScope({ kind: 'token', token: TOKEN_A })).not.toBe(credentialScope({ kind: 'token', token: TOKEN_B }));
    for (const scope of [credentialScope(AKSK), credentialScope({ kind: 'token', token: TOKEN_A })]) {
      expect(scope).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

// --- The cache served only to proven credentials --------------------------------------------

const page = (n: number): RawResponse => ({ status: 200, headers: {}, body: `{"total":${n},"count":0,"result":[]}` });
const REFUSED: RawResponse = { status: 401, headers: {}, body: '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: decrypt token fail"}' };
const FORBIDDEN: RawResponse = { status: 403, headers: {}, body: '{"error_code":"APIGW.0302","error_msg":"The IAM user is forbidden"}' };

// One gateway's pipeline over `state`: the terminal answers what `answer` says and counts the calls that reached it.
function gateway(state: SharedState, answer: (req: UpstreamRequest, n: number) => RawResponse, options: EconomyOptions = {}) {
  let calls = 0;
  const terminal: RawHandler = async (req) => answer(req, ++calls);
  const economy = createEconomy({ now: () => Date.now(), state, cacheTtlMs: 120_000, coalesce: false, rateLimits: { 'url-tasks': 0 }, ...options });
  const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AKSK, random: () => 0, now: () => Date.now(), retry: { maxAttempts: 1 } });
  const handler = composeUpstream({ options: o, redact: createRedactor([]), economy }, terminal);
  return { handler, economy, calls: () => calls };
}

const urlTasks = (offset: number): UpstreamRequest => ({
  operation: 'url-tasks',
  method: 'GET',
  path: '/v1.0/cdn/contentgateway/url-tasks',
  query: { offset, limit: 10 },
  deadline: Date.now() + 5000,
});

describe('proven credentials', () => {
  afterEach(() => jest.useRealTimers());
  const shared = (): SharedState => createMemoryState({ cacheMaxBytes: 1 << 20 });

  it('serves nothing another gateway stored to a gateway whose credentials the upstream refuses', async () => {
    const state = shared();
    const a = gateway(state, (_req, n) => page(n));
    const b = gateway(state, () => REFUSED);
    expect((await a.handler(urlTasks(0))).body).toBe(page(1).body);
    const error = await failure(b.handler(urlTasks(0)));
    expect(error.code).toBe('UPSTREAM_UNAUTHORIZED');
    expect(b.calls()).toBe(1);
    expect(b.economy.metrics().cache).toMatchObject({ hits: 0, misses: 1, unprovenMisses: 1 });
    // The entry was there to be served: a proven gateway over the same store is answered from it.
    expect((await a.handler(urlTasks(0))).body).toBe(page(1).body);
    expect(a.economy.metrics().cache.hits).toBe(1);
  });

  it('exposes the skipped lookups as a counter of the metrics endpoint', async () => {
    const g = gateway(shared(), () => REFUSED);
    await failure(g.handler(urlTasks(0)));
    const sample = flattenSnapshot(g.economy.metrics()).find((m) => m.name === 'gateway_cache_unproven_misses_total');
    expect(sample).toMatchObject({ kind: 'counter', value: 1 });
  });

  it('serves a fresh gateway from the cache only after its own first success', async () => {
    const state = shared();
    const a = gateway(state, (_req, n) => page(n));
    const b = gateway(state, (_req, n) => page(100 + n));
    await a.handler(urlTasks(0));
    // Unproven: b asks the upstream (and stores its own answer) instead of reading a's.
    expect((await b.handler(urlTasks(0))).body).toBe(page(101).body);
    // Proven now: the next lookup is a hit.
    expect((await b.handler(urlTasks(0))).body).toBe(page(101).body);
    expect(b.calls()).toBe(1);
    expect(b.economy.metrics().cache).toMatchObject({ hits: 1, misses: 1, unprovenMisses: 1 });
  });

  it('stops serving the cache at a 401 or 403 for its credentials, until a success again', async () => {
    for (const refusal of [REFUSED, FORBIDDEN]) {
      let refuse = false;
      const g = gateway(shared(), (_req, n) => (refuse ? refusal : page(n)));
      await g.handler(urlTasks(0));
      expect((await g.handler(urlTasks(0))).body).toBe(page(1).body);
      refuse = true;
      await failure(g.handler(urlTasks(1)));
      // The entry for offset 0 is still stored, but the credentials were just refused.
      expect((await failure(g.handler(urlTasks(0)))).code).toBe(refusal.status === 401 ? 'UPSTREAM_UNAUTHORIZED' : 'UPSTREAM_FORBIDDEN');
      refuse = false;
      expect((await g.handler(urlTasks(2))).body).toBe(page(4).body);
      expect((await g.handler(urlTasks(2))).body).toBe(page(4).body);
      expect(g.calls()).toBe(4);
      expect(g.economy.metrics().cache).toMatchObject({ hits: 2, unprovenMisses: 3 });
    }
  });

  it('counts a business error inside a 200 as an accepted credential', async () => {
    const answers = [{ status: 200, headers: {}, body: '{"error":{"error_code":"CDN.0108","error_msg":"no such task"}}' }, page(2)];
    const state = shared();
    const a = gateway(state, (_req, n) => page(10 + n));
    await a.handler(urlTasks(5));
    const b = gateway(state, () => answers.shift() as RawResponse);
    await failure(b.handler(urlTasks(9)));
    expect((await b.handler(urlTasks(5))).body).toBe(page(11).body);
    expect(b.economy.metrics().cache).toMatchObject({ hits: 1, unprovenMisses: 1 });
  });

  it('lets a proof lapse after credentialsProofTtlMs without a success', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const g = gateway(shared(), (_req, n) => page(n), { credentialsProofTtlMs: 60_000 });
    await g.handler(urlTasks(0));
    jest.setSystemTime(1_060_000);
    expect((await g.handler(urlTasks(0))).body).toBe(page(1).body);
    jest.setSystemTime(1_060_001);
    expect((await g.handler(urlTasks(0))).body).toBe(page(2).body);
    // The first lookup and the one after the lapse.
    expect(g.economy.metrics().cache).toMatchObject({ hits: 1, unprovenMisses: 2 });
  });

  it('keeps the entries of other credentials apart even once proven', async () => {
    const state = shared();
    const a = gateway(state, (_req, n) => page(n), { credentialScope: credentialScope({ kind: 'token', token: TOKEN_A }) });
    const b = gateway(state, (_req, n) => page(100 + n), { credentialScope: credentialScope({ kind: 'token', token: TOKEN_B }) });
    await a.handler(urlTasks(0));
    await b.handler(urlTasks(1));
    // b is proven, yet a's entry is not b's to read.
    expect((await b.handler(urlTasks(0))).body).toBe(page(102).body);
    expect(b.economy.metrics().cache).toMatchObject({ hits: 0, misses: 2, unprovenMisses: 1 });
    // Stored under a's partition, not under the bare request key.
    expect(await state.cache.get('GET /v1.0/cdn/contentgateway/url-tasks?limit=10&offset=0')).toBeUndefined();
  });
});
