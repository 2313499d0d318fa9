/** The create mutations' input rules: every rule at its boundary, and the exact wording that names the offending URL. */
import { GatewayError } from '../../src/errors';
import { parseUrl } from '../../src/parse-url';
import {
  findIdempotencyKeyProblems,
  findOneUrlProblem,
  findUrlProblems,
  MAX_URL_LENGTH,
  show,
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
      'input.urls[2] "https://a.example/a b" must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has a space (U+0020 at character 19)',
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
    ['https://cdn.example.com/a\tb', '"https://cdn.example.com/a\\tb" must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has a control character (U+0009 at character 25)'],
    ['https://cdn.example.com/a.js\n', '"https://cdn.example.com/a.js\\n" must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has a control character (U+000A at character 28)'],
  ])('refuses %j', (url, message) => {
    expect(findOneUrlProblem(url)).toBe(message);
  });

  it('accepts non-ASCII paths, ports, queries and fragments', () => {
    for (const url of ['https://cdn.example.com/图片/a.png', 'http://127.0.0.1:8080/x', 'https://cdn.example.com/a?b=c&d=e#f']) {
      expect(findOneUrlProblem(url)).toBeUndefined();
    }
  });
  it('accepts hosts the URL standard reads as written: any case, a trailing dot, international names, IP literals', () => {
    for (const url of ['https://CDN.Example.com/a.js', 'https://cdn.example.com./a.js', 'https://例子.测试/a.js', 'https://bücher.example/x', 'http://[::1]:8080/x', 'https://cdn.example.com/a@b.png']) {
      expect(findOneUrlProblem(url)).toBeUndefined();
    }
  });
});

describe('findOneUrlProblem when hot', () => {
  // Node 20's URL.canParse, once optimized, reads a Latin-1 string's bytes as UTF-8 and refuses
  // `bücher.example`; the check must answer the same on its ten-thousandth call as on its first.
  it('accepts an international Latin-1 host on every one of 20,000 calls', () => {
    let refused = 0;
    for (let i = 0; i < 20_000; i++) if (findOneUrlProblem('https://bücher.example/x') !== undefined) refused++;
    expect(refused).toBe(0);
  });
  it('parseUrl parses it on every call too', () => {
    let missed = 0;
    for (let i = 0; i < 20_000; i++) if (parseUrl('https://bücher.example/x')?.hostname !== 'xn--bcher-kva.example') missed++;
    expect(missed).toBe(0);
  });
});

describe('findOneUrlProblem against parser confusion', () => {
  const chars: Array<[string, string, string]> = [
    ['\u0085', 'U+0085', 'a control character'],
    ['\u009b', 'U+009B', 'a control character'],
    ['\u007f', 'U+007F', 'a control character'],
    ['\u0000', 'U+0000', 'a control character'],
    ['\u200b', 'U+200B', 'an invisible formatting character'],
    ['\u200c', 'U+200C', 'an invisible formatting character'],
    ['\u200d', 'U+200D', 'an invisible formatting character'],
    ['\u200e', 'U+200E', 'a bidirectional formatting character'],
    ['\u200f', 'U+200F', 'a bidirectional formatting character'],
    ['\u202a', 'U+202A', 'a bidirectional formatting character'],
    ['\u202e', 'U+202E', 'a bidirectional formatting character'],
    ['\u2066', 'U+2066', 'a bidirectional formatting character'],
    ['\u2069', 'U+2069', 'a bidirectional formatting character'],
    ['\ufeff', 'U+FEFF', 'an invisible formatting character'],
    ['\u00a0', 'U+00A0', 'a space'],
    ['\u2028', 'U+2028', 'a space'],
    ['\ud800', 'U+D800', 'a lone surrogate'],
  ];

  it.each(chars)('refuses %j in the path or the host, naming it and where, and escapes it in the quote', (char, point, kind) => {
    const inPath = `https://cdn.example.com/a${char}.js`;
    const problem = findOneUrlProblem(inPath) ?? '';
    expect(problem).toBe(`${show(inPath)} must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has ${kind} (${point} at character 25)`);
    expect(problem).not.toContain(char);
    expect(findOneUrlProblem(`https://cdn${char}.example.com/a.js`)).toBe(`${show(`https://cdn${char}.example.com/a.js`)} must not contain spaces, control characters or invisible formatting characters (percent-encode them); it has ${kind} (${point} at character 11)`);
  });

  it('refuses a backslash anywhere, so that no parser can read another host than the one checked', () => {
    // WHATWG reads host cdn.example.com and path /@evil.example/a.js; a parser that splits the user name at @ reads evil.example.
    expect(new URL('https://cdn.example.com\\@evil.example/a.js').hostname).toBe('cdn.example.com');
    expect(findOneUrlProblem('https://cdn.example.com\\@evil.example/a.js')).toBe(
      '"https://cdn.example.com\\\\@evil.example/a.js" must not contain a backslash (U+005C at character 23): URL parsers disagree on whether it ends the host; write / or percent-encode it as %5C',
    );
    expect(findOneUrlProblem('https:\\\\cdn.example.com/a.js')).toMatch(/^"https:\\\\\\\\cdn.example.com\/a.js" must start with http:\/\/ or https:\/\//);
    expect(findOneUrlProblem('https://cdn.example.com/a\\b.js')).toMatch(/must not contain a backslash \(U\+005C at character 25\)/);
  });

  it.each([
    ['https://alice:hunter2@cdn.example.com/a.js'],
    ['https://alice@cdn.example.com/a.js'],
    ['https://:secret@cdn.example.com/a.js'],
    ['https://@cdn.example.com/a.js'],
    ['https://cdn.example.com@evil.example/a.js'],
  ])('refuses credentials in %j without repeating them', (url) => {
    const problem = findOneUrlProblem(url) ?? '';
    expect(problem).toBe(`"https://…@${url.slice(url.indexOf('@') + 1)}" must not carry credentials (user:password@ before the host): the CDN needs none, and it would keep them in its records`);
    const credentials = url.slice('https://'.length, url.indexOf('@'));
    if (credentials !== '') expect(problem).not.toContain(`${credentials}@`);
    expect(problem).not.toMatch(/alice|hunter2|secret/);
  });

  it.each([
    ['https://cdn%2eexample.com/a.js', 'cdn%2eexample.com', 'cdn.example.com'],
    ['https://ｅｘａｍｐｌｅ.com/a.js', 'ｅｘａｍｐｌｅ.com', 'example.com'],
    ['https://0x7f.1/a.js', '0x7f.1', '127.0.0.1'],
    ['https://127.1/a.js', '127.1', '127.0.0.1'],
    ['https://１２７.０.０.１/a.js', '１２７.０.０.１', '127.0.0.1'],
    ['https://[0:0::1]/a.js', '[0:0::1]', '[::1]'],
  ])('refuses %j, whose host the URL standard reads differently from how it is written', (url, written, read) => {
    expect(new URL(url).hostname).toBe(read);
    expect(findOneUrlProblem(url)).toBe(
      `${JSON.stringify(url)} writes its host as ${JSON.stringify(written)}, which the URL standard reads as ${JSON.stringify(read)}; write the host as it is read (letters, digits, - and . in plain ASCII, or an international name)`,
    );
  });

  it('quotes at most 100 characters of a huge refused URL', () => {
    const huge = `https://cdn.example.com/${'a'.repeat(3000)}\u202e`;
    const problem = findOneUrlProblem(huge) ?? '';
    expect(problem.length).toBeLessThan(300);
    expect(problem).toContain('(U+202E at character 3024)');
  });
});

describe('findUrlProblems with several refused URLs', () => {
  it('names each by its index and reason, in input order', () => {
    const problems = findUrlProblems(['https://cdn.example.com/ok', 'https://u:p@cdn.example.com/', 'https://cdn.example.com/\u202e', 'https://cdn.example.com\\@evil.example/'], files);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^input\.urls\[1\] "https:\/\/…@cdn\.example\.com\/" must not carry credentials/);
    expect(problems[1]).toMatch(/^input\.urls\[2\] "https:\/\/cdn\.example\.com\/\\u202e" must not contain .* a bidirectional formatting character \(U\+202E at character 24\)$/);
    expect(problems[2]).toMatch(/^input\.urls\[3\] .* must not contain a backslash \(U\+005C at character 23\)/);
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
