import { createHmac } from 'node:crypto';
import { GatewayError } from '../../src/errors';
import { bindFilter } from '../../src/pagination/binding';
import { CURSOR_VERSION, encodeCursor } from '../../src/pagination/cursor';
import { decodeUrlTaskCursor, encodeUrlTaskCursor, type UrlTaskCursor } from '../../src/pagination/url-task-cursor';

const SECRET = 'cursor-test-secret';
const BINDING = bindFilter('urlTasks', { status: 'PROCESSING' }, 1_764_000_000_000);

const midWindow: UrlTaskCursor = {
  binding: BINDING,
  rangeEnd: 1_764_000_000_000,
  window: 3,
  offset: 41,
  id: 8_992_619,
  createTime: 1_763_700_000_318,
  nextId: 8_992_611,
  prevId: 8_992_620,
};
const windowEnd: UrlTaskCursor = { ...midWindow, offset: 0, nextId: 'window-end', prevId: undefined };
const nothingSeen: UrlTaskCursor = { binding: BINDING, rangeEnd: 1_764_000_000_000, window: 0, offset: 7, id: 1, createTime: 0 };

describe('encodeUrlTaskCursor and decodeUrlTaskCursor', () => {
  test.each([
    ['neighbours seen', midWindow],
    ['last record of its window', { binding: BINDING, rangeEnd: 1_764_000_000_000, window: 3, offset: 0, id: 8_992_619, createTime: 1_763_700_000_318, nextId: 'window-end' }],
    ['no neighbour seen', nothingSeen],
    ['largest safe numbers', { ...nothingSeen, id: Number.MAX_SAFE_INTEGER, offset: 2 ** 31, window: 30 }],
  ] as Array<[string, UrlTaskCursor]>)('round-trips a cursor with %s', (_name, data) => {
    const text = encodeUrlTaskCursor(data, SECRET);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeUrlTaskCursor(text, SECRET, 'after')).toEqual(data);
  });

  test('leaves absent neighbours absent', () => {
    expect(decodeUrlTaskCursor(encodeUrlTaskCursor(windowEnd, SECRET), SECRET, 'after')).toEqual({
      binding: BINDING,
      rangeEnd: 1_764_000_000_000,
      window: 3,
      offset: 0,
      id: 8_992_619,
      createTime: 1_763_700_000_318,
      nextId: 'window-end',
    });
  });

  test('writes version v2, names the connection and stays short', () => {
    const text = encodeUrlTaskCursor(midWindow, SECRET);
    expect(CURSOR_VERSION).toBe('v2');
    expect(Buffer.from(text, 'base64url').toString('latin1').startsWith(`v2~urlTasks~${BINDING}~`)).toBe(true);
    expect(text.length).toBeLessThan(120);
  });

  test('accepts a binary secret', () => {
    const secret = new Uint8Array([1, 2, 3, 4]);
    expect(decodeUrlTaskCursor(encodeUrlTaskCursor(midWindow, secret), secret, 'before')).toEqual(midWindow);
  });

  test('refuses fields that are not non-negative safe integers', () => {
    expect(() => encodeUrlTaskCursor({ ...midWindow, offset: -1 }, SECRET)).toThrow('cursor fields are non-negative safe integers; got -1');
  });
});

describe('decodeUrlTaskCursor refuses', () => {
  const valid = encodeUrlTaskCursor(midWindow, SECRET);
  const short = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const flipped = flipChar(valid, Math.floor(valid.length / 2));
  // A cursor whose byte length leaves unused bits in its last character.
  const spare = [1, 36, 1296].map((id) => encodeUrlTaskCursor({ ...midWindow, id }, SECRET)).find((text) => text.length % 4 !== 0) as string;

  test.each<[string, string, 'after' | 'before', string]>([
    ['an empty string', '', 'after', 'after is not a valid cursor (malformed); got ""'],
    ['characters outside base64url', 'abc$def', 'after', 'after is not a valid cursor (malformed); got "abc$def"'],
    ['standard base64 padding', 'YWJj=', 'before', 'before is not a valid cursor (malformed); got "YWJj="'],
    ['too few bytes for a signature', 'YWJjZGVm', 'after', 'after is not a valid cursor (malformed); got "YWJjZGVm"'],
    ['an offset cursor of another connection', 'o1.eyJ2IjoxfQ.c2ln', 'after', 'after is not a valid cursor (malformed); got "o1.eyJ2IjoxfQ.c2ln"'],
    ['a non-canonical spelling', nonCanonical(spare), 'after', 'after cursor was altered or issued by another gateway (signature check failed)'],
    ['a changed character', flipped, 'after', 'after cursor was altered or issued by another gateway (signature check failed)'],
    ['a changed signature character', flipChar(valid, valid.length - 2), 'after', 'after cursor was altered or issued by another gateway (signature check failed)'],
    ['a truncated cursor', valid.slice(0, -4), 'before', 'before cursor was altered or issued by another gateway (signature check failed)'],
    ['trailing characters', `${valid}AAAA`, 'before', 'before cursor was altered or issued by another gateway (signature check failed)'],
    ['one trailing character', `${valid}A`, 'after', 'after cursor was altered or issued by another gateway (signature check failed)'],
  ])('%s', (_name, text, argument, message) => {
    expectBadInput(() => decodeUrlTaskCursor(text, SECRET, argument), message);
  });

  test('a cursor signed with another secret', () => {
    const foreign = encodeUrlTaskCursor(midWindow, 'another gateway');
    expectBadInput(() => decodeUrlTaskCursor(foreign, SECRET, 'after'), 'after cursor was altered or issued by another gateway (signature check failed)');
  });

  test('every single-character change', () => {
    const messages = new Set<string>();
    for (let i = 0; i < valid.length; i++) {
      try {
        decodeUrlTaskCursor(flipChar(valid, i), SECRET, 'after');
        messages.add('accepted');
      } catch (error) {
        messages.add((error as GatewayError).code);
      }
    }
    expect([...messages]).toEqual(['BAD_USER_INPUT']);
  });

  test('a correctly signed cursor of another version', () => {
    const payload = Buffer.from(valid, 'base64url').subarray(0, -16).toString('latin1').replace(/^v2/, 'v3');
    const mac = createHmac('sha256', SECRET).update('cdn-gateway cursor\n').update(payload, 'latin1').digest().subarray(0, 16);
    const v3 = Buffer.concat([Buffer.from(payload, 'latin1'), mac]).toString('base64url');
    expectBadInput(() => decodeUrlTaskCursor(v3, SECRET, 'after'), 'after cursor has version "v3", this gateway reads v2; start again without after');
  });

  test('a correctly signed cursor of another connection', () => {
    const text = encodeCursor({ connection: 'tasks', binding: BINDING, fields: ['1', ''] }, SECRET);
    expectBadInput(() => decodeUrlTaskCursor(text, SECRET, 'before'), 'before cursor was issued for a different connection ("tasks"); pass it where it was issued, or start again without before');
  });

  test('a correctly signed payload with a field missing', () => {
    const payload = 'v2~urlTasks~' + BINDING + '~1~2~3';
    const mac = createHmac('sha256', SECRET).update('cdn-gateway cursor\n').update(payload, 'latin1').digest().subarray(0, 16);
    const text = Buffer.concat([Buffer.from(payload, 'latin1'), mac]).toString('base64url');
    expectBadInput(() => decodeUrlTaskCursor(text, SECRET, 'after'), `after is not a valid cursor (malformed); got ${short(text)}`);
  });
});

describe('bindFilter', () => {
  const base = { createdAfter: 1, createdBefore: 2, url: 'https://a.example/x', taskType: 'REFRESH', status: 'SUCCEED', fileType: 'FILE' };

  test('gives equal filters the same 12-character binding, null or absent alike', () => {
    expect(bindFilter('urlTasks', { status: 'FAILED', url: null }, 5)).toBe(bindFilter('urlTasks', { status: 'FAILED' }, 5));
    expect(bindFilter('urlTasks', base, 5)).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  test('changes with every filter field, the scope and the frozen end', () => {
    const variants = [
      bindFilter('urlTasks', base, 5),
      bindFilter('urlTasks', { ...base, createdAfter: 0 }, 5),
      bindFilter('urlTasks', { ...base, createdBefore: 3 }, 5),
      bindFilter('urlTasks', { ...base, url: 'https://a.example/y' }, 5),
      bindFilter('urlTasks', { ...base, taskType: 'PREHEATING' }, 5),
      bindFilter('urlTasks', { ...base, status: 'FAILED' }, 5),
      bindFilter('urlTasks', { ...base, fileType: 'DIRECTORY' }, 5),
      bindFilter('urlTasks', { ...base, status: null }, 5),
      bindFilter('task:1', base, 5),
      bindFilter('urlTasks', base, 6),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });
});

// Replaces the character at `i` with another base64url character.
function flipChar(text: string, i: number): string {
  const c = text[i] === 'A' ? 'B' : 'A';
  return text.slice(0, i) + c + text.slice(i + 1);
}

// The same bytes spelled with different unused trailing bits (the last character changes).
function nonCanonical(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = text[text.length - 1] as string;
  for (const c of alphabet) {
    const candidate = text.slice(0, -1) + c;
    if (c !== last && Buffer.from(candidate, 'base64url').equals(Buffer.from(text, 'base64url'))) return candidate;
  }
  throw new Error(`no other spelling of ${text} (its length leaves no spare bits)`);
}

// Asserts a BAD_USER_INPUT GatewayError with exactly this message.
function expectBadInput(fn: () => unknown, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  expect({ code: (caught as GatewayError).code, message: (caught as GatewayError).message }).toEqual({ code: 'BAD_USER_INPUT', message });
}
