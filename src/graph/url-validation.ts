/**
 * Input rules of the create mutations (docs/upstream.md, Create refresh and Create preheat), checked before anything is sent so
 * that a bad batch costs no upstream call and no quota. Pure functions: a list of problems
 * out, each naming the offending URL; the resolver turns them into one BAD_USER_INPUT.
 *
 * A URL is sent as written, so it must read the same to every parser on the way (the gateway,
 * the CDN, its origin): no characters parsers treat differently (whitespace, controls,
 * invisible formatting characters, backslashes), no credentials, and a host that the WHATWG URL
 * parser (`new URL`) reads exactly as it is written.
 */
import { badUserInput, type GatewayError } from '../errors';
import { parseUrl } from '../parse-url';

/** Most URLs one create call may hold. */
export const MAX_URLS_PER_CALL = 1000;
/** Most directories one refresh call may hold. */
export const MAX_DIRECTORIES_PER_CALL = 100;
/** Longest URL the CDN accepts, in characters. */
export const MAX_URL_LENGTH = 4096;
/** Longest idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Problems listed in one error message; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 5;

// Characters shown of a URL in a message: enough to recognize it, not a 4 KB echo.
const SHOWN_URL_CHARS = 100;
// Characters refused anywhere in a URL (they must be percent-encoded): whitespace and controls
// (C0, DEL and C1 such as U+0085: the CDN refuses them, and they hide in copy-pasted lists),
// invisible formatting characters (Unicode Cf: zero-width U+200B–U+200D, U+2060, U+FEFF and
// bidirectional controls U+200E/U+200F, U+202A–U+202E, U+2066–U+2069, which make a URL read
// differently from what it is), lone surrogates (no UTF-8 form), and the backslash (WHATWG
// parsers read it as `/` after the scheme, others as part of the host or user name).
const REFUSED_CHAR = /[\s\p{Cc}\p{Cf}\p{Cs}\\]/u;
// Bidirectional formatting characters, named as such in messages.
const BIDI_CHAR = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// Characters a quoted value shows escaped: JSON.stringify leaves DEL, C1, Cf characters and spaces other than U+0020 as they are.
const INVISIBLE_CHARS = /(?! )[\p{Cc}\p{Cf}\p{Z}]/gu;
// In a Unicode-aware pattern, paired surrogates form one code point: only unpaired halves match.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Lists what breaks the rules in a create call's URLs, in input order; empty when they are fine. */
export function findUrlProblems(urls: readonly string[], options: { readonly field: string; readonly directories: boolean }): string[] {
  const { field } = options;
  if (urls.length === 0) return [`${field} must hold at least one URL; got an empty list`];
  const problems: string[] = [];
  if (urls.length > MAX_URLS_PER_CALL) {
    problems.push(`${field} holds ${urls.length} URLs; at most ${MAX_URLS_PER_CALL} are allowed per call (the first one over is ${field}[${MAX_URLS_PER_CALL}] ${show(urls[MAX_URLS_PER_CALL] ?? '')})`);
  } else if (options.directories && urls.length > MAX_DIRECTORIES_PER_CALL) {
    problems.push(
      `${field} holds ${urls.length} directories; at most ${MAX_DIRECTORIES_PER_CALL} are allowed per call (the first one over is ${field}[${MAX_DIRECTORIES_PER_CALL}] ${show(urls[MAX_DIRECTORIES_PER_CALL] ?? '')})`,
    );
  }
  const firstIndex = new Map<string, number>();
  urls.forEach((url, i) => {
    const problem = findOneUrlProblem(url);
    if (problem) problems.push(`${field}[${i}] ${problem}`);
    const earlier = firstIndex.get(url);
    if (earlier === undefined) firstIndex.set(url, i);
    else problems.push(`${field}[${i}] repeats ${field}[${earlier}] ${show(url)}; each URL may appear once`);
  });
  return problems;
}

/** Tells what is wrong with one URL (phrased to follow its position), or `undefined` when it is acceptable. */
export function findOneUrlProblem(url: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `${show(url)} is ${url.length} characters long; at most ${MAX_URL_LENGTH} are allowed`;
  if (!url.startsWith('http://') && !url.startsWith('https://')) return `${show(url)} must start with http:// or https://`;
  const refused = REFUSED_CHAR.exec(url);
  if (refused) return refusedCharProblem(url, refused[0], refused.index);
  // The authority as written: no backslash is left, so it ends where WHATWG parsing ends it.
  const authority = /^https?:\/\/([^/?#]*)/.exec(url)?.[1] ?? '';
  if (authority.includes('@')) {
    // The message must not repeat the credentials: the user information is shown as `…@`.
    const hidden = url.replace(/^(https?:\/\/)[^/?#]*@/, '$1…@');
    return `${show(hidden)} must not carry credentials (user:password@ before the host): the CDN needs none, and it would keep them in its records`;
  }
  const writtenHost = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:[^:]*$/, '');
  const parsed = parseUrl(url);
  // WHATWG parsing forgives too much (`https:///a.js` gets host `a.js`): the host must be written where it belongs.
  if (writtenHost === '' || parsed === undefined || parsed.hostname === '') return `${show(url)} is not a URL with a host name`;
  if (!readsAsWritten(writtenHost, parsed.hostname)) {
    return `${show(url)} writes its host as ${show(writtenHost)}, which the URL standard reads as ${show(parsed.hostname)}; write the host as it is read (letters, digits, - and . in plain ASCII, or an international name)`;
  }
  return undefined;
}

// Explains a refused character: which one, where, and what to do instead.
function refusedCharProblem(url: string, char: string, index: number): string {
  const at = `${codePoint(char)} at character ${index}`;
  if (char === '\\') return `${show(url)} must not contain a backslash (${at}): URL parsers disagree on whether it ends the host; write / or percent-encode it as %5C`;
  const kind = /\p{Cc}/u.test(char)
    ? 'a control character'
    : /\p{Cs}/u.test(char)
      ? 'a lone surrogate'
      : BIDI_CHAR.test(char)
        ? 'a bidirectional formatting character'
        : /\p{Cf}/u.test(char)
          ? 'an invisible formatting character'
          : 'a space';
  return `${show(url)} must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has ${kind} (${at})`;
}

// Tells whether the host a parser reads is the one written: label by label, ASCII labels equal
// but for case, international labels in their punycode form. Anything else (percent-encoded or
// full-width characters, IPv4 shorthands such as 0x7f.1, non-canonical IPv6) reads differently.
function readsAsWritten(written: string, read: string): boolean {
  const writtenLabels = written.split('.');
  const readLabels = read.split('.');
  if (writtenLabels.length !== readLabels.length) return false;
  return writtenLabels.every((label, i) => {
    const readLabel = readLabels[i] ?? '';
    return /^[\x00-\x7f]*$/.test(label) ? label.toLowerCase() === readLabel : readLabel.startsWith('xn--');
  });
}

// Names a character by its code point, e.g. U+202E.
function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks an exact-match URL filter: one longer than any URL a task can hold matches nothing,
 * and would only spend an upstream call the CDN refuses (its request line limit).
 */
export function checkUrlFilter(field: string, url: string): string {
  if (url.length > MAX_URL_LENGTH) throw badUserInput(`${field} must be at most ${MAX_URL_LENGTH} characters, the longest URL a task can hold; got ${url.length} characters starting ${show(url)}`);
  // A lone surrogate has no UTF-8 form: it cannot be percent-encoded into the upstream query (encodeURIComponent throws).
  const lone = LONE_SURROGATE.exec(url);
  if (lone) throw badUserInput(`${field} must be well-formed Unicode text; got a lone surrogate (\\u${lone[0].charCodeAt(0).toString(16)}) at character ${lone.index}`);
  return url;
}

/** Lists what is wrong with an idempotency key (empty when it is fine). */
export function findIdempotencyKeyProblems(key: string, field: string): string[] {
  if (key.length >= 1 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key)) return [];
  return [`${field} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces (a UUID is a good key); got ${show(key)}`];
}

/** Turns problems into one BAD_USER_INPUT error listing the first few; `undefined` when there are none. */
export function toInputError(problems: readonly string[]): GatewayError | undefined {
  if (problems.length === 0) return undefined;
  if (problems.length === 1) return badUserInput(`${problems[0]}.`);
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const more = problems.length - shown.length;
  return badUserInput(`${problems.length} problems in the input: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`);
}

/** Quotes a value for a message, shortened when long, with control and invisible formatting characters escaped (U+202E shows as \\u202e). */
export function show(value: string): string {
  const quoted = JSON.stringify(value.length > SHOWN_URL_CHARS ? value.slice(0, SHOWN_URL_CHARS) : value).replace(INVISIBLE_CHARS, escapeUnits);
  return value.length > SHOWN_URL_CHARS ? `${quoted}…` : quoted;
}

// Escapes each UTF-16 unit of a character as \uXXXX.
function escapeUnits(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
