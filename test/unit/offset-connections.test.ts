/**
 * Offset connections (src/pagination/offset.ts, offset-cursor.ts), used by Query.tasks and
 * Task.urls: the shared Relay argument checks (args.ts), offset ranges both ways, page coverage
 * of upstream page_size/page_number, exact page flags, signed cursors bound to their
 * connection, and the filter binding (binding.ts).
 */
import { GatewayError } from '../../src/errors';
import { checkRelayArgs, type RelayArgs, type RelayRequest } from '../../src/pagination/args';
import { bindFilter } from '../../src/pagination/binding';
import { encodeCursor } from '../../src/pagination/cursor';
import { connectionFromOffsetSlice, MAX_PAGE_NUMBER, pagesCovering, sliceFromPages, toOffsetRange, toOffsetRequest, type OffsetRequest } from '../../src/pagination/offset';
import { decodeOffsetCursor, encodeOffsetCursor, type OffsetScope } from '../../src/pagination/offset-cursor';

const SIZES = { defaultPageSize: 20, maxPageSize: 100 };
const SECRET = 'unit-test-secret';
const SCOPE: OffsetScope = { connection: 'tasks', filter: { status: 'task_done' }, secret: SECRET };

// Returns the error a call throws (fails the test when it does not throw a GatewayError).
function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('checkRelayArgs', () => {
  it.each<[RelayArgs, RelayRequest]>([
    [{}, { direction: 'forward', count: 20 }],
    [{ first: 5 }, { direction: 'forward', count: 5 }],
    [{ first: 0 }, { direction: 'forward', count: 0 }],
    [{ first: 100 }, { direction: 'forward', count: 100 }],
    [{ after: 'x' }, { direction: 'forward', count: 20, cursor: { argument: 'after', text: 'x' } }],
    [{ last: 7 }, { direction: 'backward', count: 7 }],
    [{ before: 'x' }, { direction: 'backward', count: 20, cursor: { argument: 'before', text: 'x' } }],
    [{ first: null, last: 3, after: null }, { direction: 'backward', count: 3 }],
  ])('reads %j as %j', (args, expected) => {
    expect(checkRelayArgs(args, SIZES)).toEqual(expected);
  });

  it.each<[RelayArgs, string]>([
    [{ first: 1, last: 1 }, 'first and last cannot be combined; pass one of them (got first 1, last 1)'],
    [{ after: 'x', before: 'y' }, 'after and before cannot be combined; page forwards with first/after or backwards with last/before'],
    [{ first: 1, before: 'x' }, 'before pages backwards: use it with last, not first (got first 1)'],
    [{ last: 1, after: 'x' }, 'after pages forwards: use it with first, not last (got last 1)'],
    [{ first: 2.5 }, 'first must be a whole number; got 2.5'],
    [{ first: -1 }, 'first must not be negative; got -1'],
    [{ last: -5 }, 'last must not be negative; got -5'],
    [{ first: 101 }, 'first must be at most 100; got 101'],
    [{ last: 1000 }, 'last must be at most 100; got 1000'],
  ])('refuses %j with BAD_USER_INPUT: %s', (args, message) => {
    const err = thrown(() => checkRelayArgs(args, SIZES));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe(message);
  });
});

describe('toOffsetRequest and toOffsetRange', () => {
  const cursorAt = (offset: number) => encodeOffsetCursor(SCOPE, { offset });

  it.each<[string, RelayArgs, OffsetRequest]>([
    ['the first page', { first: 10 }, { kind: 'forward', start: 0, count: 10 }],
    ['the page after offset 9', { first: 10, after: cursorAt(9) }, { kind: 'forward', start: 10, count: 10 }],
    ['the last page', { last: 10 }, { kind: 'backward', end: 'total', count: 10 }],
    ['the page before offset 30', { last: 10, before: cursorAt(30) }, { kind: 'backward', end: 30, count: 10 }],
  ])('asks for %s', (_name, args, expected) => {
    expect(toOffsetRequest(args, SIZES, SCOPE)).toEqual(expected);
  });

  it('carries the frozen end of the cursor', () => {
    const after = encodeOffsetCursor(SCOPE, { offset: 4, frozenEnd: 1795629344012 });
    expect(toOffsetRequest({ first: 3, after }, SIZES, SCOPE)).toEqual({ kind: 'forward', start: 5, count: 3, frozenEnd: 1795629344012 });
  });

  it.each<[OffsetRequest, number, { start: number; end: number }]>([
    // forward
    [{ kind: 'forward', start: 0, count: 10 }, 25, { start: 0, end: 10 }],
    [{ kind: 'forward', start: 20, count: 10 }, 25, { start: 20, end: 25 }],
    [{ kind: 'forward', start: 25, count: 10 }, 25, { start: 25, end: 25 }],
    [{ kind: 'forward', start: 40, count: 10 }, 25, { start: 25, end: 25 }],
    [{ kind: 'forward', start: 0, count: 10 }, 0, { start: 0, end: 0 }],
    [{ kind: 'forward', start: 3, count: 0 }, 25, { start: 3, end: 3 }],
    // backward
    [{ kind: 'backward', end: 'total', count: 10 }, 25, { start: 15, end: 25 }],
    [{ kind: 'backward', end: 'total', count: 10 }, 4, { start: 0, end: 4 }],
    [{ kind: 'backward', end: 15, count: 10 }, 25, { start: 5, end: 15 }],
    [{ kind: 'backward', end: 5, count: 10 }, 25, { start: 0, end: 5 }],
    [{ kind: 'backward', end: 0, count: 10 }, 25, { start: 0, end: 0 }],
    // a before-cursor past a list that has shrunk
    [{ kind: 'backward', end: 40, count: 10 }, 25, { start: 15, end: 25 }],
    [{ kind: 'backward', end: 'total', count: 0 }, 25, { start: 25, end: 25 }],
  ])('resolves %j over %d items to %j', (request, total, expected) => {
    expect(toOffsetRange(request, total)).toEqual(expected);
  });
});

describe('pagesCovering', () => {
  it.each<[number, number, number, { pageSize: number; pageNumbers: number[] }]>([
    [0, 10, 10000, { pageSize: 10, pageNumbers: [1] }],
    [10, 20, 10000, { pageSize: 10, pageNumbers: [2] }],
    [5, 8, 10000, { pageSize: 4, pageNumbers: [2] }],
    [0, 1, 10000, { pageSize: 1, pageNumbers: [1] }],
    [7, 8, 10000, { pageSize: 1, pageNumbers: [8] }],
    [15, 25, 10000, { pageSize: 13, pageNumbers: [2] }],
    // No single page of at most 10 holds [15, 25): two pages of 10.
    [15, 25, 10, { pageSize: 10, pageNumbers: [2, 3] }],
    [0, 30, 10, { pageSize: 10, pageNumbers: [1, 2, 3] }],
  ])('covers [%d, %d) with pages of at most %d as %j', (start, end, max, expected) => {
    expect(pagesCovering(start, end, max)).toEqual(expected);
  });

  it.each<[number, number, { pageSize: number; pageNumbers: number[] }]>([
    // Pages of 1 would need page 70001: the upstream accepts page numbers up to 65535.
    [70000, 70001, { pageSize: 2, pageNumbers: [35001] }],
    [65534, 65535, { pageSize: 1, pageNumbers: [65535] }],
    [65535, 65536, { pageSize: 2, pageNumbers: [32768] }],
    [200000, 200020, { pageSize: 20, pageNumbers: [10001] }],
  ])('keeps page numbers within 65535 at deep offsets: [%d, %d) as %j', (start, end, expected) => {
    expect(MAX_PAGE_NUMBER).toBe(65535);
    expect(pagesCovering(start, end, 10000)).toEqual(expected);
  });

  it('always covers the range with consecutive pages no larger than the maximum, in one page when one can, numbered within range', () => {
    const broken: string[] = [];
    for (const [max, maxPageNumber] of [[1, 100], [3, 100], [10, 100], [100, 100], [10, 9], [100, 4]] as const) {
      for (let start = 0; start < 60; start++) {
        for (let end = start + 1; end <= start + 25; end++) {
          const { pageSize, pageNumbers } = pagesCovering(start, end, max, maxPageNumber);
          const first = pageNumbers[0] ?? 0;
          const problems = [
            pageSize >= 1 && pageSize <= max ? '' : 'page size',
            first >= 1 && pageNumbers.every((n, i) => n === first + i) ? '' : 'consecutive pages',
            (first - 1) * pageSize <= start && (first - 1 + pageNumbers.length) * pageSize >= end ? '' : 'coverage',
            end > max || pageNumbers.length === 1 ? '' : 'one page',
            // The last page fetched is needed (none lies wholly beyond the range).
            (first - 2 + pageNumbers.length) * pageSize < end ? '' : 'tightness',
            max * maxPageNumber < end || pageNumbers.every((n) => n <= maxPageNumber) ? '' : 'page number range',
          ].filter(Boolean);
          if (problems.length > 0) broken.push(`[${start}, ${end}) max ${max}: ${problems.join(', ')}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('sliceFromPages', () => {
  it('cuts exactly [start, end) out of the pages pagesCovering chose', () => {
    const list = Array.from({ length: 200 }, (_, i) => i);
    const page = (size: number, n: number) => list.slice((n - 1) * size, n * size);
    for (const max of [4, 10, 10000]) {
      for (let start = 0; start < 50; start += 3) {
        for (let end = start + 1; end <= start + 30; end += 2) {
          const { pageSize, pageNumbers } = pagesCovering(start, end, max);
          const pages = pageNumbers.map((n) => page(pageSize, n));
          expect(sliceFromPages(pages, pageSize, pageNumbers[0] as number, start, end)).toEqual(list.slice(start, end));
        }
      }
    }
  });

  it('returns what there is when the list ends inside the range', () => {
    expect(sliceFromPages([['a', 'b', 'c']], 5, 2, 5, 10)).toEqual(['a', 'b', 'c']);
  });
});

describe('connectionFromOffsetSlice', () => {
  const cursorAt = (offset: number) => `c${offset}`;

  it('builds the first page of a longer list', () => {
    expect(connectionFromOffsetSlice(['a', 'b'], 0, 5, cursorAt)).toEqual({
      edges: [
        { cursor: 'c0', node: 'a' },
        { cursor: 'c1', node: 'b' },
      ],
      nodes: ['a', 'b'],
      pageInfo: { hasPreviousPage: false, hasNextPage: true, startCursor: 'c0', endCursor: 'c1' },
      totalCount: 5,
    });
  });

  it('builds a middle page with both flags set', () => {
    expect(connectionFromOffsetSlice(['c', 'd'], 2, 5, cursorAt).pageInfo).toEqual({
      hasPreviousPage: true,
      hasNextPage: true,
      startCursor: 'c2',
      endCursor: 'c3',
    });
  });

  it('builds the last page', () => {
    expect(connectionFromOffsetSlice(['e'], 4, 5, cursorAt)).toEqual({
      edges: [{ cursor: 'c4', node: 'e' }],
      nodes: ['e'],
      pageInfo: { hasPreviousPage: true, hasNextPage: false, startCursor: 'c4', endCursor: 'c4' },
      totalCount: 5,
    });
  });

  it('builds the whole list as one page with neither flag', () => {
    expect(connectionFromOffsetSlice(['a', 'b'], 0, 2, cursorAt).pageInfo).toEqual({
      hasPreviousPage: false,
      hasNextPage: false,
      startCursor: 'c0',
      endCursor: 'c1',
    });
  });

  it.each<[number, number, boolean, boolean]>([
    [0, 0, false, false],
    [0, 3, false, true],
    [2, 3, true, true],
    [3, 3, true, false],
  ])('gives an empty page at offset %d of %d null cursors and exact flags', (start, total, hasPreviousPage, hasNextPage) => {
    expect(connectionFromOffsetSlice([], start, total, cursorAt)).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasPreviousPage, hasNextPage, startCursor: null, endCursor: null },
      totalCount: total,
    });
  });
});

describe('offset cursors', () => {
  it.each([[{ offset: 0 }], [{ offset: 12345 }], [{ offset: 9, frozenEnd: 1795629344012 }]])('round-trip %j', (cursor) => {
    const encoded = encodeOffsetCursor(SCOPE, cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeOffsetCursor(encoded, SCOPE, 'after')).toEqual(cursor);
  });

  const valid = encodeOffsetCursor(SCOPE, { offset: 9, frozenEnd: 1795629344012 });
  // An envelope the right secret signed, to reach the checks behind the signature.
  const signed = (fields: string[], binding = bindFilter('tasks', SCOPE.filter, undefined)) => encodeCursor({ connection: 'tasks', binding, fields }, SECRET);
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const ALTERED = 'after cursor was altered or issued by another gateway (signature check failed)';
  const OTHER_FILTER = 'after cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without after';

  it.each([
    ['garbage', 'garbage', 'after is not a valid cursor (malformed); got "garbage"'],
    ['the empty string', '', 'after is not a valid cursor (malformed); got ""'],
    ['a cursor of the old offset format', 'o1.eyJ2IjoxfQ.c2lnbmF0dXJl', 'after is not a valid cursor (malformed); got "o1.eyJ2IjoxfQ.c2lnbmF0dXJl"'],
    ['a tampered payload', flip(valid, 5), ALTERED],
    ['a tampered signature', flip(valid, valid.length - 3), ALTERED],
    ['trailing bytes', `${valid}AAAA`, ALTERED],
    ['a truncated signature', valid.slice(0, -4), ALTERED],
    ['a cursor signed with another secret', encodeOffsetCursor({ ...SCOPE, secret: 'another-gateway' }, { offset: 9 }), ALTERED],
    [
      'a cursor of another connection',
      encodeOffsetCursor({ ...SCOPE, connection: 'Task.urls:1' }, { offset: 9 }),
      'after cursor was issued for a different connection ("Task.urls:1"); pass it where it was issued, or start again without after',
    ],
    ['a cursor of other filter arguments', encodeOffsetCursor({ ...SCOPE, filter: { status: 'task_inprocess' } }, { offset: 9 }), OTHER_FILTER],
    ['a cursor whose frozen end was changed and re-signed', signed(['9', (1795629344013).toString(36)], bindFilter('tasks', SCOPE.filter, 1795629344012)), OTHER_FILTER],
    ['a signed offset that is not base 36', signed(['-1', '']), `after is not a valid cursor (malformed); got ${JSON.stringify(signed(['-1', '']))}`],
    ['a signed cursor without its frozen-end field', signed(['9']), `after is not a valid cursor (malformed); got ${JSON.stringify(signed(['9']))}`],
  ])('refuses %s with BAD_USER_INPUT', (_name, value, message) => {
    const err = thrown(() => decodeOffsetCursor(value, SCOPE, 'after'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe(message);
  });

  it('refuses to encode an offset that is not a non-negative safe integer', () => {
    expect(() => encodeOffsetCursor(SCOPE, { offset: -1 })).toThrow('cursor fields are non-negative safe integers; got -1');
    expect(() => encodeOffsetCursor(SCOPE, { offset: 1.5 })).toThrow('cursor fields are non-negative safe integers; got 1.5');
  });

  it('names the argument that held the bad cursor', () => {
    expect(thrown(() => toOffsetRequest({ last: 5, before: 'nope' }, SIZES, SCOPE)).message).toMatch(/^before is not a valid cursor/);
  });
});

describe('bindFilter', () => {
  it('binds equal filters equally, whatever the key order or absent fields', () => {
    const a = bindFilter('tasks', { status: 'task_done', startDate: 1, taskType: undefined });
    const b = bindFilter('tasks', { startDate: 1, fileType: null, status: 'task_done' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it('tells different filters, connections and frozen ends apart', () => {
    const bindings = [
      bindFilter('tasks', {}),
      bindFilter('tasks', { status: 'task_done' }),
      bindFilter('tasks', { status: 'task_inprocess' }),
      bindFilter('tasks', { startDate: 1 }),
      bindFilter('tasks', { startDate: '1' }),
      bindFilter('tasks', {}, 5),
      bindFilter('Task.urls:1', {}),
      bindFilter('Task.urls:2', {}),
    ];
    expect(new Set(bindings).size).toBe(bindings.length);
  });
});
