/**
 * Parses a response body once: classification and the endpoint both need the JSON, and a
 * response object flows through both, so the result is remembered per response.
 */
import type { UpstreamResponse } from './pipeline';

/** A parsed body, or the fact that it was not JSON. */
export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const parsed = new WeakMap<UpstreamResponse, JsonBody>();

/** Parses a response body as JSON, remembering the result for the same response object. */
export function readJson(res: UpstreamResponse): JsonBody {
  const hit = parsed.get(res);
  if (hit) return hit;
  const result = parseJson(res.body);
  parsed.set(res, result);
  return result;
}

/** Parses a text as JSON without throwing. */
export function parseJson(text: string): JsonBody {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
