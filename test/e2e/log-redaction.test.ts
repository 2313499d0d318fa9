/**
 * Logs of the real process, with real credentials in play: at LOG_LEVEL=debug, after
 * successful and failing queries, no AK, SK, security token, API key, cursor or trace secret and no
 * request signature appears anywhere in the output, while the request ids do.
 */
import { createSimulator, type Simulator } from '../../src/simulator/index';
import { eventually } from '../support/eventually';
import { spawnGateway, type GatewayProcess } from './support/process';

const AK = 'HPUAE2ELOGTESTAK0001';
const SK = 'E2eLogTestSecretKey0123456789abcdefghijk';
const SECURITY_TOKEN = 'e2e-security-token-abcdefghijklmnopqrstuvwxyz-0123456789';
const API_KEY = 'e2e-caller-api-key-0123456789';
const CURSOR_SECRET = 'e2e-cursor-secret-0123456789';
const TRACE_SECRET = 'e2e-federation-trace-secret-0123456789';

describe('logs of a gateway holding credentials', () => {
  let simulator: Simulator;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    simulator = await createSimulator({ port: 0, quiet: true, records: 3000, ak: AK, sk: SK, securityToken: SECURITY_TOKEN });
    gateway = await spawnGateway({
      PORT: '0',
      CDN_ENDPOINT: simulator.url,
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: SECURITY_TOKEN,
      AUTH_MODE: 'api-key',
      API_KEYS: API_KEY,
      CURSOR_SECRET,
      FEDERATION_TRACE_SECRET: TRACE_SECRET,
      LOG_LEVEL: 'debug',
      UPSTREAM_MAX_ATTEMPTS: '2',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await simulator?.close();
  });

  const post = async (query: string, headers: Record<string, string> = { 'x-api-key': API_KEY }) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> } };
  };
  const faults = (body?: unknown) =>
    fetch(`${simulator.url}/__sim/faults`, { method: body ? 'PUT' : 'DELETE', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

  it('keeps every credential and signature out of the logs, through successes and failures', async () => {
    const ok = await post('query Page { urlTasks(first: 2) { pageInfo { endCursor } nodes { url task { taskId } } } }', { 'x-api-key': API_KEY, 'x-request-id': 'e2e-log-ok' });
    expect(ok.status).toBe(200);
    expect(ok.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post('{ __typename }', { authorization: `Bearer ${API_KEY}` })).status).toBe(200);
    expect((await post('{ __typename }', { 'x-api-key': `${API_KEY}-wrong` })).status).toBe(401);
    expect((await post('{ __typename }', { authorization: 'Bearer not-the-key-0123456789' })).status).toBe(401);
    const badCursor = await post('{ urlTasks(first: 1, after: "forged") { totalCount } }');
    expect(badCursor.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await faults({ errorRate: 1, errorStatus: 500, operations: ['url-tasks'] });
    const failing = await post('query Failing { urlTasks(first: 1) { totalCount } }', { 'x-api-key': API_KEY, 'x-request-id': 'e2e-log-fail' });
    await faults();
    expect(failing.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', requestId: failing.requestId });

    // The access line is written when the response closes, and travels through a pipe: wait for all six.
    await eventually(() => expect(gateway.logs().filter((l) => l.msg === 'graphql request').length).toBeGreaterThanOrEqual(6));
    const output = gateway.output();
    for (const secret of [AK, SK, SECURITY_TOKEN, API_KEY, CURSOR_SECRET, TRACE_SECRET]) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/Signature=|Access=|\b[0-9a-f]{64}\b/);

    // The logs are not just empty: upstream calls are there with both request ids, and the access lines with the ids the client sent.
    const logs = gateway.logs();
    const upstreamOk = logs.find((l) => l.msg === 'upstream call' && l.requestId === ok.requestId) as { upstream?: { requestId?: string } } | undefined;
    expect(upstreamOk?.upstream?.requestId).toMatch(/^[0-9a-f]{32}$/);
    const upstreamFailed = logs.find((l) => l.requestId === failing.requestId && String(l.msg).startsWith('upstream call failed')) as { upstream?: { status?: number } } | undefined;
    expect(upstreamFailed?.upstream?.status).toBe(500);
    expect(logs.filter((l) => l.msg === 'graphql request').map((l) => l.status)).toEqual([200, 200, 401, 401, 200, 200]);
    expect(logs.filter((l) => l.msg === 'graphql request' && l.clientRequestId !== undefined).map((l) => [l.requestId, l.clientRequestId])).toEqual([
      [ok.requestId, 'e2e-log-ok'],
      [failing.requestId, 'e2e-log-fail'],
    ]);
    expect(logs.some((l) => String(l.msg).startsWith('caller refused'))).toBe(true);
  });
});
