/**
 * Huawei Cloud API Gateway request signing, `SDK-HMAC-SHA256` (docs/upstream.md, Signing).
 *
 * The gateway signs; the simulator verifies (src/simulator/verify.ts) with the pure helpers
 * exported here (canonical forms, string to sign, hashing), so both use one definition.
 * The canonical forms follow the official SDK signer request for request; the
 * differential test in test/unit/signer-differential.test.ts holds them to it.
 */
import { createHash, createHmac } from 'node:crypto';

/** The signing algorithm's name, as it appears in `Authorization`. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** The SHA-256 of an empty body. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The header whose value the official SDK signs in place of the body hash (lower case). */
export const CONTENT_SHA256_HEADER = 'x-sdk-content-sha256';
/** The `X-Sdk-Content-Sha256` value that leaves the body unsigned (the SDK sends it for non-JSON bodies). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** One query parameter value, or several for a repeated key. */
export type QueryValue = string | number | boolean | ReadonlyArray<string | number | boolean>;
/** Query parameters by name; `undefined` values are left out. */
export type QueryParams = Readonly<Record<string, QueryValue | undefined>>;

/** AK/SK credentials, optionally temporary (security token) or domain-scoped. */
export interface AkSkCredentials {
  readonly ak: string;
  readonly sk: string;
  readonly securityToken?: string;
  readonly domainId?: string;
}

/** What the signer needs of a request. `path` is the decoded path; `headers` are all sent and all signed. */
export interface SignableRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly query?: QueryParams;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The headers to send, the wire path and query, and the intermediate strings (for tests and debugging). */
export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly pathAndQuery: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

/** Percent-encodes a string the RFC 3986 way: only `A-Za-z0-9-_.~` stay, hex is upper case. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Encodes each path segment; the wire form of a decoded path. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeRfc3986).join('/');
}

/** Returns the canonical URI: each segment encoded, always ending in `/`. */
export function canonicalUri(path: string): string {
  const encoded = encodePath(path);
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** Flattens query parameters into encoded `[key, value]` pairs sorted by key, then value. */
export function toQueryPairs(query: QueryParams = {}): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map(String).sort();
    for (const v of values) pairs.push([encodeRfc3986(key), encodeRfc3986(v)]);
  }
  return pairs;
}

/** Returns the canonical query string, which is also the query string to send. */
export function canonicalQuery(query: QueryParams = {}): string {
  return toQueryPairs(query)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Formats a date as `X-Sdk-Date` wants it: UTC `YYYYMMDDTHHMMSSZ`. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Returns the hex SHA-256 of a string. */
export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** Builds the canonical headers block and the signed header list from a header map. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): { block: string; signed: string } {
  const entries = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    block: entries.map(([k, v]) => `${k}:${v}\n`).join(''),
    signed: entries.map(([k]) => k).join(';'),
  };
}

/** Assembles the canonical request from its already-canonical parts. */
export function buildCanonicalRequest(parts: {
  method: string;
  uri: string;
  query: string;
  headers: Readonly<Record<string, string>>;
  bodyHash: string;
}): { canonicalRequest: string; signedHeaders: string } {
  const { block, signed } = canonicalHeaders(parts.headers);
  return {
    canonicalRequest: [parts.method.toUpperCase(), parts.uri, parts.query, block, signed, parts.bodyHash].join('\n'),
    signedHeaders: signed,
  };
}

/** Builds the string to sign from the date stamp and the canonical request. */
export function buildStringToSign(sdkDate: string, canonicalRequest: string): string {
  return [SIGNING_ALGORITHM, sdkDate, sha256Hex(canonicalRequest)].join('\n');
}

/** Computes the hex HMAC-SHA256 signature of a string to sign. */
export function computeSignature(sk: string, stringToSign: string): string {
  return createHmac('sha256', sk).update(stringToSign, 'utf8').digest('hex');
}

/** Signs a request with AK/SK at `now`, returning every header to send including `Authorization`. */
export function signRequest(req: SignableRequest, creds: AkSkCredentials, now: Date = new Date()): SignedRequest {
  const given = lowerCaseKeys(req.headers ?? {});
  const sdkDate = given['x-sdk-date'] ?? formatSdkDate(now);
  const toSign: Record<string, string> = { ...given, host: given.host ?? req.host, 'x-sdk-date': sdkDate };
  if (creds.securityToken) toSign['x-security-token'] = creds.securityToken;
  if (creds.domainId) toSign['x-domain-id'] = creds.domainId;
  const query = canonicalQuery(req.query);
  const { canonicalRequest, signedHeaders } = buildCanonicalRequest({
    method: req.method,
    uri: canonicalUri(req.path),
    query,
    headers: toSign,
    // As the official SDK does, a declared content hash is signed as is.
    bodyHash: given[CONTENT_SHA256_HEADER] ?? bodySha256(req.body),
  });
  const stringToSign = buildStringToSign(sdkDate, canonicalRequest);
  const signature = computeSignature(creds.sk, stringToSign);
  return {
    headers: {
      ...toSign,
      authorization: `${SIGNING_ALGORITHM} Access=${creds.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    pathAndQuery: encodePath(req.path) + (query ? `?${query}` : ''),
    canonicalRequest,
    stringToSign,
    signature,
  };
}

/** Returns the hex SHA-256 of a body, that of the empty string when there is none. */
export function bodySha256(body: string | undefined): string {
  return body ? sha256Hex(body) : EMPTY_BODY_SHA256;
}

// Lower-cases header names so that `Host` and `host` cannot both be signed.
function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
