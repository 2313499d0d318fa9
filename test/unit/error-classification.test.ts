import {
  ENTERPRISE_PROJECT_HINT,
  URL_TASKS_NOT_ENABLED_HINT,
  classifyFailure,
  classifyResponse,
  codeForStatus,
  errorCodeOf,
  failedBeforeSending,
  parseRetryAfter,
  readErrorFields,
  type CallContext,
} from '../../src/cdn/classify';
import { CallerAbortedError, DeadlineExceededError, GatewayError } from '../../src/errors';
import type { RawResponse } from '../../src/cdn/pipeline';
import { createRedactor } from '../../src/cdn/redact';
import { screenUpstreamCode, UNRECOGNIZED_UPSTREAM_CODE } from '../../src/cdn/error-code';

const GET: CallContext = { operation: 'url-tasks', method: 'GET' };
const NOW = Date.UTC(2024, 4, 12, 3, 0, 0);
const REQ_ID = '0123456789abcdef0123456789abcdef';

function response(status: number, body: unknown, headers: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    requestId: headers['x-request-id'],
  };
}

function classify(res: RawResponse, ctx: CallContext = GET): GatewayError | undefined {
  return classifyResponse(ctx, res, NOW);
}

describe('classifyResponse: status and body → catalogue code', () => {
  const gatewayBody = (code: string, msg: string) => ({ error_msg: msg, error_code: code, request_id: REQ_ID });
  const table: Array<[string, RawResponse, string, boolean, string | undefined]> = [
    ['401 gateway signature failure', response(401, gatewayBody('APIGW.0301', 'verify aksk signature fail')), 'UPSTREAM_UNAUTHORIZED', false, 'APIGW.0301'],
    ['401 token expired', response(401, gatewayBody('APIGW.0307', 'The token must be updated')), 'UPSTREAM_UNAUTHORIZED', false, 'APIGW.0307'],
    ['403 permission', response(403, { error_code: 'CDN.0004', error_msg: 'no permission' }), 'UPSTREAM_FORBIDDEN', false, 'CDN.0004'],
    ['404 API does not exist', response(404, gatewayBody('APIGW.0101', 'The API does not exist')), 'UPSTREAM_ERROR', false, 'APIGW.0101'],
    ['400 top-level shape', response(400, { error_code: 'CDN.0001', error_msg: 'bad parameter' }), 'UPSTREAM_ERROR', false, 'CDN.0001'],
    ['429 throttled', response(429, gatewayBody('APIGW.0308', 'over ratelimit')), 'UPSTREAM_RATE_LIMITED', true, 'APIGW.0308'],
    ['500 internal', response(500, { error_code: 'CDN.0000', error_msg: 'internal' }), 'UPSTREAM_UNAVAILABLE', true, 'CDN.0000'],
    ['502 backend unavailable', response(502, gatewayBody('APIGW.0201', 'unavailable')), 'UPSTREAM_UNAVAILABLE', true, 'APIGW.0201'],
    ['503 HTML from a proxy', response(503, '<html>busy</html>'), 'UPSTREAM_UNAVAILABLE', true, undefined],
    ['504 timeout', response(504, gatewayBody('APIGW.0201', 'timeout')), 'UPSTREAM_UNAVAILABLE', true, 'APIGW.0201'],
    ['200 quota exceeded', response(200, { error: { error_code: 'CDN.0110', error_msg: 'quota' } }), 'QUOTA_EXCEEDED', false, 'CDN.0110'],
    ['200 unknown task', response(200, { error: { error_code: 'CDN.0108', error_msg: 'no such task' } }), 'UPSTREAM_ERROR', false, 'CDN.0108'],
    ['200 other business error', response(200, { error: { error_code: 'CDN.0115', error_msg: 'x' } }), 'UPSTREAM_ERROR', false, 'CDN.0115'],
    ['200 not JSON (cut off)', response(200, '{"total": 3, "count"'), 'UPSTREAM_BAD_RESPONSE', true, undefined],
    ['200 empty body', response(200, ''), 'UPSTREAM_BAD_RESPONSE', true, undefined],
  ];

  it.each(table)('%s', (_name, res, code, retryable, upstreamCode) => {
    const error = classify(res);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error?.code).toBe(code);
    expect(error?.retryable).toBe(retryable);
    expect(error?.upstream?.status).toBe(res.status);
    expect(error?.upstream?.code).toBe(upstreamCode);
  });

  it('lets a 200 success body through', () => {
    expect(classify(response(200, { total: 0, count: 0, result: [] }))).toBeUndefined();
    expect(classify(response(200, { refresh_task: '123' }))).toBeUndefined();
  });

  it('takes the request id from the X-request-id header first, then from the body', () => {
    const fromHeader = classify(response(401, { error_code: 'APIGW.0301', error_msg: 'm', request_id: 'body-id' }, { 'x-request-id': 'header-id' }));
    expect(fromHeader?.upstream?.requestId).toBe('header-id');
    const fromBody = classify(response(401, { error_code: 'APIGW.0301', error_msg: 'm', request_id: 'body-id' }));
    expect(fromBody?.upstream?.requestId).toBe('body-id');
  });

  it('writes an actionable message: operation, status, upstream code, message and request id', () => {
    const error = classify(response(401, { error_code: 'APIGW.0301', error_msg: 'verify aksk signature fail', request_id: REQ_ID }));
    expect(error?.message).toBe(
      'Listing URL tasks (GET /v1.0/cdn/contentgateway/url-tasks) failed: the CDN API answered HTTP 401 APIGW.0301 ' +
        `"verify aksk signature fail", upstream request id ${REQ_ID}. Check the configured AK/SK (or IAM token) and its expiry, ` +
        'and the host clock (the CDN API refuses signatures more than 15 minutes off).',
    );
  });

  it('names the operation of a create call and the quota rule', () => {
    const error = classifyResponse({ operation: 'refresh', method: 'POST' }, response(200, { error: { error_code: 'CDN.0110', error_msg: 'over quota' } }), NOW);
    expect(error?.message).toMatch(/^Creating a refresh task \(POST \/v1\.0\/cdn\/content\/refresh-tasks\) failed: .*CDN\.0110.*daily refresh\/preheat quota/);
  });

  it('carries Retry-After into retryAfterMs and the message of a 429', () => {
    const error = classify(response(429, { error_code: 'APIGW.0308', error_msg: 'over ratelimit' }, { 'retry-after': '2' }));
    expect(error?.retryAfterMs).toBe(2000);
    expect(error?.message).toContain('retry after 2000 ms');
  });

  it('describes a body that is not JSON by length and start, not in full', () => {
    const error = classify(response(200, `{"total": 1, "result": [${'x'.repeat(500)}`));
    expect(error?.message).toContain('with a body that is not JSON (524 bytes starting "{\\"total\\": 1, \\"result\\": [xxxxxxxxxxxxxxxx")');
    expect(error?.message.length).toBeLessThan(300);
  });

  it('redacts secrets an upstream message might echo', () => {
    const redact = createRedactor(['MY-ACCESS-KEY', 'my-very-secret-key']);
    const echoed = 'bad header Authorization: SDK-HMAC-SHA256 Access=MY-ACCESS-KEY, SignedHeaders=host, Signature=' + 'a'.repeat(64) + ' sk my-very-secret-key';
    const error = classifyResponse(GET, response(401, { error_code: 'APIGW.0301', error_msg: echoed }), NOW, redact);
    for (const text of [error?.message ?? '', JSON.stringify(error), error?.upstream?.message ?? '']) {
      expect(text).not.toContain('MY-ACCESS-KEY');
      expect(text).not.toContain('my-very-secret-key');
      expect(text).not.toContain('a'.repeat(64));
    }
    expect(error?.upstream?.message).toContain('[redacted]');
  });
});

describe('upstream error codes: only the documented shape is repeated', () => {
  it.each(['CDN.0001', 'CDN.0108', 'CDN.0110', 'APIGW.0301', 'APIGW.0308', 'APIGW.0101', 'CDN.0000', 'Common.0002', 'IAM.01001'])('passes %j', (code) => {
    expect(screenUpstreamCode(code)).toBe(code);
  });

  it.each([
    '',
    'cdn.0001',
    'CDN.01',
    'CDN.012345',
    'CDN0001',
    'CDN.0001 ',
    ' CDN.0001',
    'CDN.0001\n',
    'CDN.0001.1',
    'APIGW.0308<script>',
    '<img src=x onerror=alert(1)>',
    'CDN.000\u0661',
    'C\u202eDN.0001',
    'HUAWEICLOUDSDKAKEXAMPLE.0001',
    'A'.repeat(10_000),
  ])('replaces %j with UNRECOGNIZED', (code) => {
    expect(screenUpstreamCode(code)).toBe(UNRECOGNIZED_UPSTREAM_CODE);
  });

  it('leaves no code as no code', () => {
    expect(screenUpstreamCode(undefined)).toBeUndefined();
  });

  it.each<[string, RawResponse, string]>([
    ['a gateway error', response(401, { error_code: '<b>EVIL</b>', error_msg: 'refused', request_id: REQ_ID }), 'UPSTREAM_UNAUTHORIZED'],
    ['a 400', response(400, { error_code: 'EVIL: call +1-555', error_msg: 'refused' }), 'UPSTREAM_ERROR'],
    ['a business error in a 200', response(200, { error: { error_code: 'CDN.0110 EVIL', error_msg: 'refused' } }), 'UPSTREAM_ERROR'],
  ])('keeps an odd code of %s out of the message and the upstream info, and classifies by status', (_name, res, code) => {
    const error = classify(res);
    expect(error?.code).toBe(code);
    expect(error?.upstream?.code).toBe('UNRECOGNIZED');
    expect(error?.message).toContain(' UNRECOGNIZED (an error code of undocumented shape, not shown) "refused"');
    expect(JSON.stringify({ message: error?.message, upstream: error?.upstream })).not.toContain('EVIL');
  });
});

describe('classifyResponse: refusals the operator fixes in the account or the configuration', () => {
  const HISTORY: CallContext = { operation: 'historytasks', method: 'GET' };
  const PROJECT_MSG = 'enterprise_project_id is required: the account has enterprise projects enabled';

  it.each<[string, RawResponse, string, string]>([
    ['403 CDN.0004 (not enabled)', response(403, { error: { error_code: 'CDN.0004', error_msg: 'not enabled. Submit a service ticket' } }), 'UPSTREAM_FORBIDDEN', 'CDN.0004'],
    ['403 APIGW.0302', response(403, { error_code: 'APIGW.0302', error_msg: 'forbidden', request_id: REQ_ID }), 'UPSTREAM_FORBIDDEN', 'APIGW.0302'],
    ['404 APIGW.0101 (API not published to the account)', response(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist', request_id: REQ_ID }), 'UPSTREAM_ERROR', 'APIGW.0101'],
  ])('tells the operator about the service ticket when url-tasks answers %s, keeping the upstream fields', (_name, res, code, upstreamCode) => {
    const error = classify(res);
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(/^Listing URL tasks \(GET \/v1\.0\/cdn\/contentgateway\/url-tasks\) failed: the CDN API answered HTTP 40[34] /);
    expect(error?.message.endsWith(URL_TASKS_NOT_ENABLED_HINT)).toBe(true);
    expect(URL_TASKS_NOT_ENABLED_HINT).toContain('submit a service ticket');
    expect(error?.upstream).toMatchObject({ status: res.status, code: upstreamCode });
    expect(error?.retryable).toBe(false);
  });

  it('keeps the permission hint for a 403 of other operations, and the ticket hint to url-tasks', () => {
    const error = classifyResponse(HISTORY, response(403, { error: { error_code: 'CDN.0004', error_msg: 'no permission' } }), NOW);
    expect(error?.code).toBe('UPSTREAM_FORBIDDEN');
    expect(error?.message).toContain('Grant the credentials permission');
    expect(error?.message).not.toContain('service ticket');
  });

  it.each<[string, number]>([
    ['400 CDN.0001', 400],
    ['403', 403],
    ['200 {error}', 200],
  ])('makes a refusal naming enterprise_project_id (%s) UPSTREAM_FORBIDDEN telling to set HUAWEICLOUD_ENTERPRISE_PROJECT_ID', (_name, status) => {
    const error = classifyResponse(HISTORY, response(status, { error: { error_code: 'CDN.0001', error_msg: PROJECT_MSG } }, { 'x-request-id': REQ_ID }), NOW);
    expect(error?.code).toBe('UPSTREAM_FORBIDDEN');
    expect(error?.message).toContain(`HTTP ${status} CDN.0001 "${PROJECT_MSG}", upstream request id ${REQ_ID}. ${ENTERPRISE_PROJECT_HINT}`);
    expect(ENTERPRISE_PROJECT_HINT).toContain('HUAWEICLOUD_ENTERPRISE_PROJECT_ID');
    expect(error?.upstream).toEqual({ status, code: 'CDN.0001', message: PROJECT_MSG, requestId: REQ_ID });
  });

  it('leaves other 400s as UPSTREAM_ERROR with the arguments hint', () => {
    const error = classifyResponse(HISTORY, response(400, { error: { error_code: 'CDN.0001', error_msg: 'page_size must be an integer' } }), NOW);
    expect(error?.code).toBe('UPSTREAM_ERROR');
    expect(error?.message).toContain('check the arguments');
  });
});

describe('codeForStatus', () => {
  it.each([
    [401, undefined, 'UPSTREAM_UNAUTHORIZED'],
    [403, undefined, 'UPSTREAM_FORBIDDEN'],
    [429, undefined, 'UPSTREAM_RATE_LIMITED'],
    [500, undefined, 'UPSTREAM_UNAVAILABLE'],
    [501, undefined, 'UPSTREAM_UNAVAILABLE'],
    [404, undefined, 'UPSTREAM_ERROR'],
    [409, undefined, 'UPSTREAM_ERROR'],
    [302, undefined, 'UPSTREAM_ERROR'],
    [200, 'CDN.0110', 'QUOTA_EXCEEDED'],
    [200, 'CDN.0005', 'UPSTREAM_ERROR'],
  ])('HTTP %i (%s) → %s', (status, code, expected) => {
    expect(codeForStatus(status, code)).toBe(expected);
  });

  it('marks only 429 and 500/502/503/504 retryable among statuses', () => {
    expect(classify(response(501, ''))?.retryable).toBe(false);
    expect(classify(response(503, ''))?.retryable).toBe(true);
  });
});

describe('readErrorFields: the three shapes', () => {
  it('reads the gateway shape with request_id', () => {
    expect(readErrorFields({ error_msg: 'm', error_code: 'APIGW.0308', request_id: REQ_ID })).toEqual({ code: 'APIGW.0308', message: 'm', requestId: REQ_ID });
  });
  it('reads the top-level 400 shape', () => {
    expect(readErrorFields({ error_code: 'CDN.0001', error_msg: 'bad' })).toEqual({ code: 'CDN.0001', message: 'bad', requestId: undefined });
  });
  it('reads the nested 200 shape', () => {
    expect(readErrorFields({ error: { error_code: 'CDN.0108', error_msg: 'gone' } })).toEqual({ code: 'CDN.0108', message: 'gone' });
  });
  it('returns undefined for success bodies and non-objects', () => {
    expect(readErrorFields({ total: 1, tasks: [] })).toBeUndefined();
    expect(readErrorFields('error')).toBeUndefined();
    expect(readErrorFields(null)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2000],
    ['0', 0],
    [' 1 ', 1000],
    ['1.5', 1500],
    [new Date(NOW + 3000).toUTCString(), 3000],
    [new Date(NOW - 3000).toUTCString(), 0],
  ])('%j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each([[undefined], [''], ['-1'], ['soon'], ['12abc'], ['Mon, 99 Foo']])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('classifyFailure: transport failures', () => {
  const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

  it.each([
    ['ECONNRESET', 'UPSTREAM_UNAVAILABLE', true],
    ['ECONNREFUSED', 'UPSTREAM_UNAVAILABLE', true],
    ['UND_ERR_SOCKET', 'UPSTREAM_UNAVAILABLE', true],
    ['EPIPE', 'UPSTREAM_UNAVAILABLE', true],
    ['UND_ERR_CONNECT_TIMEOUT', 'UPSTREAM_TIMEOUT', true],
    ['UND_ERR_HEADERS_TIMEOUT', 'UPSTREAM_TIMEOUT', false],
    ['UND_ERR_BODY_TIMEOUT', 'UPSTREAM_TIMEOUT', false],
    ['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'UPSTREAM_BAD_RESPONSE', false],
    ['UND_ERR_CLOSED', 'UPSTREAM_UNAVAILABLE', false],
    ['ERR_SOMETHING_ELSE', 'INTERNAL_SERVER_ERROR', false],
  ])('%s → %s (retryable %s)', (code, expected, retryable) => {
    const error = classifyFailure(GET, withCode(code));
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(retryable);
    expect(error.upstream?.status).toBe(0);
    expect(error.message).toContain('Listing URL tasks');
  });

  it('maps a passed deadline and a cancelled caller to UPSTREAM_TIMEOUT', () => {
    const late = classifyFailure(GET, new DeadlineExceededError(250));
    expect(late.code).toBe('UPSTREAM_TIMEOUT');
    expect(late.message).toContain('within the 250 ms deadline');
    const gone = classifyFailure(GET, new CallerAbortedError(new Error('client left')));
    expect(gone.code).toBe('UPSTREAM_TIMEOUT');
    expect(gone.message).toContain('cancelled by the caller');
  });

  it('passes a GatewayError through unchanged', () => {
    const original = new GatewayError('UPSTREAM_ERROR', 'x');
    expect(classifyFailure(GET, original)).toBe(original);
  });

  it('finds codes in causes and aggregate errors', () => {
    const aggregate = new AggregateError([withCode('ECONNREFUSED')], 'connect failed');
    expect(errorCodeOf(aggregate)).toBe('ECONNREFUSED');
    expect(errorCodeOf(new Error('outer', { cause: withCode('ECONNRESET') }))).toBe('ECONNRESET');
    expect(errorCodeOf('nope')).toBeUndefined();
  });

  it('tells pre-send failures (safe to resend a POST) from the rest', () => {
    expect(failedBeforeSending(classifyFailure(GET, withCode('ECONNREFUSED')))).toBe(true);
    expect(failedBeforeSending(classifyFailure(GET, withCode('UND_ERR_CONNECT_TIMEOUT')))).toBe(true);
    expect(failedBeforeSending(classifyFailure(GET, withCode('ECONNRESET')))).toBe(false);
    expect(failedBeforeSending(classifyFailure(GET, withCode('UND_ERR_SOCKET')))).toBe(false);
    expect(failedBeforeSending(classifyFailure(GET, withCode('UND_ERR_HEADERS_TIMEOUT')))).toBe(false);
  });
});
