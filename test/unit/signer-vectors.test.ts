/**
 * The signer against the published SDK-HMAC-SHA256 vectors (docs/upstream.md, Signing), its canonical
 * forms, and the simulator's verifier (date and header parsers, accepting or refusing).
 */
import {
  CONTENT_SHA256_HEADER,
  EMPTY_BODY_SHA256,
  UNSIGNED_PAYLOAD,
  SIGNING_ALGORITHM,
  buildCanonicalRequest,
  buildStringToSign,
  canonicalQuery,
  canonicalUri,
  computeSignature,
  formatSdkDate,
  sha256Hex,
  signRequest,
  type AkSkCredentials,
  type SignableRequest,
  type SignedRequest,
} from '../../src/cdn/signer';
import { parseAuthorization, parseSdkDate, verifyRequest, type ReceivedRequest, type VerifyOutcome } from '../../src/simulator/verify';

// Splits what signRequest produced into what a server reads off the wire.
function toReceived(req: SignableRequest, signed: SignedRequest): ReceivedRequest {
  const q = signed.pathAndQuery.indexOf('?');
  return {
    method: req.method,
    rawPath: q < 0 ? signed.pathAndQuery : signed.pathAndQuery.slice(0, q),
    rawQuery: q < 0 ? '' : signed.pathAndQuery.slice(q + 1),
    headers: { ...signed.headers },
    body: req.body ?? '',
  };
}

describe('published vectors', () => {
  test('vector 1: GET with content-type;host;x-sdk-date signed', () => {
    const signed = signRequest(
      {
        method: 'GET',
        host: 'service.region.example.com',
        path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
        query: { limit: 2, marker: '13551d6b-755d-4757-b956-536f674975c0' },
        headers: {
          'Content-Type': 'application/json',
          Host: 'service.region.example.com',
          'X-Sdk-Date': '20191115T033655Z',
        },
      },
      { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' },
    );
    expect(signed.signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(signed.headers.authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json',
        'host:service.region.example.com',
        'x-sdk-date:20191115T033655Z',
        '',
        'content-type;host;x-sdk-date',
        EMPTY_BODY_SHA256,
      ].join('\n'),
    );
    expect(signed.pathAndQuery).toBe(
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    );
  });

  const vector2 = {
    host: 'service.endpoint.myhuaweicloud.com',
    path: '/resources',
    query: { size: 1 },
    headers: { 'X-Sdk-Date': '20200608T023900Z' },
  };
  const vector2Creds: AkSkCredentials = { ak: 'AccessKey', sk: 'SecretKey' };

  test('vector 2: GET signing host;x-sdk-date', () => {
    const signed = signRequest({ ...vector2, method: 'GET' }, vector2Creds);
    expect(signed.signature).toBe('cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842');
    expect(signed.headers.authorization).toContain('SignedHeaders=host;x-sdk-date,');
  });

  test('vector 2: POST with a JSON body', () => {
    const signed = signRequest({ ...vector2, method: 'POST', body: '{"name":"test","id":1}' }, vector2Creds);
    expect(signed.signature).toBe('436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
    expect(signed.canonicalRequest.endsWith(`\n${sha256Hex('{"name":"test","id":1}')}`)).toBe(true);
  });

  test('vector 3: query encoding, repeated keys sorted by value', () => {
    expect(
      canonicalQuery({ limit: 1, enable: true, test: '一 (&=?!#%.*)', path: '/tmp/123', multi: [1, 2, 3] }),
    ).toBe('enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29');
  });
});

describe('canonical forms', () => {
  test.each([
    ['/', '/'],
    ['', '/'],
    ['/v1.0/cdn/contentgateway/url-tasks', '/v1.0/cdn/contentgateway/url-tasks/'],
    ['/already/slashed/', '/already/slashed/'],
    ['/a b/c+d', '/a%20b/c%2Bd/'],
    ["/!'()*~@:", '/%21%27%28%29%2A~%40%3A/'],
    ['/100%', '/100%25/'],
    ['/é/😀', '/%C3%A9/%F0%9F%98%80/'],
  ])('canonicalUri(%j) is %j, always ending in a slash', (path, expected) => {
    expect(canonicalUri(path)).toBe(expected);
  });

  test('the empty body hashes to the published constant, and a missing body is hashed as empty', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(EMPTY_BODY_SHA256).toBe(sha256Hex(''));
    const signed = signRequest({ method: 'GET', host: 'h', path: '/', headers: { 'x-sdk-date': '20200101T000000Z' } }, {
      ak: 'a',
      sk: 's',
    });
    expect(signed.canonicalRequest.split('\n').at(-1)).toBe(EMPTY_BODY_SHA256);
  });

  test('header names are lower-cased and sorted, values trimmed, a blank line before SignedHeaders', () => {
    const { canonicalRequest, signedHeaders } = buildCanonicalRequest({
      method: 'get',
      uri: '/',
      query: '',
      headers: { 'X-Sdk-Date': ' 20200101T000000Z ', Host: 'h', 'Content-Type': 'application/json\t' },
      bodyHash: EMPTY_BODY_SHA256,
    });
    expect(signedHeaders).toBe('content-type;host;x-sdk-date');
    expect(canonicalRequest).toBe(
      ['GET', '/', '', 'content-type:application/json', 'host:h', 'x-sdk-date:20200101T000000Z', ''].join('\n') +
        `\ncontent-type;host;x-sdk-date\n${EMPTY_BODY_SHA256}`,
    );
  });

  test('undefined query values are left out; empty values keep their key', () => {
    expect(canonicalQuery({ b: '', a: undefined, c: [] })).toBe('b=');
  });
});

describe('X-Sdk-Date', () => {
  test('formats UTC as YYYYMMDDTHHMMSSZ, dropping milliseconds', () => {
    expect(formatSdkDate(new Date(Date.UTC(2019, 10, 15, 3, 36, 55, 789)))).toBe('20191115T033655Z');
  });

  test.each(['20191115T033655Z', '20000229T000000Z', '19700101T000000Z', '99991231T235959Z'])(
    'round-trips %s',
    (value) => {
      const date = parseSdkDate(value);
      expect(date).toBeInstanceOf(Date);
      expect(formatSdkDate(date as Date)).toBe(value);
    },
  );

  test.each([
    '',
    '2019-11-15T03:36:55Z',
    '20191115T033655',
    '20191115T033655z',
    '20191115 033655Z',
    '20191115T0336Z',
    ' 20191115T033655Z',
    '20191315T000000Z',
    '20190230T000000Z',
    '20191100T000000Z',
    '20191115T240000Z',
    '20191115T006000Z',
    '20191115T000060Z',
    '00500101T000000Z',
    'Fri, 15 Nov 2019 03:36:55 GMT',
  ])('rejects malformed %j', (value) => {
    expect(parseSdkDate(value)).toBeUndefined();
  });
});

describe('parseAuthorization', () => {
  const sig = 'a'.repeat(64);

  test('reads Access, SignedHeaders and Signature', () => {
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig}`)).toEqual({
      access: 'AK1',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: sig,
    });
  });

  test('tolerates missing or extra spaces after the commas', () => {
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1,SignedHeaders=host,  Signature=${sig}`)?.access).toBe('AK1');
  });

  test.each([
    ['absent', undefined],
    ['empty', ''],
    ['another algorithm', `SDK-HMAC-SHA1 Access=AK1, SignedHeaders=host, Signature=${sig}`],
    ['no space after the algorithm', `SDK-HMAC-SHA256Access=AK1, SignedHeaders=host, Signature=${sig}`],
    ['a token instead', 'Bearer abc'],
    ['no Access', `SDK-HMAC-SHA256 SignedHeaders=host, Signature=${sig}`],
    ['empty Access', `SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=${sig}`],
    ['no SignedHeaders', `SDK-HMAC-SHA256 Access=AK1, Signature=${sig}`],
    ['no Signature', 'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host'],
    ['a short signature', `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=${'a'.repeat(63)}`],
    ['a non-hex signature', `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=${'g'.repeat(64)}`],
    ['an upper-case hex signature', `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=${'A'.repeat(64)}`],
  ])('rejects %s', (_label, value) => {
    expect(parseAuthorization(value)).toBeUndefined();
  });
});

describe('credentials that carry a security token or a domain id', () => {
  const req: SignableRequest = { method: 'GET', host: 'cdn.myhuaweicloud.com', path: '/v1.0/cdn/historytasks' };
  const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

  test('adds and signs X-Security-Token and X-Domain-Id', () => {
    const signed = signRequest(req, { ak: 'AK', sk: 'SK', securityToken: 'tok+/=', domainId: 'd0m41n' }, now);
    expect(signed.headers['x-security-token']).toBe('tok+/=');
    expect(signed.headers['x-domain-id']).toBe('d0m41n');
    expect(signed.headers['x-sdk-date']).toBe('20260102T030405Z');
    expect(parseAuthorization(signed.headers.authorization)?.signedHeaders).toEqual([
      'host',
      'x-domain-id',
      'x-sdk-date',
      'x-security-token',
    ]);
    expect(signed.canonicalRequest).toContain('\nx-domain-id:d0m41n\nx-sdk-date:20260102T030405Z\nx-security-token:tok+/=\n');
  });

  test('adds neither when the credentials carry neither', () => {
    const signed = signRequest(req, { ak: 'AK', sk: 'SK' }, now);
    expect(Object.keys(signed.headers).sort()).toEqual(['authorization', 'host', 'x-sdk-date']);
  });

  test('the token changes the signature, so a stolen signature cannot be replayed with another token', () => {
    const a = signRequest(req, { ak: 'AK', sk: 'SK', securityToken: 't1' }, now);
    const b = signRequest(req, { ak: 'AK', sk: 'SK', securityToken: 't2' }, now);
    expect(a.signature).not.toBe(b.signature);
  });
});

describe('verifyRequest', () => {
  const signedAt = new Date(Date.UTC(2026, 10, 25, 17, 25, 36));
  const creds: AkSkCredentials = { ak: 'HPUAAAAAAAAAAAAAAAAA', sk: 'the-secret-key', securityToken: 'st', domainId: 'dom' };
  const lookup = (ak: string): string | undefined => (ak === creds.ak ? creds.sk : undefined);
  const req: SignableRequest = {
    method: 'POST',
    host: 'cdn.myhuaweicloud.com',
    path: '/v1.0/cdn/content/refresh-tasks/été 2026/+!*',
    query: { url: 'https://a.example.com/x y?z=1', status: ['succeed', 'failed'], limit: 100, empty: '' },
    headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'p1' },
    body: '{"refresh_task":{"type":"file","urls":["https://a.example.com/é"]}}',
  };
  const signed = signRequest(req, creds, signedAt);
  const received = toReceived(req, signed);
  const verify = (r: ReceivedRequest, now = signedAt, sk = lookup): VerifyOutcome => verifyRequest(r, sk, now);

  test('accepts what signRequest produced, replayed from the wire', () => {
    expect(received.rawPath).toBe('/v1.0/cdn/content/refresh-tasks/%C3%A9t%C3%A9%202026/%2B%21%2A');
    expect(verify(received)).toEqual({ ok: true, ak: creds.ak });
  });

  test('accepts headers that were added after signing and not signed', () => {
    expect(verify({ ...received, headers: { ...received.headers, 'user-agent': 'x', accept: '*/*' } }).ok).toBe(true);
  });

  test('accepts a skew of exactly 15 minutes either way', () => {
    expect(verify(received, new Date(signedAt.getTime() + 15 * 60_000)).ok).toBe(true);
    expect(verify(received, new Date(signedAt.getTime() - 15 * 60_000)).ok).toBe(true);
  });

  test('refuses a request without Authorization, or with a malformed one', () => {
    const { authorization: _drop, ...rest } = received.headers;
    expect(verify({ ...received, headers: rest })).toEqual({ ok: false, reason: 'missing' });
    expect(verify({ ...received, headers: { ...rest, authorization: 'SDK-HMAC-SHA256 Access=x' } })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  test('refuses a signature made with another SK', () => {
    expect(verify(received, signedAt, () => 'another-secret')).toEqual({ ok: false, reason: 'mismatch' });
  });

  test('refuses an unknown AK', () => {
    expect(verify(received, signedAt, () => undefined)).toEqual({ ok: false, reason: 'unknown-ak' });
  });

  test('refuses when x-sdk-date is not among the signed headers, even if the signature is right', () => {
    const headers = { host: 'cdn.myhuaweicloud.com' };
    const { canonicalRequest, signedHeaders } = buildCanonicalRequest({
      method: 'GET',
      uri: '/',
      query: '',
      headers,
      bodyHash: EMPTY_BODY_SHA256,
    });
    const sdkDate = formatSdkDate(signedAt);
    const signature = computeSignature(creds.sk, buildStringToSign(sdkDate, canonicalRequest));
    const unsignedDate: ReceivedRequest = {
      method: 'GET',
      rawPath: '/',
      rawQuery: '',
      body: '',
      headers: {
        ...headers,
        'x-sdk-date': sdkDate,
        authorization: `${SIGNING_ALGORITHM} Access=${creds.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      },
    };
    expect(verify(unsignedDate)).toEqual({ ok: false, reason: 'date-unsigned' });
  });

  test.each(['2026-11-25T17:25:36Z', '20261325T172536Z', ''])('refuses a malformed x-sdk-date %j', (date) => {
    expect(verify({ ...received, headers: { ...received.headers, 'x-sdk-date': date } })).toEqual({
      ok: false,
      reason: 'date-invalid',
    });
  });

  test('refuses a missing x-sdk-date', () => {
    const { 'x-sdk-date': _drop, ...rest } = received.headers;
    expect(verify({ ...received, headers: rest })).toEqual({ ok: false, reason: 'date-invalid' });
  });

  test('refuses a skew over 15 minutes, whether the clock is ahead or behind', () => {
    expect(verify(received, new Date(signedAt.getTime() + 15 * 60_000 + 1000))).toEqual({ ok: false, reason: 'skew' });
    expect(verify(received, new Date(signedAt.getTime() - 15 * 60_000 - 1000))).toEqual({ ok: false, reason: 'skew' });
  });

  test('refuses a tampered query value', () => {
    const rawQuery = received.rawQuery.replace('limit=100', 'limit=10');
    expect(rawQuery).not.toBe(received.rawQuery);
    expect(verify({ ...received, rawQuery })).toEqual({ ok: false, reason: 'mismatch' });
  });

  test('refuses an added query parameter', () => {
    expect(verify({ ...received, rawQuery: `${received.rawQuery}&offset=0` })).toEqual({ ok: false, reason: 'mismatch' });
  });

  test('refuses a tampered path', () => {
    expect(verify({ ...received, rawPath: received.rawPath.replace('refresh', 'preheat') })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  test('refuses a tampered body, and an emptied one', () => {
    expect(verify({ ...received, body: received.body.replace('file', 'directory') })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verify({ ...received, body: '' })).toEqual({ ok: false, reason: 'mismatch' });
  });

  test.each(['x-project-id', 'content-type', 'host', 'x-security-token', 'x-domain-id'])(
    'refuses a tampered signed header %s',
    (name) => {
      expect(verify({ ...received, headers: { ...received.headers, [name]: 'tampered' } })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    },
  );

  test('refuses a different method', () => {
    expect(verify({ ...received, method: 'PUT' })).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('X-Sdk-Content-Sha256, as the official SDK uses it', () => {
  const now = new Date(Date.UTC(2026, 0, 1));
  const creds: AkSkCredentials = { ak: 'AK', sk: 'SK' };
  const lookup = (): string => creds.sk;
  const upload = (declared: string): SignableRequest => ({
    method: 'POST',
    host: 'h',
    path: '/upload',
    headers: { 'Content-Type': 'text/plain', 'X-Sdk-Content-Sha256': declared },
    body: 'raw bytes',
  });

  test('a declared UNSIGNED-PAYLOAD is signed in place of the body hash', () => {
    const signed = signRequest(upload(UNSIGNED_PAYLOAD), creds, now);
    expect(signed.headers[CONTENT_SHA256_HEADER]).toBe(UNSIGNED_PAYLOAD);
    expect(signed.canonicalRequest.split('\n').at(-1)).toBe(UNSIGNED_PAYLOAD);
    expect(parseAuthorization(signed.headers.authorization)?.signedHeaders).toContain(CONTENT_SHA256_HEADER);
  });

  test('the verifier then accepts any body, but not a changed declaration', () => {
    const req = upload(UNSIGNED_PAYLOAD);
    const received = toReceived(req, signRequest(req, creds, now));
    expect(verifyRequest({ ...received, body: 'other bytes' }, lookup, now).ok).toBe(true);
    const headers = { ...received.headers, [CONTENT_SHA256_HEADER]: sha256Hex('other bytes') };
    expect(verifyRequest({ ...received, headers, body: 'other bytes' }, lookup, now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  test('a declared hex hash binds the body: the right one verifies, a wrong one never does', () => {
    const right = upload(sha256Hex('raw bytes'));
    expect(verifyRequest(toReceived(right, signRequest(right, creds, now)), lookup, now).ok).toBe(true);
    const wrong = upload(sha256Hex('other bytes'));
    expect(verifyRequest(toReceived(wrong, signRequest(wrong, creds, now)), lookup, now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  test('an UNSIGNED-PAYLOAD header added after signing does not unbind the body', () => {
    const req: SignableRequest = { method: 'POST', host: 'h', path: '/', body: '{"a":1}' };
    const received = toReceived(req, signRequest(req, creds, now));
    const headers = { ...received.headers, [CONTENT_SHA256_HEADER]: UNSIGNED_PAYLOAD };
    expect(verifyRequest({ ...received, headers, body: '{"a":2}' }, lookup, now)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('decoding the wire path', () => {
  const now = new Date(Date.UTC(2026, 0, 1));
  const creds: AkSkCredentials = { ak: 'AK', sk: 'SK' };

  // Signs `path` with ours, then sends `wirePath` instead, as a client that escapes differently would.
  const verifyAs = (path: string, wirePath: string): VerifyOutcome => {
    const req: SignableRequest = { method: 'GET', host: 'h', path };
    return verifyRequest({ ...toReceived(req, signRequest(req, creds, now)), rawPath: wirePath }, () => creds.sk, now);
  };

  test('accepts any escaping of the same decoded path', () => {
    expect(verifyAs("/é/a b/!'()*", "/%C3%A9/a%20b/!'()*").ok).toBe(true);
    expect(verifyAs('/é/a+b', '/%c3%a9/a%2Bb').ok).toBe(true);
  });

  test('a literal `%` (as the official SDK sends it) does not stop the other escapes decoding', () => {
    expect(verifyAs('/100%/é', '/100%/%C3%A9').ok).toBe(true);
    expect(verifyAs('/%zz/😀', '/%zz/%F0%9F%98%80').ok).toBe(true);
  });

  test('an escape that is not UTF-8 stays as sent', () => {
    expect(verifyAs('/%FF/é', '/%FF/%C3%A9').ok).toBe(true);
    expect(verifyAs('/\u00ff', '/%FF').ok).toBe(false);
  });

  test('an encoded slash separates segments, as in the SDK, which splits the decoded path', () => {
    expect(verifyAs('/a/b', '/a%2Fb').ok).toBe(true);
  });
});
