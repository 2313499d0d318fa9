/**
 * Offset connections (src/pagination/offset.ts), used by Query.tasks and Task.urls: Relay
 * argument checks, offset ranges both ways, page coverage of upstream page_size/page_number,
 * exact page flags, and signed cursors bound to their connection.
 */
import { createHmac } from 'node:crypto';
import { GatewayError } from '../../src/errors';
import {
  checkRelayArgs,
  connectionFromOffsetSlice,
  decodeOffsetCursor,
  encodeOffsetCursor,
  MAX_PAGE_NUMBER,
  pagesCovering,
  sliceFromPages,
  toOffsetRange,
  toOffsetRequest,
  toScope,
  type OffsetRequest,
  type RelayArgs,
} from '../../src/pagination/offset';

const SIZES = { defaultPageSize: 20, maxPageSize: 100 };
const SECRET = 'unit-test-secret';
const SCOPE = toScope('tasks', { status: 'task_done' });

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
  it.each<[RelayArgs, { direction: 'forward' | 'backward'; count: number }]>([
    [{}, { direction: 'forward', count: 20 }],
    [{ first: 5 }, { direction: 'forward', count: 5 }],
    [{ first: 0 }, { direction: 'forward', count: 0 }],
    [{ first: 100 }, { direction: 'forward', count: 100 }],
    [{ after: 'x' }, { direction: 'forward', count: 20 }],
    [{ last: 7 }, { direction: 'backward', count: 7 }],
    [{ before: 'x' }, { direction: 'backward', count: 20 }],
    [{ first: null, last: 3, after: null }, { direction: 'backward', count: 3 }],
  ])('reads %j as %j', (args, expected) => {
    expect(checkRelayArgs(args, SIZES)).toEqual(expected);
  });

  it.each<[RelayArgs, string]>([
    [{ first: 1, last: 1 }, 'Pass either first or last, not both'],
    [{ first: 1, before: 'x' }, 'before pages backwards: use it with last, not first'],
    [{ last: 1, after: 'x' }, 'after pages forwards: use it with first, not last'],
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
  const cursorAt = (offset: number) => encodeOffsetCursor({ scope: SCOPE, offset }, SECRET);

  it.each<[string, RelayArgs, OffsetRequest]>([
    ['the first page', { first: 10 }, { kind: 'forward', start: 0, count: 10 }],
    ['the page after offset 9', { first: 10, after: cursorAt(9) }, { kind: 'forward', start: 10, count: 10 }],
    ['the last page', { last: 10 }, { kind: 'backward', end: 'total', count: 10 }],
    ['the page before offset 30', { last: 10, before: cursorAt(30) }, { kind: 'backward', end: 30, count: 10 }],
  ])('asks for %s', (_name, args, expected) => {
    expect(toOffsetRequest(args, SIZES, SCOPE, SECRET)).toEqual(expected);
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
  it.each([
    [{ scope: SCOPE, offset: 0 }],
    [{ scope: SCOPE, offset: 12345 }],
    [{ scope: SCOPE, offset: 9, frozenEnd: 1795629344012 }],
  ])('round-trip %j', (cursor) => {
    const encoded = encodeOffsetCursor(cursor, SECRET);
    expect(encoded).toMatch(/^o1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(decodeOffsetCursor(encoded, SCOPE, SECRET, 'after')).toEqual(cursor);
  });

  const valid = encodeOffsetCursor({ scope: SCOPE, offset: 9, frozenEnd: 1795629344012 }, SECRET);
  const [prefix, payload, signature] = valid.split('.') as [string, string, string];
  // A payload the right secret signed, to reach the checks behind the signature.
  const signed = (body: string) => {
    const p = Buffer.from(body, 'utf8').toString('base64url');
    return `o1.${p}.${createHmac('sha256', SECRET).update(p).digest('base64url').slice(0, 22)}`;
  };
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

  it.each([
    ['garbage', 'garbage', /after is not a cursor of this connection \(malformed\): "garbage"/],
    ['the empty string', '', /malformed/],
    ['a cursor of another format', `v2.${payload}.${signature}`, /malformed/],
    ['a cursor with an extra part', `${valid}.x`, /malformed/],
    ['a cursor without signature', `${prefix}.${payload}.`, /malformed/],
    ['a tampered payload', `${prefix}.${flip(payload, 10)}.${signature}`, /signature check failed/],
    ['a tampered signature', `${prefix}.${payload}.${flip(signature, 3)}`, /signature check failed/],
    ['a truncated signature', `${prefix}.${payload}.${signature.slice(0, 10)}`, /signature check failed/],
    ['a cursor signed with another secret', encodeOffsetCursor({ scope: SCOPE, offset: 9 }, 'another-gateway'), /signature check failed/],
    ['a cursor of another connection', encodeOffsetCursor({ scope: toScope('task-urls:1', {}), offset: 9 }, SECRET), /different connection or different filter arguments/],
    ['a cursor of other filter arguments', encodeOffsetCursor({ scope: toScope('tasks', { status: 'task_inprocess' }), offset: 9 }, SECRET), /different connection/],
    ['a signed payload that is not JSON', signed('{not json'), /after cursor is malformed/],
    ['a negative offset', encodeOffsetCursor({ scope: SCOPE, offset: -1 }, SECRET), /after cursor is malformed/],
    ['a fractional offset', encodeOffsetCursor({ scope: SCOPE, offset: 1.5 }, SECRET), /after cursor is malformed/],
    ['a missing offset', signed(JSON.stringify({ v: 1, s: SCOPE })), /after cursor is malformed/],
  ])('refuses %s with BAD_USER_INPUT', (_name, value, message) => {
    const err = thrown(() => decodeOffsetCursor(value, SCOPE, SECRET, 'after'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(message);
  });

  it('names the argument that held the bad cursor', () => {
    expect(thrown(() => toOffsetRequest({ last: 5, before: 'nope' }, SIZES, SCOPE, SECRET)).message).toMatch(/^before is not a cursor/);
  });
});

describe('toScope', () => {
  it('fingerprints equal filters equally, whatever the key order or absent fields', () => {
    const a = toScope('tasks', { status: 'task_done', startDate: 1, taskType: undefined });
    const b = toScope('tasks', { startDate: 1, fileType: null, status: 'task_done' });
    expect(a).toBe(b);
    expect(a).toMatch(/^tasks:[A-Za-z0-9_-]{12}$/);
  });

  it('tells different filters and different connections apart', () => {
    const scopes = [
      toScope('tasks', {}),
      toScope('tasks', { status: 'task_done' }),
      toScope('tasks', { status: 'task_inprocess' }),
      toScope('tasks', { startDate: 1 }),
      toScope('tasks', { startDate: '1' }),
      toScope('task-urls:1', {}),
      toScope('task-urls:2', {}),
    ];
    expect(new Set(scopes).size).toBe(scopes.length);
  });
});
