/**
 * Upstream error codes reach clients only in their documented shape: the simulator answers
 * with hostile `error_code` values (its `errorCode` and `businessErrorCode` faults), and the
 * client never sees one, in a message or in `extensions.upstream.code`, while documented codes
 * pass through.
 */
import { startStack, type GqlResponse, type Stack } from '../support/stack';

const TASKS = 'query Tasks { tasks(first: 1) { nodes { taskId } } }';
const PREHEAT = 'mutation Preheat($urls: [String!]!) { createPreheatTask(input: { urls: $urls }) { taskId } }';

// Every hostile code carries this marker, so that any echo of it shows in the raw answer.
const MARK = 'EVILCODE';
const HOSTILE = [
  `<script>alert("${MARK}")</script>`,
  `CDN.0001 ${MARK}`,
  `APIGW.0308\n${MARK}: call support at +1-555-0100`,
  `C\u202eDN.0001${MARK}`,
  `${MARK}.${'9'.repeat(5000)}`,
];

describe('upstream error codes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { rateLimits: { preheat: 0, historytasks: 0 } } });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.sim('DELETE', '/__sim/faults'));

  // Sends a request as raw JSON text too, so that an echo anywhere in the answer is caught.
  async function raw(query: string, variables?: Record<string, unknown>): Promise<{ text: string; body: GqlResponse }> {
    const res = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const text = await res.text();
    return { text, body: { status: res.status, ...(JSON.parse(text) as Omit<GqlResponse, 'status'>) } };
  }

  describe.each(HOSTILE.map((code) => [JSON.stringify(code).slice(0, 40), code]))('a hostile code %s', (_name, code) => {
    it('in an HTTP 400 never reaches the client: the code is UNRECOGNIZED in the message and in extensions', async () => {
      await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 400, errorCode: code, errorMessage: 'The request was refused.', operations: ['historytasks'] });
      const { text, body } = await raw(TASKS);
      expect(text).not.toContain(MARK);
      expect(body.errors).toHaveLength(1);
      const error = body.errors?.[0];
      expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: 400, code: 'UNRECOGNIZED' } });
      expect(error?.message).toContain('the CDN API answered HTTP 400 UNRECOGNIZED (an error code of undocumented shape, not shown) "The request was refused."');
    });

    it('in a business error inside a 200 of a create never reaches the client either', async () => {
      await stack.sim('PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: code, errorMessage: 'Refused.', operations: ['preheat'] });
      const { text, body } = await raw(PREHEAT, { urls: [`https://cdn.example.com/${Date.now()}/a.js`] });
      expect(text).not.toContain(MARK);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: 200, code: 'UNRECOGNIZED' } });
    });
  });

  it('passes documented codes through, in the message and in extensions', async () => {
    await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 400, errorCode: 'CDN.0001', errorMessage: 'Invalid parameter.', operations: ['historytasks'] });
    const bad = (await raw(TASKS)).body.errors?.[0];
    expect(bad?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: 400, code: 'CDN.0001' } });
    expect(bad?.message).toContain('the CDN API answered HTTP 400 CDN.0001 "Invalid parameter."');

    await stack.sim('PUT', '/__sim/faults', { businessErrorRate: 1, businessErrorCode: 'CDN.0110', operations: ['preheat'] });
    const quota = (await raw(PREHEAT, { urls: [`https://cdn.example.com/${Date.now()}/b.js`] })).body.errors?.[0];
    expect(quota?.extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', upstream: { status: 200, code: 'CDN.0110' } });
    expect(quota?.message).toContain('HTTP 200 CDN.0110 "Injected business error CDN.0110."');

    // The status's own code passes too: Huawei's 401 signature refusal.
    await stack.sim('PUT', '/__sim/faults', { errorRate: 1, errorStatus: 401, operations: ['historytasks'] });
    expect((await raw(TASKS)).body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', upstream: { status: 401, code: 'APIGW.0301' } });
  });
});
