/**
 * Input rules of the create mutations (docs/upstream.md, Create refresh and Create preheat), checked before anything is sent so
 * that a bad batch costs no upstream call and no quota. Pure functions: a list of problems
 * out, each naming the offending URL; the resolver turns them into one BAD_USER_INPUT.
 */
import { badUserInput, type GatewayError } from '../errors';

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
// Whitespace and control characters: the CDN refuses them, and they hide in copy-pasted lists.
const FORBIDDEN_CHARS = /[\s\x00-\x1f\x7f]/;
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
  if (FORBIDDEN_CHARS.test(url)) return `${show(url)} must not contain spaces or control characters (percent-encode them)`;
  // WHATWG parsing forgives too much (`https:///a.js` gets host `a.js`): the host must be written where it belongs.
  const written = /^https?:\/\/(?:[^@/?#]*@)?([^/?#:]*)/.exec(url)?.[1] ?? '';
  if (written === '' || !URL.canParse(url)) return `${show(url)} is not a URL with a host name`;
  return undefined;
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

/** Quotes a value for a message, shortened when long. */
export function show(value: string): string {
  return value.length > SHOWN_URL_CHARS ? `${JSON.stringify(value.slice(0, SHOWN_URL_CHARS))}…` : JSON.stringify(value);
}
