/**
 * Verification of Huawei Cloud API Gateway `SDK-HMAC-SHA256` signatures, as the real API
 * Gateway does it (docs/upstream.md, Signing). The gateway only signs; the simulator verifies,
 * recomputing the signature with the signer's own canonical forms (src/cdn/signer.ts), so
 * that both sides cannot drift apart.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  CONTENT_SHA256_HEADER,
  SIGNING_ALGORITHM,
  UNSIGNED_PAYLOAD,
  bodySha256,
  buildCanonicalRequest,
  buildStringToSign,
  canonicalQuery,
  canonicalUri,
  computeSignature,
  formatSdkDate,
} from '../cdn/signer';

/** The parts of an `Authorization: SDK-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
  readonly access: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** A request as it arrived on the wire, for verification. */
export interface ReceivedRequest {
  readonly method: string;
  /** The raw (still percent-encoded) path, without the query. */
  readonly rawPath: string;
  /** The raw query string, without `?`. */
  readonly rawQuery: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Why a signature was refused, or `ok`. */
export type VerifyOutcome =
  | { ok: true; ak: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown-ak' | 'date-unsigned' | 'date-invalid' | 'skew' | 'mismatch' };

/** Parses an `Authorization` header; `undefined` when it is not a well-formed SDK-HMAC-SHA256 one. */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (!value?.startsWith(`${SIGNING_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(SIGNING_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signed || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  return { access, signedHeaders: signed.split(';'), signature };
}

/** Parses an `X-Sdk-Date` value; `undefined` when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls month 13 or second 60 over and maps years 0-99 to 19xx; a round trip refuses those.
  return formatSdkDate(date) === value ? date : undefined;
}

/** Parses a raw wire query string (`a=1&b=%20`) into decoded parameters, repeated keys as arrays. */
export function parseRawQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** Verifies an AK/SK signature as API Gateway does: signed `x-sdk-date`, skew limit, recomputed signature. */
export function verifyRequest(
  req: ReceivedRequest,
  lookupSk: (ak: string) => string | undefined,
  now: Date,
  maxSkewMs = 15 * 60 * 1000,
): VerifyOutcome {
  const header = firstValue(req.headers.authorization);
  if (!header) return { ok: false, reason: 'missing' };
  const auth = parseAuthorization(header);
  if (!auth) return { ok: false, reason: 'malformed' };
  const sk = lookupSk(auth.access);
  if (sk === undefined) return { ok: false, reason: 'unknown-ak' };
  if (!auth.signedHeaders.includes('x-sdk-date')) return { ok: false, reason: 'date-unsigned' };
  const sdkDate = firstValue(req.headers['x-sdk-date']) ?? '';
  const date = parseSdkDate(sdkDate);
  if (!date) return { ok: false, reason: 'date-invalid' };
  if (Math.abs(now.getTime() - date.getTime()) > maxSkewMs) return { ok: false, reason: 'skew' };
  const signedValues: Record<string, string> = {};
  for (const name of auth.signedHeaders) signedValues[name] = firstValue(req.headers[name]) ?? '';
  const { canonicalRequest } = buildCanonicalRequest({
    method: req.method,
    uri: canonicalUri(safeDecode(req.rawPath)),
    query: canonicalQuery(parseRawQuery(req.rawQuery)),
    headers: signedValues,
    // Only an unsigned payload may stand in for the body; any other declared hash must be the body's.
    bodyHash: signedValues[CONTENT_SHA256_HEADER] === UNSIGNED_PAYLOAD ? UNSIGNED_PAYLOAD : bodySha256(req.body),
  });
  const expected = computeSignature(sk, buildStringToSign(sdkDate, canonicalRequest));
  const same = timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(auth.signature, 'hex'));
  return same ? { ok: true, ak: auth.access } : { ok: false, reason: 'mismatch' };
}

// Decodes each run of percent-escapes that is valid UTF-8 and keeps anything else as it is: the
// official SDK sends a literal `%` in a path unescaped, and one such `%` must not stop the rest decoding.
function safeDecode(value: string): string {
  return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

// Returns the first value of a possibly repeated header.
function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
