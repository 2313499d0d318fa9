import { GatewayError } from '../../src/errors';
import { bindFilter } from '../../src/pagination/binding';
import { planConnection, type ConnectionArgs, type PaginationOptions } from '../../src/pagination/plan';
import { encodeUrlTaskCursor, type UrlTaskCursor } from '../../src/pagination/url-task-cursor';
import { WINDOW_MS, splitRange } from '../../src/pagination/windows';

const HOUR = 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const SECRET = 'args-test-secret';
const OPTIONS: PaginationOptions = { cursorSecret: SECRET, now: NOW };
const FILTER = { createdAfter: NOW - 3 * WINDOW_MS, status: 'PROCESSING' };

// A cursor the planner issued for FILTER on a first page at NOW.
function issued(overrides: Partial<UrlTaskCursor> = {}, filter = FILTER, scope = 'urlTasks'): string {
  const data: UrlTaskCursor = {
    binding: bindFilter(scope, filter, NOW),
    rangeEnd: NOW,
    window: 1,
    offset: 4,
    id: 5000,
    createTime: NOW - WINDOW_MS - HOUR,
    nextId: 4999,
    ...overrides,
  };
  return encodeUrlTaskCursor(data, SECRET);
}
const CURSOR = issued();

describe('planConnection refuses', () => {
  test.each<[string, ConnectionArgs, string]>([
    ['a negative first', { first: -1 }, 'first must not be negative; got -1'],
    ['a negative last', { last: -5 }, 'last must not be negative; got -5'],
    ['first over the cap', { first: 101 }, 'first must be at most 100; got 101'],
    ['last over the cap', { last: 1000 }, 'last must be at most 100; got 1000'],
    ['a fractional first', { first: 2.5 }, 'first must be a whole number; got 2.5'],
    ['first with last', { first: 10, last: 10 }, 'first and last cannot be combined; pass one of them (got first 10, last 10)'],
    ['after with before', { after: CURSOR, before: CURSOR, filter: FILTER }, 'after and before cannot be combined; page forwards with first/after or backwards with last/before'],
    ['after with last', { after: CURSOR, last: 5, filter: FILTER }, 'after pages forwards: use it with first, not last (got last 5)'],
    ['before with first', { before: CURSOR, first: 5, filter: FILTER }, 'before pages backwards: use it with last, not first (got first 5)'],
    ['a malformed after', { after: 'page-2', filter: FILTER }, 'after is not a valid cursor (malformed); got "page-2"'],
    ['a malformed before', { before: '', filter: FILTER }, 'before is not a valid cursor (malformed); got ""'],
    [
      'a tampered cursor',
      { after: CURSOR.slice(0, 10) + (CURSOR[10] === 'A' ? 'B' : 'A') + CURSOR.slice(11), filter: FILTER },
      'after cursor was altered or issued by another gateway (signature check failed)',
    ],
    [
      'a cursor of another status filter',
      { after: CURSOR, filter: { ...FILTER, status: 'FAILED' } },
      'after cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without after',
    ],
    [
      'a cursor used without its filter',
      { before: CURSOR },
      'before cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without before',
    ],
    [
      'a cursor with createdBefore added',
      { after: CURSOR, filter: { ...FILTER, createdBefore: NOW } },
      'after cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without after',
    ],
    [
      'a cursor of another connection scope',
      { after: issued({}, FILTER, 'task:42'), filter: FILTER },
      'after cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without after',
    ],
    [
      'a cursor pointing outside the range',
      { after: issued({ window: 7 }), filter: FILTER },
      "after cursor points outside the filter's time range; start again without after",
    ],
    [
      'a cursor whose record lies outside its window',
      { before: issued({ window: 0 }), filter: FILTER },
      "before cursor points outside the filter's time range; start again without before",
    ],
    [
      'an inverted range',
      { filter: { createdAfter: NOW - HOUR, createdBefore: NOW - 2 * HOUR } },
      'filter.createdAfter must be earlier than filter.createdBefore; got createdAfter 2026-11-25T11:00:00.000Z and createdBefore 2026-11-25T10:00:00.000Z',
    ],
    [
      'a range over 31 days',
      { filter: { createdAfter: NOW - 40 * WINDOW_MS } },
      'filter.createdAfter to filter.createdBefore must span at most 31 days; got 40 days (createdAfter 2026-10-16T12:00:00.000Z, now 2026-11-25T12:00:00.000Z)',
    ],
  ])('%s', (_name, args, message) => {
    let caught: unknown;
    try {
      planConnection(args, OPTIONS);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect({ code: (caught as GatewayError).code, message: (caught as GatewayError).message }).toEqual({ code: 'BAD_USER_INPUT', message });
  });

  test('counts over a configured cap, and accepts them up to it', () => {
    expect(() => planConnection({ first: 301 }, { ...OPTIONS, maxPageSize: 300 })).toThrow('first must be at most 300; got 301');
    expect(planConnection({ first: 300 }, { ...OPTIONS, maxPageSize: 300 }).count).toBe(300);
  });
});

describe('planConnection plans', () => {
  const lastDay = { start: NOW - WINDOW_MS, end: NOW };
  const base = { range: lastDay, windows: [lastDay], filter: {}, volatile: false, binding: bindFilter('urlTasks', {}, NOW), cursorSecret: SECRET, driftSlack: 10 };

  test('a default page of the last 24 h, forwards from the start', () => {
    expect(planConnection({}, OPTIONS)).toEqual({ ...base, direction: 'forward', count: 20, anchor: { kind: 'start' } });
  });

  test('last without before: backwards from the end', () => {
    expect(planConnection({ last: 7 }, OPTIONS)).toEqual({ ...base, direction: 'backward', count: 7, anchor: { kind: 'end' } });
  });

  test('a page of zero records', () => {
    expect(planConnection({ first: 0 }, OPTIONS)).toMatchObject({ direction: 'forward', count: 0 });
  });

  test('a configured default size', () => {
    expect(planConnection({ filter: null }, { ...OPTIONS, defaultPageSize: 50 })).toMatchObject({ count: 50 });
  });

  test('after alone: forwards with the default size, from the cursor, with the frozen end and upstream filters', () => {
    const filter = { ...FILTER, url: 'https://a.example/x', taskType: 'REFRESH', fileType: 'FILE' };
    const after = issued({}, filter);
    const range = { start: NOW - 3 * WINDOW_MS, end: NOW };
    // An hour later, the cursor's frozen end still rules.
    expect(planConnection({ after, filter }, { ...OPTIONS, now: NOW + HOUR })).toEqual({
      direction: 'forward',
      count: 20,
      anchor: {
        kind: 'after',
        cursor: { binding: bindFilter('urlTasks', filter, NOW), rangeEnd: NOW, window: 1, offset: 4, id: 5000, createTime: NOW - WINDOW_MS - HOUR, nextId: 4999 },
      },
      range,
      windows: splitRange(range),
      filter: { url: 'https://a.example/x', taskType: 'REFRESH', status: 'PROCESSING', fileType: 'FILE' },
      volatile: true,
      binding: bindFilter('urlTasks', filter, NOW),
      cursorSecret: SECRET,
      driftSlack: 10,
    });
  });

  test('before alone: backwards with the default size', () => {
    expect(planConnection({ before: CURSOR, filter: FILTER }, OPTIONS)).toMatchObject({ direction: 'backward', count: 20, anchor: { kind: 'before' } });
  });

  test('a future createdBefore frozen at now', () => {
    const plan = planConnection({ filter: { createdBefore: NOW + 2 * HOUR } }, OPTIONS);
    expect(plan.range).toEqual({ start: NOW - 22 * HOUR, end: NOW });
  });

  test('a range entirely in the future: no windows', () => {
    expect(planConnection({ filter: { createdAfter: NOW + HOUR } }, OPTIONS).windows).toEqual([]);
  });
});

test.each<[string, Partial<PaginationOptions>, string]>([
  ['a default above the cap', { defaultPageSize: 120 }, 'pagination options need 1 <= maxPageSize and defaultPageSize <= maxPageSize; got defaultPageSize 120, maxPageSize 100'],
  ['a zero cap', { maxPageSize: 0, defaultPageSize: 0 }, 'pagination options need 1 <= maxPageSize and defaultPageSize <= maxPageSize; got defaultPageSize 0, maxPageSize 0'],
  ['a fractional size', { defaultPageSize: 2.5 }, 'pagination option defaultPageSize must be a non-negative integer; got 2.5'],
  ['a zero range', { maxRangeDays: 0 }, 'pagination option maxRangeDays must be positive; got 0'],
  ['no clock', { now: Number.NaN }, 'pagination option now must be epoch milliseconds; got NaN'],
])('planConnection treats %s as a programming error', (_name, options, message) => {
  expect(() => planConnection({}, { ...OPTIONS, ...options })).toThrow(new TypeError(message));
});
