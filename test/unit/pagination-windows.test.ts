import { GatewayError } from '../../src/errors';
import { WINDOW_MS, freezeRangeEnd, resolveRange, splitRange, windowIndexOf, type RangeArgs } from '../../src/pagination/windows';

const HOUR = 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const DEFAULTS = { now: NOW, maxRangeDays: 31 };

describe('splitRange', () => {
  test('keeps a range of exactly 24 h in one window', () => {
    expect(splitRange({ start: NOW - WINDOW_MS, end: NOW })).toEqual([{ start: NOW - WINDOW_MS, end: NOW }]);
  });

  test('cuts newest first: the last 24 h, then the rest on the UTC-day grid, the oldest window taking the remainder', () => {
    expect(splitRange({ start: NOW - WINDOW_MS - 1, end: NOW })).toEqual([
      { start: NOW - WINDOW_MS, end: NOW },
      { start: NOW - WINDOW_MS - 1, end: NOW - WINDOW_MS },
    ]);
    const midnightBefore = Date.UTC(2026, 10, 24);
    expect(splitRange({ start: NOW - 3 * WINDOW_MS, end: NOW })).toEqual([
      { start: NOW - WINDOW_MS, end: NOW },
      { start: midnightBefore, end: NOW - WINDOW_MS },
      { start: midnightBefore - WINDOW_MS, end: midnightBefore },
      { start: NOW - 3 * WINDOW_MS, end: midnightBefore - WINDOW_MS },
    ]);
  });

  test('cuts 31 days ending at noon into 32 contiguous windows: the last 24 h, a half day, 29 whole UTC days, a half day', () => {
    const windows = splitRange({ start: NOW - 31 * WINDOW_MS, end: NOW });
    expect(windows).toHaveLength(32);
    expect(windows[0]).toEqual({ start: NOW - WINDOW_MS, end: NOW });
    windows.slice(1).forEach((w, i) => {
      expect(w.end).toBe(windows[i]?.start);
      expect(w.end % WINDOW_MS === 0 || i === 0).toBe(true);
      expect(w.start % WINDOW_MS === 0 || i === 30).toBe(true);
    });
    expect(windows[31]?.start).toBe(NOW - 31 * WINDOW_MS);
  });

  test('cuts 31 days ending at a UTC midnight into 31 whole days', () => {
    const midnight = Date.UTC(2026, 10, 25);
    const windows = splitRange({ start: midnight - 31 * WINDOW_MS, end: midnight });
    expect(windows).toHaveLength(31);
    windows.forEach((w, i) => expect(w).toEqual({ start: midnight - (i + 1) * WINDOW_MS, end: midnight - i * WINDOW_MS }));
  });

  test('gives the same past days to ranges ending at different moments of a day, so their upstream calls repeat', () => {
    const earlier = splitRange({ start: NOW - 10 * WINDOW_MS, end: NOW });
    const later = splitRange({ start: NOW - 10 * WINDOW_MS + 3 * HOUR, end: NOW + 3 * HOUR });
    const key = (w: { start: number; end: number }) => `${w.start}-${w.end}`;
    const shared = earlier.map(key).filter((k) => later.map(key).includes(k));
    // All but the newest window, the partial day after it and the oldest partial day.
    expect(shared).toHaveLength(earlier.length - 3);
  });

  test('returns no window for an empty range', () => {
    expect(splitRange({ start: NOW, end: NOW })).toEqual([]);
  });

  test('honours another window size, its grid counted from the epoch', () => {
    expect(splitRange({ start: HOUR, end: 6 * HOUR }, 2 * HOUR)).toEqual([
      { start: 4 * HOUR, end: 6 * HOUR },
      { start: 2 * HOUR, end: 4 * HOUR },
      { start: HOUR, end: 2 * HOUR },
    ]);
    expect(splitRange({ start: 0, end: 5 * HOUR }, 2 * HOUR)).toEqual([
      { start: 3 * HOUR, end: 5 * HOUR },
      { start: 2 * HOUR, end: 3 * HOUR },
      { start: 0, end: 2 * HOUR },
    ]);
  });
});

test('windowIndexOf finds the window holding an instant, start inclusive, end exclusive', () => {
  const windows = splitRange({ start: NOW - 2 * WINDOW_MS, end: NOW });
  const midnight = Date.UTC(2026, 10, 24);
  expect([NOW - 1, NOW - WINDOW_MS, NOW - WINDOW_MS - 1, midnight, midnight - 1, NOW - 2 * WINDOW_MS, NOW, NOW - 2 * WINDOW_MS - 1].map((t) => windowIndexOf(windows, t))).toEqual([
    0, 0, 1, 1, 2, 2, -1, -1,
  ]);
});

test('freezeRangeEnd takes createdBefore, never later than now', () => {
  expect([freezeRangeEnd({}, NOW), freezeRangeEnd({ createdBefore: NOW - HOUR }, NOW), freezeRangeEnd({ createdBefore: NOW + HOUR }, NOW)]).toEqual([
    NOW,
    NOW - HOUR,
    NOW,
  ]);
});

describe('resolveRange', () => {
  test.each<[string, RangeArgs, { frozenEnd?: number }, { start: number; end: number }]>([
    ['no dates: the last 24 h', {}, {}, { start: NOW - WINDOW_MS, end: NOW }],
    ['createdBefore only: the 24 h before it', { createdBefore: NOW - 5 * HOUR }, {}, { start: NOW - 29 * HOUR, end: NOW - 5 * HOUR }],
    ['createdAfter only: from it to now', { createdAfter: NOW - 50 * HOUR }, {}, { start: NOW - 50 * HOUR, end: NOW }],
    ['both dates', { createdAfter: NOW - 10 * HOUR, createdBefore: NOW - 2 * HOUR }, {}, { start: NOW - 10 * HOUR, end: NOW - 2 * HOUR }],
    ['a future createdBefore ends now', { createdAfter: NOW - HOUR, createdBefore: NOW + 5 * HOUR }, {}, { start: NOW - HOUR, end: NOW }],
    ['a future createdBefore alone still starts 24 h before it', { createdBefore: NOW + 5 * HOUR }, {}, { start: NOW - 19 * HOUR, end: NOW }],
    ['a range in the future is empty', { createdAfter: NOW + HOUR }, {}, { start: NOW + HOUR, end: NOW + HOUR }],
    ['a frozen end replaces now', {}, { frozenEnd: NOW - 3 * HOUR }, { start: NOW - 27 * HOUR, end: NOW - 3 * HOUR }],
    ['a frozen end keeps createdAfter', { createdAfter: NOW - 40 * HOUR }, { frozenEnd: NOW - 3 * HOUR }, { start: NOW - 40 * HOUR, end: NOW - 3 * HOUR }],
    ['exactly the maximum span', { createdAfter: NOW - 31 * WINDOW_MS }, {}, { start: NOW - 31 * WINDOW_MS, end: NOW }],
  ])('%s', (_name, args, extra, expected) => {
    expect(resolveRange(args, { ...DEFAULTS, ...extra })).toEqual(expected);
  });

  test.each<[string, RangeArgs, number, string]>([
    [
      'an inverted range',
      { createdAfter: NOW, createdBefore: NOW - HOUR },
      31,
      'filter.createdAfter must be earlier than filter.createdBefore; got createdAfter 2026-11-25T12:00:00.000Z and createdBefore 2026-11-25T11:00:00.000Z',
    ],
    [
      'an empty range',
      { createdAfter: NOW - HOUR, createdBefore: NOW - HOUR },
      31,
      'filter.createdAfter must be earlier than filter.createdBefore; got createdAfter 2026-11-25T11:00:00.000Z and createdBefore 2026-11-25T11:00:00.000Z',
    ],
    [
      'a span one millisecond over 31 days',
      { createdAfter: NOW - 31 * WINDOW_MS - 1 },
      31,
      'filter.createdAfter to filter.createdBefore must span at most 31 days; got 31.01 days (createdAfter 2026-10-25T11:59:59.999Z, now 2026-11-25T12:00:00.000Z)',
    ],
    [
      'a span over a configured maximum',
      { createdAfter: NOW - 80 * HOUR, createdBefore: NOW - 8 * HOUR },
      2,
      'filter.createdAfter to filter.createdBefore must span at most 2 days; got 3 days (createdAfter 2026-11-22T04:00:00.000Z, createdBefore 2026-11-25T04:00:00.000Z)',
    ],
    ['an invalid date', { createdAfter: Number.NaN }, 31, 'filter.createdAfter must be a valid date-time; got NaN'],
    ['an infinite date', { createdBefore: Number.POSITIVE_INFINITY }, 31, 'filter.createdBefore must be a valid date-time; got Infinity'],
  ])('refuses %s', (_name, args, maxRangeDays, message) => {
    const error = catchError(() => resolveRange(args, { now: NOW, maxRangeDays }));
    expect(error).toBeInstanceOf(GatewayError);
    expect({ code: (error as GatewayError).code, message: (error as GatewayError).message }).toEqual({ code: 'BAD_USER_INPUT', message });
  });
});

// Returns what `fn` throws (fails the test when it returns).
function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
