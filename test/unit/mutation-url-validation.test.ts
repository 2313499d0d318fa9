/** The create mutations' input rules: every rule at its boundary, and the exact wording that names the offending URL. */
import { GatewayError } from '../../src/errors';
import {
  findIdempotencyKeyProblems,
  findOneUrlProblem,
  findUrlProblems,
  MAX_URL_LENGTH,
  toInputError,
} from '../../src/graph/url-validation';

const files = { field: 'input.urls', directories: false };
const dirs = { field: 'input.urls', directories: true };
const many = (n: number, prefix = 'https://cdn.example.com/f') => Array.from({ length: n }, (_, i) => `${prefix}${i}.js`);
const ofLength = (n: number) => {
  const base = 'https://cdn.example.com/';
  return base + 'a'.repeat(n - base.length);
};

describe('findUrlProblems', () => {
  it('accepts distinct http and https URLs', () => {
    expect(findUrlProblems(['http://cdn.example.com/a.js', 'https://cdn.example.com/a.js', 'https://cdn.example.com:8443/b?x=1#y'], files)).toEqual([]);
  });

  it('refuses an empty list', () => {
    expect(findUrlProblems([], files)).toEqual(['input.urls must hold at least one URL; got an empty list']);
  });

  it('accepts 1000 URLs and refuses 1001, naming the first one over', () => {
    expect(findUrlProblems(many(1000), files)).toEqual([]);
    expect(findUrlProblems(many(1001), files)).toEqual([
      'input.urls holds 1001 URLs; at most 1000 are allowed per call (the first one over is input.urls[1000] "https://cdn.example.com/f1000.js")',
    ]);
  });

  it('accepts 100 directories and refuses 101, while 101 files are fine', () => {
    expect(findUrlProblems(many(100, 'https://cdn.example.com/d'), dirs)).toEqual([]);
    expect(findUrlProblems(many(101, 'https://cdn.example.com/d'), files)).toEqual([]);
    expect(findUrlProblems(many(101, 'https://cdn.example.com/d'), dirs)).toEqual([
      'input.urls holds 101 directories; at most 100 are allowed per call (the first one over is input.urls[100] "https://cdn.example.com/d100.js")',
    ]);
  });

  it('reports a duplicate at its second position, naming the first', () => {
    expect(findUrlProblems(['https://a.example/x', 'https://a.example/y', 'https://a.example/x'], files)).toEqual([
      'input.urls[2] repeats input.urls[0] "https://a.example/x"; each URL may appear once',
    ]);
  });

  it('lists every broken URL with its position, in input order', () => {
    expect(findUrlProblems(['ftp://a.example/x', 'https://a.example/ok', 'https://a.example/a b'], files)).toEqual([
      'input.urls[0] "ftp://a.example/x" must start with http:// or https://',
      'input.urls[2] "https://a.example/a b" must not contain spaces or control characters (percent-encode them)',
    ]);
  });
});

describe('findOneUrlProblem', () => {
  it('accepts 4096 characters and refuses 4097, quoting only the start of the URL', () => {
    expect(findOneUrlProblem(ofLength(MAX_URL_LENGTH))).toBeUndefined();
    const long = ofLength(MAX_URL_LENGTH + 1);
    expect(findOneUrlProblem(long)).toBe(`${JSON.stringify(long.slice(0, 100))}… is 4097 characters long; at most 4096 are allowed`);
  });

  it.each([
    ['cdn.example.com/a.js', '"cdn.example.com/a.js" must start with http:// or https://'],
    ['HTTPS://cdn.example.com/a.js', '"HTTPS://cdn.example.com/a.js" must start with http:// or https://'],
    ['https:/cdn.example.com/a.js', '"https:/cdn.example.com/a.js" must start with http:// or https://'],
    ['javascript://alert(1)', '"javascript://alert(1)" must start with http:// or https://'],
    ['https://', '"https://" is not a URL with a host name'],
    ['https:///a.js', '"https:///a.js" is not a URL with a host name'],
    ['https://cdn.example.com/a\tb', '"https://cdn.example.com/a\\tb" must not contain spaces or control characters (percent-encode them)'],
    ['https://cdn.example.com/a.js\n', '"https://cdn.example.com/a.js\\n" must not contain spaces or control characters (percent-encode them)'],
  ])('refuses %j', (url, message) => {
    expect(findOneUrlProblem(url)).toBe(message);
  });

  it('accepts non-ASCII paths, ports, queries and fragments', () => {
    for (const url of ['https://cdn.example.com/图片/a.png', 'http://127.0.0.1:8080/x', 'https://cdn.example.com/a?b=c&d=e#f']) {
      expect(findOneUrlProblem(url)).toBeUndefined();
    }
  });
});

describe('findIdempotencyKeyProblems', () => {
  it('accepts 1 to 255 printable ASCII characters', () => {
    expect(findIdempotencyKeyProblems('k', 'input.idempotencyKey')).toEqual([]);
    expect(findIdempotencyKeyProblems('0b9f6c1e-2c7a-4a3b-9a59-1f0d3c2b4e5a', 'input.idempotencyKey')).toEqual([]);
    expect(findIdempotencyKeyProblems('x'.repeat(255), 'input.idempotencyKey')).toEqual([]);
  });

  it.each(['', 'x'.repeat(256), 'with space', 'ключ'])('refuses %j', (key) => {
    expect(findIdempotencyKeyProblems(key, 'input.idempotencyKey')).toEqual([
      `input.idempotencyKey must be 1 to 255 printable ASCII characters without spaces (a UUID is a good key); got ${key.length > 100 ? `${JSON.stringify(key.slice(0, 100))}…` : JSON.stringify(key)}`,
    ]);
  });
});

describe('toInputError', () => {
  it('returns nothing without problems', () => {
    expect(toInputError([])).toBeUndefined();
  });

  it('states a single problem as the message', () => {
    const error = toInputError(['input.urls must hold at least one URL; got an empty list']);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'input.urls must hold at least one URL; got an empty list.' });
  });

  it('lists the first five of many problems and counts the rest', () => {
    const problems = Array.from({ length: 8 }, (_, i) => `p${i}`);
    expect(toInputError(problems)?.message).toBe('8 problems in the input: p0; p1; p2; p3; p4; and 3 more.');
  });
});
