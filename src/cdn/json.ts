/** JSON parsing that reports failure as a value, for classification and cache hits. */

/** A parsed body, or the fact that it was not JSON. */
export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** Parses a text as JSON without throwing. */
export function parseJson(text: string): JsonBody {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
