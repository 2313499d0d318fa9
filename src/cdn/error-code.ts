/**
 * Screens Huawei's `error_code` before it reaches a message or `extensions.upstream.code`: the
 * upstream's body is not the gateway's to repeat, so only codes of the documented shape pass
 * (docs/upstream.md, Error codes: `CDN.0001`, `CDN.0108`, `APIGW.0301`, `APIGW.0308`, …) and any
 * other value becomes `UNRECOGNIZED`.
 */

/**
 * The shape of an upstream error code: a service prefix (a capital letter, then 1–15 letters),
 * a dot, 3–5 digits. Wider than the documented codes (upper-case prefixes, 4 digits) so that a
 * code Huawei adds later still shows; narrow enough that no text, markup or secret fits in it.
 */
export const UPSTREAM_CODE_PATTERN = /^[A-Z][A-Za-z]{1,15}\.\d{3,5}$/;

/** What an upstream error code of any other shape is replaced with, in messages and in `extensions.upstream.code`. */
export const UNRECOGNIZED_UPSTREAM_CODE = 'UNRECOGNIZED';

/** Returns the upstream error code when it has the documented shape, `UNRECOGNIZED` when it has another, `undefined` when there is none. */
export function screenUpstreamCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return UPSTREAM_CODE_PATTERN.test(code) ? code : UNRECOGNIZED_UPSTREAM_CODE;
}
