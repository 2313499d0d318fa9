/**
 * Authentication as Huawei's API Gateway does it: an AK/SK signature (verified against the
 * raw request by ./verify, with the signer's own canonical forms) or an IAM token in `X-Auth-Token`.
 */
import { parseAuthorization, verifyRequest, type ReceivedRequest } from './verify';

/** The credentials the simulator accepts. */
export interface AuthSettings {
  readonly ak: string;
  readonly sk: string;
  /** When set, AK/SK requests must carry (and sign) this `X-Security-Token`. */
  readonly securityToken?: string;
  readonly tokens: ReadonlyArray<{ readonly token: string; readonly expiresAt: number }>;
  /** The clock token expiry is checked against, epoch ms (tests move it instead of waiting); the request's `now` when absent. */
  readonly tokenClock?: () => number;
}

/** Who is calling (the rate-limit and quota key), or the gateway error refusing the call. */
export type AuthOutcome =
  | { readonly ok: true; readonly tenant: string }
  | { readonly ok: false; readonly code: 'APIGW.0301' | 'APIGW.0307'; readonly message: string };

/** The message API Gateway gives for every AK/SK failure (it never says which part was wrong). */
export const AKSK_FAILURE_MESSAGE = 'Incorrect IAM authentication information: verify aksk signature fail';
/** The message for an unknown token. */
export const TOKEN_FAILURE_MESSAGE = 'Incorrect IAM authentication information: decrypt token fail';
/** The message for an expired token. */
export const TOKEN_EXPIRED_MESSAGE = 'The token must be updated.';

/** Authenticates a request at `now` (the real wall clock: signatures are dated by it). */
export function authenticate(req: ReceivedRequest, settings: AuthSettings, now: Date): AuthOutcome {
  const token = req.headers['x-auth-token'];
  if (token !== undefined) {
    const entry = settings.tokens.find((t) => t.token === (Array.isArray(token) ? token[0] : token));
    if (!entry) return { ok: false, code: 'APIGW.0301', message: TOKEN_FAILURE_MESSAGE };
    if (entry.expiresAt <= (settings.tokenClock?.() ?? now.getTime())) return { ok: false, code: 'APIGW.0307', message: TOKEN_EXPIRED_MESSAGE };
    return { ok: true, tenant: `token:${entry.token}` };
  }
  const outcome = verifyRequest(req, (ak) => (ak === settings.ak ? settings.sk : undefined), now);
  if (!outcome.ok || !securityTokenSigned(req, settings.securityToken)) {
    return { ok: false, code: 'APIGW.0301', message: AKSK_FAILURE_MESSAGE };
  }
  return { ok: true, tenant: `ak:${outcome.ak}` };
}

// Temporary credentials are only valid with their security token, sent and signed.
function securityTokenSigned(req: ReceivedRequest, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  const signed = parseAuthorization(firstValue(req.headers.authorization))?.signedHeaders ?? [];
  return signed.includes('x-security-token') && firstValue(req.headers['x-security-token']) === expected;
}

// Returns the first value of a possibly repeated header.
function firstValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[0];
}
