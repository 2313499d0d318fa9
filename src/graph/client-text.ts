/**
 * How much of a client-chosen string (an operation name, a `__typename`, Apollo's messages
 * quoting the document or the variables) the gateway echoes in answers and writes to logs:
 * a bounded head and a marker with the original length, so that a request of 900 KB cannot
 * make an answer or a log line of 900 KB (README, Security).
 */

/** Characters of a client-chosen name kept in answers and logs. */
export const MAX_ECHOED_NAME = 100;

/** Characters of a message Apollo or graphql-js wrote (which may quote the request) kept in answers and logs. */
export const MAX_ECHOED_MESSAGE = 1000;

// A quoted name too long to echo whole (graphql-js quotes names, which hold no spaces, as "name").
const LONG_QUOTED = new RegExp(`"([^"\\s]{${MAX_ECHOED_NAME + 1},})"`, 'g');

/** Returns `text` when it has at most `max` characters, else its first `max` and a marker naming its length. */
export function truncateClientText(text: string, max: number = MAX_ECHOED_NAME): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in two.
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…[truncated, ${text.length} characters]`;
}

/** Returns the operation name bounded for answers and logs; `null` stays `null`. */
export function boundOperationName(name: string | null | undefined): string | null {
  return name === null || name === undefined ? null : truncateClientText(name);
}

/**
 * Bounds a message written by Apollo or graphql-js: every quoted name (`"…"` without spaces,
 * where they put names from the request) longer than `MAX_ECHOED_NAME` is truncated, then the
 * whole message (which may quote values) to `MAX_ECHOED_MESSAGE`.
 */
export function boundMessage(message: string): string {
  if (message.length <= MAX_ECHOED_NAME) return message;
  const quoted = message.replace(LONG_QUOTED, (_whole, inner: string) => `"${truncateClientText(inner)}"`);
  return truncateClientText(quoted, MAX_ECHOED_MESSAGE);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
