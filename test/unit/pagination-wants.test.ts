import { RANK, Wants, callsFor } from '../../src/pagination/wants';

const WINDOWS = [
  { start: 100, end: 200 },
  { start: 0, end: 100 },
];

// Builds a Wants with known totals, lets `fill` register needs, returns the requests as [window, offset, limit].
function requests(fill: (wants: Wants) => void, totals: Array<number | undefined> = []): Array<[number, number, number]> {
  const wants = new Wants(WINDOWS, (w) => totals[w]);
  fill(wants);
  return wants.toRequests().map((r) => [WINDOWS.indexOf(r.window), r.offset, r.limit]);
}

test('callsFor counts calls of at most 100 records', () => {
  expect([0, 1, 100, 101, 200, 201].map(callsFor)).toEqual([0, 1, 1, 2, 2, 3]);
});

describe('Wants', () => {
  test.each<[string, (wants: Wants) => void, Array<number | undefined>, Array<[number, number, number]>]>([
    ['nothing: no call', () => {}, [], []],
    ['a range cut at 100 records', (w) => w.require(0, 5, 160), [], [[0, 5, 100], [0, 105, 55]]],
    ['a negative start clipped at 0', (w) => w.require(0, -3, 4), [], [[0, 0, 4]]],
    ['overlapping ranges merged', (w) => (w.require(0, 0, 10), w.require(0, 5, 20)), [], [[0, 0, 20]]],
    ['nearby ranges merged when no call is added', (w) => (w.require(0, 0, 10), w.require(0, 50, 60)), [], [[0, 0, 60]]],
    ['distant ranges kept apart', (w) => (w.require(0, 0, 10), w.require(0, 500, 510)), [], [[0, 0, 10], [0, 500, 10]]],
    ['a total alone: one limit=1 call', (w) => w.requireTotal(1), [], [[1, 0, 1]]],
    ['a total of a window already fetched: nothing more', (w) => (w.requireTotal(0), w.require(0, 40, 50)), [], [[0, 40, 10]]],
    ['windows in order, newest first', (w) => (w.require(1, 0, 5), w.require(0, 0, 5)), [], [[0, 0, 5], [1, 0, 5]]],
    ['a preferred record after a range', (w) => (w.require(0, 0, 20), w.prefer(0, 20, 21, RANK.neighbour)), [], [[0, 0, 21]]],
    ['a preferred record before a range', (w) => (w.require(0, 10, 20), w.prefer(0, 9, 10, RANK.neighbour)), [], [[0, 9, 11]]],
    ['a preference that would add a call is dropped', (w) => (w.require(0, 0, 100), w.prefer(0, 100, 101, RANK.neighbour)), [], [[0, 0, 100]]],
    ['a preference only fills the room left', (w) => (w.require(0, 0, 95), w.prefer(0, 95, 200, RANK.slack)), [], [[0, 0, 100]]],
    ['a preference apart from every range is dropped', (w) => (w.require(0, 0, 5), w.prefer(0, 50, 60, RANK.slack)), [], [[0, 0, 5]]],
    ['a preference alone makes no call', (w) => w.prefer(0, 0, 5, RANK.neighbour), [], []],
    ['a preference past the total is clipped', (w) => (w.require(0, 0, 5), w.prefer(0, 5, 30, RANK.slack)), [8], [[0, 0, 8]]],
    [
      'neighbours claim room before slack',
      (w) => (w.require(0, 10, 108), w.prefer(0, 0, 10, RANK.slack), w.prefer(0, 108, 109, RANK.neighbour)),
      [],
      [[0, 9, 100]],
    ],
    ['preferences chain: slack after a neighbour that fitted', (w) => (w.require(0, 0, 10), w.prefer(0, 11, 15, RANK.slack), w.prefer(0, 10, 11, RANK.neighbour)), [], [[0, 0, 15]]],
  ])('%s', (_name, fill, totals, expected) => {
    expect(requests(fill, totals)).toEqual(expected);
  });

  test('pending: required ranges or totals, not preferences', () => {
    const wants = new Wants(WINDOWS, () => undefined);
    wants.prefer(0, 0, 3, RANK.slack);
    const before = wants.pending;
    wants.requireTotal(1);
    expect([before, wants.pending]).toEqual([false, true]);
  });
});
