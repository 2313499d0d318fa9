/**
 * URL parsing that stays correct when hot. Node 20's `URL.canParse` has a fast path (taken once
 * the caller is optimized, after a few thousand calls) that reads a Latin-1 string's bytes as
 * UTF-8, so `https://bücher.example/x` starts to "not parse"; `new URL` has no such path.
 */

/** Parses `input` as an absolute URL; undefined when it is not one. */
export function parseUrl(input: string): URL | undefined {
  try {
    return new URL(input);
  } catch {
    return undefined;
  }
}
